/**
 * Who may touch which dataset (seed 003: dataset-level permissions for every operation). The caller is the
 * gateway-verified email; a dataset outside the caller's organisations and a dataset without a role on it look
 * the same (403), so the answer never reveals what exists elsewhere.
 */
import { ProxyError, badRequest, forbidden, notFound, unauthorized } from '../../core/errors.ts';
import type { RouteRequest } from '../../core/types.ts';
import type { Queryable } from '../../db/driver.ts';
import { ROLE_RANK, findDatasetAccess, findPackage, type DatasetAccess, type PackageRow, type Role } from './store.ts';

/** Node ids as Pennsieve writes them: N:<kind>:<id>. */
const NODE_ID = /^N:(dataset|package|collection):[A-Za-z0-9-]{1,64}$/;

/** Whether `v` is a node id of one of `kinds`. */
export function isNodeId(v: string, kinds: string[]): boolean {
  const m = NODE_ID.exec(v);
  return !!m && kinds.includes(m[1]);
}

export function nodeIdParam(req: RouteRequest, name: string, kinds: string[]): string {
  const v = req.query.get(name);
  if (v === null || v === '') throw badRequest('missing_parameter', `query parameter ${name} is required`);
  const m = NODE_ID.exec(v);
  if (!m || !kinds.includes(m[1])) throw badRequest('invalid_parameter', `${name} must be a node id (N:${kinds.join('|')}:…)`);
  return v;
}

export async function requireDatasetRole(db: Queryable, req: RouteRequest, datasetNodeId: string, min: Role): Promise<DatasetAccess> {
  if (!req.identity) throw unauthorized('login_required', 'this route needs a signed-in user');
  const access = await findDatasetAccess(db, req.identity.email, datasetNodeId);
  if (!access?.role || ROLE_RANK[access.role] < ROLE_RANK[min]) {
    throw forbidden('dataset_forbidden', `you need ${min} permission on dataset ${datasetNodeId}`);
  }
  return access;
}

/** The package, which must belong to the dataset (ownership through the dataset relationship, seed 003). */
export async function packageInDataset(db: Queryable, access: DatasetAccess, packageNodeId: string): Promise<PackageRow> {
  const pkg = await findPackage(db, access.orgId, packageNodeId);
  if (!pkg || pkg.dataset_id !== access.datasetId) throw notFound('package_not_found', `package ${packageNodeId} is not in this dataset`);
  return pkg;
}

/** Packages whose bytes are gone or in flux cannot be downloaded. */
const UNAVAILABLE = new Set(['DELETED', 'DELETING', 'RESTORING']);

export function requireAvailable(pkg: PackageRow): void {
  if (UNAVAILABLE.has(pkg.state)) throw new ProxyError(409, 'package_unavailable', `package ${pkg.node_id} is ${pkg.state.toLowerCase()}`);
}
