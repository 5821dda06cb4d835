/**
 * The embedded driver: PGlite, real Postgres in WASM, for the local stack and tests. Its data directory lives
 * under the ignored state folder so only the first start pays initdb. It is loaded through a computed
 * specifier so bundlers leave it out: the Lambda bundle only ever talks to Postgres through `pg`.
 */
import { mkdirSync } from 'node:fs';
import type { Db, Queryable } from './driver.ts';

const PGLITE_MODULE = ['@electric-sql', 'pglite'].join('/');

interface PGliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function openPglite(dataDir?: string): Promise<Db> {
  const { PGlite } = (await import(PGLITE_MODULE)) as { PGlite: { create(dir?: string): Promise<PGliteLike> } };
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const query: Queryable['query'] = async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows;
  return {
    kind: 'pglite',
    query,
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) => db.transaction((tx) => fn({ query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows })),
    close: () => db.close(),
  };
}
