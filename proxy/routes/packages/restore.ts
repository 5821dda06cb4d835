/**
 * POST /packages/restore?dataset_id= {"nodeIds": [...]} (seed 003): the caller must be able to write the
 * dataset; each id must be a deleted package of it. Each becomes RESTORING (a collection with its deleted
 * descendants) together with a job in the restore outbox, in one transaction; then one SQS message per package
 * goes to the restore worker. The answer lists what was accepted and why the rest was not, in the seed's shape.
 * GET /packages/restore reports where one package's restore stands, its failure included.
 *
 * Crash safety (a `kill -9` at any instant): before the commit nothing changed; after it the job exists, and the
 * relay (restore-relay.ts) queues whatever was not — at the next cold start, the next restore request, or the
 * scheduled reconcile; a job lost later (message gone, worker dead) is queued again when its lease ends.
 */
import { actorOf, audit } from '../../core/audit.ts';
import { crashPoint } from '../../core/crash-point.ts';
import type { Logger } from '../../core/log.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler } from '../../core/types.ts';
import type { Db } from '../../db/driver.ts';
import { isNodeId, nodeIdParam, packageInDataset, requireDatasetRole } from './access.ts';
import { packagesOf, type PackagesServices } from './deps.ts';
import type { RestoreMessage } from './restore-message.ts';
import { dropJobs, findJob, liveJob, markQueued, writeJobs } from './restore-jobs.ts';
import { enqueue, relayRestores, type RelayDeps } from './restore-relay.ts';
import { findPackage, packageTree, transition, type DatasetAccess } from './store.ts';

const bodySchema = {
  type: 'object',
  required: ['nodeIds'],
  additionalProperties: false,
  properties: { nodeIds: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 200 } } },
};

interface Failure {
  id: string;
  error: string;
}

export const restorePackages: Handler = async (req, deps) => {
  const svc = packagesOf(deps);
  const datasetNodeId = nodeIdParam(req, 'dataset_id', ['dataset']);
  const { nodeIds } = validateBody<{ nodeIds: string[] }>(bodySchema, req.json);
  const db = await svc.db();
  const access = await requireDatasetRole(db, req, datasetNodeId, 'editor');
  const success: string[] = [];
  const failures: Failure[] = [];
  for (const id of [...new Set(nodeIds)]) {
    const error = await restoreOne(db, svc, deps.log, access, id);
    if (error) failures.push({ id, error });
    else success.push(id);
  }
  crashPoint('restore.before-answer');
  // Whatever an earlier container left unqueued goes now too; a failure here is the next relay's to retry.
  await relayRestores(relayDeps(svc, db, deps.log)).catch((e: unknown) => deps.log.warn('restore relay failed', { error: e as Error }));
  deps.log.info('restore requested', { dataset: datasetNodeId, accepted: success.length, refused: failures.length });
  audit(deps, { action: 'packages.restore', actor: actorOf(req), resource: `dataset:${datasetNodeId}`, outcome: success.length ? 'success' : 'failure',
    requestId: req.requestId, details: { accepted: success, refused: failures.map((f) => f.id) } });
  return { status: 200, body: { success, failures } };
};

export const relayDeps = (svc: PackagesServices, db: Db, log: Logger): RelayDeps => ({ db, sqs: svc.sqs, queueUrl: svc.cfg.restoreQueueUrl, leaseSeconds: svc.cfg.restoreLeaseSeconds, log });

/**
 * Mark one package (and its deleted descendants) RESTORING with a pending job each, in one transaction (the
 * outbox), then queue the jobs; the failure text, if any. A package already RESTORING is "in progress" only while
 * a job for it is on the queue or being worked on; otherwise its restore was lost, and it is queued again.
 */
