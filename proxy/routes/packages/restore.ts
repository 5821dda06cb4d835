/**
 * POST /packages/restore?dataset_id= {"nodeIds": [...]} (seed 003): the caller must be able to write the
 * dataset; each id must be a deleted package of it. Each becomes RESTORING (a collection with its deleted
 * descendants) and one SQS message per package goes to the restore worker. The answer lists what was accepted
 * and why the rest was not, in the seed's shape.
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { actorOf, audit } from '../../core/audit.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler } from '../../core/types.ts';
import type { Db } from '../../db/driver.ts';
import { isNodeId, nodeIdParam, requireDatasetRole } from './access.ts';
import { packagesOf, type PackagesServices } from './deps.ts';
import { encodeRestoreMessage, type RestoreMessage } from './restore-message.ts';
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
    const error = await restoreOne(db, svc, access, id);
    if (error) failures.push({ id, error });
    else success.push(id);
  }
  deps.log.info('restore requested', { dataset: datasetNodeId, accepted: success.length, refused: failures.length });
  audit(deps, { action: 'packages.restore', actor: actorOf(req), resource: `dataset:${datasetNodeId}`, outcome: success.length ? 'success' : 'failure',
    requestId: req.requestId, details: { accepted: success, refused: failures.map((f) => f.id) } });
  return { status: 200, body: { success, failures } };
};

/** Mark one package (and its deleted descendants) RESTORING and enqueue them; the failure text, if any. */
async function restoreOne(db: Db, svc: PackagesServices, access: DatasetAccess, nodeId: string): Promise<string | undefined> {
  // What is not a node id names nothing, and never reaches SQL (a NUL in it made Postgres fail the request; npm run fuzz).
  if (!isNodeId(nodeId, ['package', 'collection'])) return 'not found';
  const pkg = await findPackage(db, access.orgId, nodeId);
  // "not found" is the seed's own wording; a package of another dataset is not found in this one.
  if (!pkg || pkg.dataset_id !== access.datasetId) return 'not found';
  if (pkg.state === 'RESTORING') return 'restore already in progress';
  if (pkg.state !== 'DELETED') return `package is not deleted (state ${pkg.state})`;
  const tree = (await packageTree(db, access.orgId, pkg.id)).filter((p) => p.state === 'DELETED');
  const marked = await transition(db, access.orgId, tree.map((p) => p.id), 'DELETED', 'RESTORING');
  if (!marked.includes(pkg.id)) return 'restore already in progress';
  const jobs: RestoreMessage[] = tree.filter((p) => marked.includes(p.id))
    .map((p) => ({ organizationId: access.orgId, datasetId: access.datasetId, packageId: p.id, nodeId: p.node_id, userId: access.userId }));
  try {
    await enqueue(svc, jobs);
  } catch {
    // Nothing will restore them: put them back so a retry can start over.
    await transition(db, access.orgId, marked, 'RESTORING', 'DELETED');
    return 'could not queue the restore; try again';
  }
  return undefined;
}

async function enqueue(svc: PackagesServices, jobs: RestoreMessage[]): Promise<void> {
  // SendMessageBatch takes at most 10 entries (SQS API reference, SendMessageBatch).
  for (let i = 0; i < jobs.length; i += 10) {
    const chunk = jobs.slice(i, i + 10);
    const out = await svc.sqs.send(new SendMessageBatchCommand({
      QueueUrl: svc.cfg.restoreQueueUrl,
      Entries: chunk.map((j, n) => ({ Id: String(n), MessageBody: encodeRestoreMessage(j) })),
    }));
    if (out.Failed?.length) throw new Error(`${out.Failed.length} restore messages were not queued`);
  }
}
