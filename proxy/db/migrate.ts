/**
 * A plain-SQL migrations runner: every `NNN_name.sql` in a folder, in name order, each once, each in its own
 * transaction, recorded in `public.schema_migrations`. Works the same on PGlite and on a real Postgres, and is
 * safe when several processes start against one server at once (two stacks, a stack and a test run): every step
 * holds a transaction-scoped advisory lock and re-reads what is applied under it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, Queryable } from './driver.ts';

/** Any constant shared by everyone who migrates this database ("gatehouse" in ASCII, as an int). */
const MIGRATION_LOCK = 0x67617465;

/** Run `fn` in a transaction that first waits for the migration lock (released at COMMIT or ROLLBACK). */
const locked = <T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> => db.transaction(async (tx) => {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  return fn(tx);
});

export async function migrate(db: Db, dir: string): Promise<string[]> {
  // Concurrent CREATE TABLE IF NOT EXISTS can still collide in pg_type on Postgres: under the lock it cannot.
  await locked(db, (tx) => tx.query('CREATE TABLE IF NOT EXISTS public.schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())'));
  const applied: string[] = [];
  for (const name of readdirSync(dir).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort()) {
    const sql = readFileSync(join(dir, name), 'utf8');
    const ran = await locked(db, async (tx) => {
      // Checked under the lock: another process may have applied it while this one waited.
      if ((await tx.query('SELECT 1 FROM public.schema_migrations WHERE name = $1', [name])).length) return false;
      for (const stmt of splitStatements(sql)) await tx.query(stmt);
      await tx.query('INSERT INTO public.schema_migrations (name) VALUES ($1)', [name]);
      return true;
    });
    if (ran) applied.push(name);
  }
  return applied;
}

/** Run a seed file (idempotent SQL: ON CONFLICT DO NOTHING and the like) in one transaction, under the same lock. */
export async function runSqlFile(db: Db, file: string): Promise<void> {
  const statements = splitStatements(readFileSync(file, 'utf8'));
  await locked(db, async (tx) => {
    for (const stmt of statements) await tx.query(stmt);
  });
}

/**
 * Split on semicolons outside quotes, comments and dollar-quoted bodies (plpgsql functions), so each statement
 * can run in the extended protocol inside a transaction on either driver.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const end = sql.indexOf(dollar[0], i + dollar[0].length);
      const stop = end < 0 ? sql.length : end + dollar[0].length;
      cur += sql.slice(i, stop);
      i = stop;
    } else if (rest.startsWith('--')) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql[i] === "'" || sql[i] === '"') {
      const q = sql[i];
      let j = i + 1;
      while (j < sql.length && !(sql[j] === q && sql[j + 1] !== q)) j += sql[j] === q ? 2 : 1;
      cur += sql.slice(i, j + 1);
      i = j + 1;
    } else if (sql[i] === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      i++;
    } else {
      cur += sql[i++];
    }
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