async function restoreOne(db: Db, svc: PackagesServices, log: Logger, access: DatasetAccess, nodeId: string): Promise<string | undefined> {
  // What is not a node id names nothing, and never reaches SQL (a NUL in it made Postgres fail the request; npm run fuzz).
  if (!isNodeId(nodeId, ['package', 'collection'])) return 'not found';
  const pkg = await findPackage(db, access.orgId, nodeId);
  // "not found" is the seed's own wording; a package of another dataset is not found in this one.
  if (!pkg || pkg.dataset_id !== access.datasetId) return 'not found';
  if (pkg.state === 'RESTORING') return (await liveJob(db, access.orgId, pkg.id)) ? 'restore already in progress' : requeue(db, svc, log, access, pkg.id);
  if (pkg.state !== 'DELETED') return `package is not deleted (state ${pkg.state})`;
  const tree = (await packageTree(db, access.orgId, pkg.id)).filter((p) => p.state === 'DELETED');
  const jobs = await db.transaction(async (tx) => {
    const marked = await transition(tx, access.orgId, tree.map((p) => p.id), 'DELETED', 'RESTORING');
    const mine = tree.filter((p) => marked.includes(p.id))
      .map((p) => ({ organizationId: access.orgId, datasetId: access.datasetId, packageId: p.id, nodeId: p.node_id, userId: access.userId }));
    await writeJobs(tx, mine);
    return mine;
  });
  if (!jobs.some((j) => j.packageId === pkg.id)) return 'restore already in progress';
  crashPoint('restore.after-db-write');
  try {
    await enqueue(svc.sqs, svc.cfg.restoreQueueUrl, jobs);
    crashPoint('restore.after-queue');
    await markQueued(db, jobs.map((j) => ({ organization_id: j.organizationId, package_id: j.packageId })), svc.cfg.restoreLeaseSeconds);
  } catch {
    // Nothing will restore them: put them back (jobs and all) so a retry can start over, and say so.
    const ids = jobs.map((j) => j.packageId);
    await db.transaction(async (tx) => {
      await transition(tx, access.orgId, ids, 'RESTORING', 'DELETED');
      await dropJobs(tx, access.orgId, ids);
    });
    return 'could not queue the restore; try again';
  }
  return undefined;
}

/** A RESTORING package without a live job: its tree's RESTORING packages get their jobs back and are queued. */
async function requeue(db: Db, svc: PackagesServices, log: Logger, access: DatasetAccess, packageId: number): Promise<string | undefined> {
  const tree = (await packageTree(db, access.orgId, packageId)).filter((p) => p.state === 'RESTORING');
  const stale: RestoreMessage[] = [];
  for (const p of tree) {
    if (!(await liveJob(db, access.orgId, p.id))) stale.push({ organizationId: access.orgId, datasetId: access.datasetId, packageId: p.id, nodeId: p.node_id, userId: access.userId });
  }
  await db.transaction((tx) => writeJobs(tx, stale));
  try {
    await relayRestores(relayDeps(svc, db, log), { only: { orgId: access.orgId, packageIds: stale.map((j) => j.packageId) } });
  } catch {
    return 'could not queue the restore; try again';
  }
  return undefined;
}

/** GET /packages/restore?dataset_id=&package_id= — where a package's restore stands, failures included. */
export const restoreStatus: Handler = async (req, deps) => {
  const svc = packagesOf(deps);
  const datasetNodeId = nodeIdParam(req, 'dataset_id', ['dataset']);
  const packageNodeId = nodeIdParam(req, 'package_id', ['package', 'collection']);
  const db = await svc.db();
  const access = await requireDatasetRole(db, req, datasetNodeId, 'viewer');
  const pkg = await packageInDataset(db, access, packageNodeId);
  const job = await findJob(db, access.orgId, pkg.id);
  const iso = (t: string | Date | null) => (t === null ? null : new Date(t).toISOString());
  return {
    status: 200,
    body: {
      id: pkg.node_id,
      state: pkg.state,
      restore: job ? { status: job.status, attempts: job.attempts, error: job.error, requestedAt: iso(job.requested_at), updatedAt: iso(job.updated_at) } : null,
    },
  };
};
