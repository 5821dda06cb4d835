/**
 * Every SQL statement of the packages service. Organisation schemas are named by integer id ("1", "2"); the id
 * comes from the database, is checked to be an integer and is quoted, never taken from the request.
 */
import type { Queryable } from '../../db/driver.ts';

export type Role = 'viewer' | 'editor' | 'manager' | 'owner';
export const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, manager: 3, owner: 4 };

export interface DatasetAccess {
  orgId: number;
  datasetId: number;
  userId: number;
  /** Undefined: the dataset exists in one of the user's organisations but the user has no role on it. */
  role?: Role;
}

export interface PackageRow {
  id: number;
  node_id: string;
  name: string;
  type: string;
  state: string;
  dataset_id: number;
  parent_id: number | null;
}

export interface FileRow {
  s3_bucket: string;
  s3_key: string;
}

export const schema = (orgId: number): string => {
  if (!Number.isSafeInteger(orgId) || orgId <= 0) throw new Error(`bad organisation id ${orgId}`);
  return `"${orgId}"`;
};

/** The dataset among the caller's organisations, with the caller's role on it. */
export async function findDatasetAccess(db: Queryable, email: string, datasetNodeId: string): Promise<DatasetAccess | undefined> {
  const orgs = await db.query<{ organization_id: number; user_id: number }>(
    `SELECT ou.organization_id, u.id AS user_id FROM pennsieve.users u
       JOIN pennsieve.organization_user ou ON ou.user_id = u.id
      WHERE lower(u.email) = lower($1) ORDER BY ou.organization_id`, [email]);
  for (const { organization_id: orgId, user_id: userId } of orgs) {
    const [row] = await db.query<{ id: number; role: Role | null }>(
      `SELECT d.id, du.role FROM ${schema(orgId)}.datasets d
         LEFT JOIN ${schema(orgId)}.dataset_user du ON du.dataset_id = d.id AND du.user_id = $2
        WHERE d.node_id = $1`, [datasetNodeId, userId]);
    if (row) return { orgId, datasetId: row.id, userId, role: row.role ?? undefined };
  }
  return undefined;
}

const PACKAGE_COLUMNS = 'id, node_id, name, type, state, dataset_id, parent_id';

export async function findPackage(db: Queryable, orgId: number, nodeId: string): Promise<PackageRow | undefined> {
  const [row] = await db.query<PackageRow>(`SELECT ${PACKAGE_COLUMNS} FROM ${schema(orgId)}.packages WHERE node_id = $1`, [nodeId]);
  return row;
}

export async function findPackageById(db: Queryable, orgId: number, id: number): Promise<PackageRow | undefined> {
  const [row] = await db.query<PackageRow>(`SELECT ${PACKAGE_COLUMNS} FROM ${schema(orgId)}.packages WHERE id = $1`, [id]);
  return row;
}

/** A package and everything below it (collections nest), parents first. */
export async function packageTree(db: Queryable, orgId: number, id: number): Promise<PackageRow[]> {
  return db.query<PackageRow>(
    `WITH RECURSIVE tree AS (
       SELECT ${PACKAGE_COLUMNS}, 0 AS depth FROM ${schema(orgId)}.packages WHERE id = $1
       UNION ALL
       SELECT p.id, p.node_id, p.name, p.type, p.state, p.dataset_id, p.parent_id, t.depth + 1
         FROM ${schema(orgId)}.packages p JOIN tree t ON p.parent_id = t.id)
     SELECT ${PACKAGE_COLUMNS} FROM tree ORDER BY depth, id`, [id]);
}

/** Move packages from one state to another; only rows still in `from` change (safe against races and replays). */
export async function transition(db: Queryable, orgId: number, ids: number[], from: string, to: string): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ id: number }>(
    `UPDATE ${schema(orgId)}.packages SET state = $3, updated_at = now() WHERE id = ANY($1::int[]) AND state = $2 RETURNING id`,
    [ids, from, to]);
  return rows.map((r) => r.id);
}

export async function packageFiles(db: Queryable, orgId: number, packageId: number): Promise<FileRow[]> {
  return db.query<FileRow>(`SELECT s3_bucket, s3_key FROM ${schema(orgId)}.files WHERE package_id = $1 ORDER BY id`, [packageId]);
}
