/**
 * Every SQL statement about restore jobs (packages_service.restore_jobs, migration 003): the outbox rows the
 * route writes with the state change, the relay's and reconciler's picks, and the worker's claim and verdict.
 * Times are the database's (now()), so every container and the worker agree on what a lease means.
 */
import type { Queryable } from '../../db/driver.ts';
import type { RestoreMessage } from './restore-message.ts';
import { schema } from './store.ts';

export type JobStatus = 'pending' | 'queued' | 'running' | 'done' | 'failed';

export interface JobRow {
  organization_id: number;
  package_id: number;
  node_id: string;
  dataset_id: number;
  user_id: number | null;
  status: JobStatus;
  attempts: number;
  lease_until: string | Date | null;
  error: string | null;
  requested_at: string | Date;
  updated_at: string | Date;
}

const T = 'packages_service.restore_jobs';

export const messageOf = (j: JobRow): RestoreMessage => ({ organizationId: j.organization_id, datasetId: j.dataset_id, packageId: j.package_id, nodeId: j.node_id, userId: j.user_id ?? 0 });

/** New jobs (or a finished job of the same package started over), pending until the relay has queued them. */
export async function writeJobs(tx: Queryable, jobs: RestoreMessage[]): Promise<void> {
  for (const j of jobs) {
    await tx.query(
      `INSERT INTO ${T} (organization_id, package_id, node_id, dataset_id, user_id, status) VALUES ($1, $2, $3, $4, $5, 'pending')
       ON CONFLICT (organization_id, package_id) DO UPDATE SET node_id = EXCLUDED.node_id, dataset_id = EXCLUDED.dataset_id, user_id = EXCLUDED.user_id,
         status = 'pending', attempts = 0, lease_until = NULL, error = NULL, requested_at = now(), updated_at = now()`,
      [j.organizationId, j.packageId, j.nodeId, j.datasetId, j.userId]);
  }
}

export async function findJob(db: Queryable, orgId: number, packageId: number): Promise<JobRow | undefined> {
  const [row] = await db.query<JobRow>(`SELECT * FROM ${T} WHERE organization_id = $1 AND package_id = $2`, [orgId, packageId]);
  return row;
}

/** A job that is on the queue or being worked on, by its lease: "restore already in progress" is true only then. */
export async function liveJob(db: Queryable, orgId: number, packageId: number): Promise<boolean> {
  const rows = await db.query(`SELECT 1 FROM ${T} WHERE organization_id = $1 AND package_id = $2 AND status IN ('queued', 'running') AND lease_until > now()`, [orgId, packageId]);
  return rows.length > 0;
}

/** Jobs the relay should queue now: pending ones, and queued or running ones whose lease ran out (taken for lost). */
export async function jobsToQueue(db: Queryable, limit: number, only?: { orgId: number; packageIds: number[] }): Promise<JobRow[]> {
  const scope = only ? 'AND organization_id = $2 AND package_id = ANY($3::int[])' : '';
  return db.query<JobRow>(
    `SELECT * FROM ${T} WHERE (status = 'pending' OR (status IN ('queued', 'running') AND lease_until < now())) ${scope} ORDER BY requested_at LIMIT $1`,
    only ? [limit, only.orgId, only.packageIds] : [limit]);
}

/** After SendMessageBatch: these jobs are on the queue, believed in flight until the lease ends. */
export async function markQueued(db: Queryable, jobs: Pick<JobRow, 'organization_id' | 'package_id'>[], leaseSeconds: number): Promise<void> {
  for (const j of jobs) {
    await db.query(
      `UPDATE ${T} SET status = 'queued', lease_until = now() + make_interval(secs => $3), updated_at = now()
        WHERE organization_id = $1 AND package_id = $2 AND status IN ('pending', 'queued', 'running')`,
      [j.organization_id, j.package_id, leaseSeconds]);
  }
}

/** Packages left RESTORING with no job at all (from before the outbox, or put there by hand): given a pending job. */
export async function adoptOrphans(db: Queryable): Promise<number> {
  const orgs = await db.query<{ id: number }>('SELECT id FROM pennsieve.organizations ORDER BY id');
  let adopted = 0;
  for (const { id } of orgs) {
    const rows = await db.query(
      `INSERT INTO ${T} (organization_id, package_id, node_id, dataset_id, status)
       SELECT $1, p.id, p.node_id, p.dataset_id, 'pending' FROM ${schema(id)}.packages p WHERE p.state = 'RESTORING'
       ON CONFLICT (organization_id, package_id) DO UPDATE SET status = 'pending', attempts = 0, lease_until = NULL, error = NULL, updated_at = now()
         WHERE ${T}.status IN ('done', 'failed')
       RETURNING package_id`, [id]);
    adopted += rows.length;
  }
  return adopted;
}

/** The worker takes an open job for one attempt; undefined when the package has no open job (a stale message). */
export async function claimJob(db: Queryable, m: RestoreMessage, leaseSeconds: number): Promise<{ attempts: number } | undefined> {
  const [row] = await db.query<{ attempts: number }>(
    `UPDATE ${T} SET status = 'running', attempts = attempts + 1, lease_until = now() + make_interval(secs => $3), updated_at = now()
      WHERE organization_id = $1 AND package_id = $2 AND status IN ('pending', 'queued', 'running') RETURNING attempts`,
    [m.organizationId, m.packageId, leaseSeconds]);
  return row;
}

export async function finishJob(tx: Queryable, m: RestoreMessage, status: 'done' | 'failed', error?: string): Promise<void> {
  await tx.query(`UPDATE ${T} SET status = $3, lease_until = NULL, error = $4, updated_at = now() WHERE organization_id = $1 AND package_id = $2`,
    [m.organizationId, m.packageId, status, error ?? null]);
}

/** The route could not queue them: the packages go back to DELETED, so their jobs go too. */
export async function dropJobs(tx: Queryable, orgId: number, packageIds: number[]): Promise<void> {
  await tx.query(`DELETE FROM ${T} WHERE organization_id = $1 AND package_id = ANY($2::int[])`, [orgId, packageIds]);
}
