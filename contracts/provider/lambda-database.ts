/**
 * A database for the bundled packages function. In AWS it is Postgres through RDS Proxy (`DATABASE_URL`), so with
 * TEST_DATABASE_URL set (a scratch Postgres, as the packages suites use) the bundle runs exactly that path: `pg`.
 * Without one, the bundle falls back to embedded PGlite (PGLITE_DIR) on a fresh copy of the seeded template —
 * not the stack's own data directory: PGlite has one owner per directory and the stack's process already holds it.
 * The bundle leaves PGlite out on purpose, so it must be loaded from the repository's node_modules: see bundleRoot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { openPackagesDatabase } from '../../emulators/stack/packages.ts';

export interface LambdaDatabase {
  env: Record<string, string>;
  /** Set when provider states can reach the database themselves (Postgres). */
  url?: string;
  close(): Promise<void>;
}

export async function lambdaDatabase(env: Record<string, string | undefined> = process.env): Promise<LambdaDatabase> {
  const url = env.TEST_DATABASE_URL;
  if (url) {
    // Migrations and the idempotent seed, under their advisory lock; the states reset what the pact changes.
    await (await openPackagesDatabase({ url })).close();
    return { env: { DATABASE_URL: url }, url, close: async () => {} };
  }
  const dir = await mkdtemp(join(bundleRoot(), 'pglite-'));
  await (await openPackagesDatabase({ dataDir: dir })).close();
  return { env: { PGLITE_DIR: dir }, close: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Where the contract run writes its bundles: inside the repository (node_modules/.cache, ignored), so the packages
 * bundle's computed `import('@electric-sql/pglite')` resolves from the repository's node_modules when it runs on
 * PGlite. The bundles themselves are unchanged.
 */
export const bundleRoot = () => resolve(import.meta.dirname, '../../node_modules/.cache/gatehouse-contracts');
