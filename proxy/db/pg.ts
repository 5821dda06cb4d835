/** The `pg` driver: a small pool (a Lambda container serves one request at a time; RDS Proxy pools for real). */
import pg from 'pg';
import type { Db, Queryable } from './driver.ts';

export async function openPg(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query gets a fresh one.
  pool.on('error', () => {});
  const query: Queryable['query'] = async <R>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as R[];
  return {
    kind: 'pg',
    query,
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn({ query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[] });
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
