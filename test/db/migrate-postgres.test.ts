/**
 * The `pg` driver path against a real Postgres (TEST_DATABASE_URL, a scratch database it empties; skipped with the reason when none is reachable):
 * several processes opening one fresh database at once migrate and seed it exactly once, and a second opening
 * changes nothing.
 */
import { expect } from 'chai';
import { openPackagesDatabase } from '../../emulators/stack/packages.ts';
import type { Db } from '../../proxy/db/index.ts';
import { postgresUnavailable } from '../routes/packages-harness.ts';

describe('Packages database on Postgres (pg driver)', function () {
  this.timeout(30_000);
  const opened: Db[] = [];

  before(async function () {
    // Also wipes the packages schemas, so every opening below starts from an empty database.
    const why = await postgresUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
  });
  after(async () => {
    for (const db of opened) await db.close();
  });

  it('migrates and seeds once when three openings race on an empty database', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    const results = await Promise.allSettled([1, 2, 3].map(() => openPackagesDatabase({ url })));
    for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).to.deep.equal(['ok', 'ok', 'ok']);
    const db = opened[0];
    expect(db.kind).to.equal('pg');
    const migrations = await db.query<{ name: string }>('SELECT name FROM public.schema_migrations ORDER BY name');
    expect(migrations.map((m) => m.name)).to.deep.equal(['001_platform.sql', '002_organization_schema.sql', '003_restore_jobs.sql']);
    const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM "1".packages');
    expect(n).to.equal(18);
  });

  it('reopens an up-to-date database without changing a row, and keeps the state it finds', async () => {
    const url = process.env.TEST_DATABASE_URL!;
    await opened[0].query(`UPDATE "1".packages SET state = 'READY' WHERE node_id = 'N:package:490'`);
    const again = await openPackagesDatabase({ url });
    opened.push(again);
    const [row] = await again.query<{ state: string }>(`SELECT state FROM "1".packages WHERE node_id = $1`, ['N:package:490']);
    expect(row.state).to.equal('READY');
  });

  it('rolls a failing transaction back on its own connection', async () => {
    const db = opened[0];
    const failing = db.transaction(async (tx) => {
      await tx.query(`UPDATE "1".packages SET state = 'DELETING' WHERE id = $1`, [456]);
      throw new Error('stop');
    });
    expect(await failing.then(() => 'committed', (e: Error) => e.message)).to.equal('stop');
    const [row] = await db.query<{ state: string }>(`SELECT state FROM "1".packages WHERE id = $1`, [456]);
    expect(row.state).to.equal('READY');
  });
});
