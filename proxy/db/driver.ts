/**
 * One database interface for the packages service, two drivers behind it: `pg` against a real Postgres (RDS
 * Proxy in Lambda, docker compose locally) when `DATABASE_URL` is set, else embedded PGlite (Postgres compiled to
 * WASM) with its data directory on disk. Callers write plain SQL with `$n` parameters and never see which one runs.
 */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /** Several statements, no parameters (migrations, seed files). */
  exec(sql: string): Promise<void>;
  /** Run `fn` inside BEGIN … COMMIT on one connection; any throw rolls back. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… — when set, `pg` is used and nothing else matters. */
  url?: string;
  /** PGlite data directory; undefined keeps the database in memory. */
  dataDir?: string;
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if (opts.url) {
    const { openPg } = await import('./pg.ts');
    return openPg(opts.url);
  }
  const { openPglite } = await import('./pglite.ts');
  return openPglite(opts.dataDir);
}
