/**
 * What the restore worker does for one message: take the package's job for one attempt (a lease, so the relay
 * leaves it alone), remove the S3 delete markers in front of the package's objects (its files and its viewer
 * assets), then set the package back to READY and the job done in one transaction. Idempotent: a redelivered or
 * duplicate message finds no marker and a package no longer RESTORING, and changes nothing; a `kill -9` between
 * S3 and the database leaves the package RESTORING with its message, which comes back and finishes the job.
 * The last allowed attempt that fails puts the package back to DELETED with the job `failed` and its error,
 * which GET /packages/restore reports: no package stays RESTORING for a job that will never run.
 */
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { crashPoint } from '../../core/crash-point.ts';
import type { Db } from '../../db/driver.ts';
import { assetPrefix } from './assets.ts';
import type { RestoreMessage } from './restore-message.ts';
import { claimJob, finishJob } from './restore-jobs.ts';
import { findPackageById, packageFiles, transition } from './store.ts';

export type JobOutcome = 'restored' | 'already-done' | 'gave-up';

export interface JobLimits {
  /** Attempts before the package goes back to DELETED with the failure recorded. */
  maxAttempts: number;
  /** How long one attempt holds the job before the relay may queue it again. */
  leaseSeconds: number;
}

/** A job that can never succeed (unknown package, wrong dataset): retrying is pointless, the DLQ will keep it. */
export class PoisonJob extends Error {}

export async function runRestoreJob(db: Db, s3: S3Client, viewerAssetsBucket: string, job: RestoreMessage, limits: JobLimits): Promise<JobOutcome> {
  const pkg = await findPackageById(db, job.organizationId, job.packageId).catch(() => undefined);
  if (!pkg || pkg.dataset_id !== job.datasetId || pkg.node_id !== job.nodeId) throw new PoisonJob(`package ${job.nodeId} does not exist in dataset ${job.datasetId}`);
  if (pkg.state !== 'RESTORING') return 'already-done';
  // No open job: a message from before the outbox, or a package put RESTORING by hand; restored all the same,
  // and left to the queue's own retries and DLQ if it fails.
  const claim = await claimJob(db, job, limits.leaseSeconds);
  try {
    const targets = [
      ...(await packageFiles(db, job.organizationId, pkg.id)).map((f) => ({ bucket: f.s3_bucket, prefix: f.s3_key, exact: true })),
      { bucket: viewerAssetsBucket, prefix: assetPrefix(job.organizationId, job.datasetId, pkg.id), exact: false },
    ];
    for (const t of targets) await removeDeleteMarkers(s3, t.bucket, t.prefix, t.exact);
    crashPoint('restore-worker.after-s3');
    await db.transaction(async (tx) => {
      await transition(tx, job.organizationId, [pkg.id], 'RESTORING', 'READY');
      await finishJob(tx, job, 'done');
    });
    return 'restored';
  } catch (e) {
    if (!claim || claim.attempts < limits.maxAttempts) throw e;
    await db.transaction(async (tx) => {
      await transition(tx, job.organizationId, [pkg.id], 'RESTORING', 'DELETED');
      await finishJob(tx, job, 'failed', `restore failed after ${claim.attempts} attempts: ${String((e as Error).message ?? e).slice(0, 500)}`);
    });
    return 'gave-up';
  }
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
