/**
 * Shared setup of the packages suites: the whole stack on free ports with the packages database on embedded
 * PGlite (a copy of the seeded template) or, for the Postgres run, on TEST_DATABASE_URL (a scratch database) reset to the seed.
 */
import https from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startStack, type Stack } from '../../emulators/stack/index.ts';
import { PACKAGES_FIXTURES } from '../../emulators/stack/packages.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { testStack } from '../helpers/stack.ts';

export type Backend = 'pglite' | 'postgres';

/** Why the Postgres run cannot happen here (undefined: it can). */
export async function postgresUnavailable(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return 'TEST_DATABASE_URL is not set (a scratch database: docker compose up postgres; TEST_DATABASE_URL=postgres://gatehouse:gatehouse@127.0.0.1:5432/gatehouse)';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    // A clean slate: the stack migrates and seeds it again.
    await client.query('DROP SCHEMA IF EXISTS "1" CASCADE; DROP SCHEMA IF EXISTS "2" CASCADE; DROP SCHEMA IF EXISTS pennsieve CASCADE; DROP SCHEMA IF EXISTS packages_service CASCADE; DROP TABLE IF EXISTS public.schema_migrations');
    return undefined;
  } catch (e) {
    return `no Postgres reachable at TEST_DATABASE_URL (${(e as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function packagesStack(backend: Backend, env: Record<string, string> = {}, o: { edgeNow?: () => number } = {}): Promise<Stack> {
  const all = { ...env, ...(backend === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL! } : {}) };
  if (!o.edgeNow) return testStack(all);
  // As testStack does, plus the CloudFront edge's own clock.
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  return startStack({ env: { GATEHOUSE_STATE_DIR: stateDir, ...all }, ephemeral: true, stateDir, log: silentLogger(), now: o.edgeNow });
}

/** GET through the local CloudFront edge's HTTPS listener (the signed URL names the distribution's https host). */
export function fetchFromEdge(stack: Stack, signedUrl: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const local = signedUrl.replace(/^https:\/\/[^/]+/, stack.urls['cloudfront-https']);
  const ca = readFileSync(join(stack.stateDir, 'tls', 'ca.pem'));
  return new Promise((resolve, reject) => {
    https.get(local, { ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** Poll until `check` is true (the restore worker runs asynchronously from the queue). */
export async function eventually(check: () => Promise<boolean>, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const SEED_SQL = join(PACKAGES_FIXTURES, 'seed.sql');
