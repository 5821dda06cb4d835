/**
 * A plain-SQL migrations runner: every `NNN_name.sql` in a folder, in name order, each once, each in its own
 * transaction, recorded in `public.schema_migrations`. Works the same on PGlite and on a real Postgres.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './driver.ts';

export async function migrate(db: Db, dir: string): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS public.schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM public.schema_migrations')).map((r) => r.name));
  const applied: string[] = [];
  for (const name of readdirSync(dir).filter((f) => /^\d+_[\w-]+\.sql$/.test(f)).sort()) {
    if (done.has(name)) continue;
    const sql = readFileSync(join(dir, name), 'utf8');
    await db.transaction(async (tx) => {
      // One statement batch per file: a simple-protocol exec is what lets a file hold many statements.
      for (const stmt of splitStatements(sql)) await tx.query(stmt);
      await tx.query('INSERT INTO public.schema_migrations (name) VALUES ($1)', [name]);
    });
    applied.push(name);
  }
  return applied;
}

/** Run a seed file (idempotent SQL: ON CONFLICT DO NOTHING and the like). */
export async function runSqlFile(db: Db, file: string): Promise<void> {
  await db.exec(readFileSync(file, 'utf8'));
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
