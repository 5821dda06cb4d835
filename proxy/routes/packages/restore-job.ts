/**
 * What the restore worker does for one message: remove the S3 delete markers in front of the package's objects
 * (its files and its viewer assets), then set the package back to READY. Idempotent: a redelivered message finds
 * no marker and a package no longer RESTORING, and changes nothing.
 */
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Db } from '../../db/driver.ts';
import { assetPrefix } from './assets.ts';
import type { RestoreMessage } from './restore-message.ts';
import { findPackageById, packageFiles, transition } from './store.ts';

export type JobOutcome = 'restored' | 'already-done';

/** A job that can never succeed (unknown package, wrong dataset): retrying is pointless, the DLQ will keep it. */
export class PoisonJob extends Error {}

export async function runRestoreJob(db: Db, s3: S3Client, viewerAssetsBucket: string, job: RestoreMessage): Promise<JobOutcome> {
  const pkg = await findPackageById(db, job.organizationId, job.packageId).catch(() => undefined);
  if (!pkg || pkg.dataset_id !== job.datasetId || pkg.node_id !== job.nodeId) throw new PoisonJob(`package ${job.nodeId} does not exist in dataset ${job.datasetId}`);
  if (pkg.state !== 'RESTORING') return 'already-done';
  const targets = [
    ...(await packageFiles(db, job.organizationId, pkg.id)).map((f) => ({ bucket: f.s3_bucket, prefix: f.s3_key, exact: true })),
    { bucket: viewerAssetsBucket, prefix: assetPrefix(job.organizationId, job.datasetId, pkg.id), exact: false },
  ];
  for (const t of targets) await removeDeleteMarkers(s3, t.bucket, t.prefix, t.exact);
  await transition(db, job.organizationId, [pkg.id], 'RESTORING', 'READY');
  return 'restored';
}

/**
 * Deleting a delete marker by its versionId makes the previous version current again (S3 docs, "Removing
 * delete markers"); only markers that are the latest version stand in front of an object.
 */
async function removeDeleteMarkers(s3: S3Client, bucket: string, prefix: string, exact: boolean): Promise<void> {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker, VersionIdMarker }));
    for (const m of page.DeleteMarkers ?? []) {
      if (!m.IsLatest || (exact && m.Key !== prefix)) continue;
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: m.Key!, VersionId: m.VersionId! }));
    }
    [KeyMarker, VersionIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextVersionIdMarker] : [undefined, undefined];
  } while (KeyMarker);
}
