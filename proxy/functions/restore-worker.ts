/**
 * The restore worker function (seed 003, "Restore Lambda"): fed by the restore queue through an SQS event-source
 * mapping with ReportBatchItemFailures. Each record is one package; records that fail are reported in
 * `batchItemFailures` so only they come back (and reach the DLQ after maxReceiveCount), the rest are deleted.
 */
import { EnvReader } from '../core/config.ts';
import type { HttpClient } from '../core/http-client.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { openDatabase, type Db } from '../db/index.ts';
import { packagesAwsClients, type PackagesAws } from '../routes/packages/aws.ts';
import { parseRestoreMessage } from '../routes/packages/restore-message.ts';
import { PoisonJob, runRestoreJob } from '../routes/packages/restore-job.ts';
import { restoreLeaseSeconds } from '../routes/packages/config.ts';

/** The SQS event Lambda delivers (AWS Lambda docs, "Using Lambda with Amazon SQS", example event). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}
export interface SqsEvent {
  Records: SqsRecord[];
}
/** Partial batch response (AWS Lambda docs, "Reporting batch item failures"). */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export interface BuildWorkerOptions {
  env?: Record<string, string | undefined>;
  log?: Logger;
  /** Outbound client for the AWS clients built here (recording, playback); a client of its own otherwise. */
  http?: HttpClient;
  aws?: PackagesAws;
  openDb?: () => Promise<Db>;
}

export type RestoreWorker = (event: SqsEvent) => Promise<SqsBatchResponse>;

export async function buildRestoreWorker(opts: BuildWorkerOptions = {}): Promise<RestoreWorker> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ name: 'restore-worker' });
  const r = new EnvReader(env);
  const bucket = r.required('VIEWER_ASSETS_BUCKET', 'S3 bucket of package assets');
  // At most the queue's maxReceiveCount (3), so the worker records the failure before the DLQ takes the message.
  const limits = { maxAttempts: r.int('RESTORE_MAX_ATTEMPTS', 3, 1, 100), leaseSeconds: restoreLeaseSeconds(r) };
  const databaseUrl = r.optional('DATABASE_URL');
  if (!databaseUrl && env.AWS_LAMBDA_FUNCTION_NAME) r.problems.push('DATABASE_URL is required in Lambda (RDS Proxy endpoint)');
  r.done();
  const aws = opts.aws ?? packagesAwsClients(env, opts.http);
  const db = await (opts.openDb ?? (() => openDatabase({ url: databaseUrl, dataDir: r.optional('PGLITE_DIR') })))();
  return async (event) => {
    const batchItemFailures: { itemIdentifier: string }[] = [];
    // One at a time: restores of one collection touch the same rows, and a batch is at most a few packages.
    for (const record of event.Records ?? []) {
      const job = parseRestoreMessage(record.body);
      try {
        if (!job) throw new PoisonJob('not a restore job');
        const outcome = await runRestoreJob(db, aws.s3, bucket, job, limits);
        if (outcome === 'gave-up') log.warn('restore job failed for good: the package is DELETED again', { messageId: record.messageId, nodeId: job.nodeId });
        else log.info('restore job done', { messageId: record.messageId, nodeId: job.nodeId, outcome });
      } catch (e) {
        log.warn('restore job failed', { messageId: record.messageId, poison: e instanceof PoisonJob, error: e as Error });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

let worker: Promise<RestoreWorker> | undefined;

export const handler = async (event: SqsEvent): Promise<SqsBatchResponse> => {
  // Built once per cold start; a failed build is not cached.
  worker ??= buildRestoreWorker().catch((e) => {
    worker = undefined;
    throw e;
  });
  return (await worker)(event);
};
