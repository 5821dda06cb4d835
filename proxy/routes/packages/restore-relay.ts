/**
 * The relay between the restore outbox and the queue, and the reconciler behind it. `relayRestores` queues what
 * the database says should be in flight and is not known to be: pending jobs (a container died between its
 * commit and its SendMessageBatch, or the send failed), and queued or running jobs whose lease ran out (the
 * message was lost, or went to the DLQ, or the worker died with it). It runs at every cold start of the packages
 * function, after every restore request, and on the `reconcile` schedule (which also adopts packages left
 * RESTORING with no job at all). A job queued twice is harmless: the worker is idempotent.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '../../core/log.ts';
import type { Db } from '../../db/driver.ts';
import { encodeRestoreMessage, type RestoreMessage } from './restore-message.ts';
import { adoptOrphans, jobsToQueue, markQueued, messageOf } from './restore-jobs.ts';

export interface RelayDeps {
  db: Db;
  sqs: SQSClient;
  queueUrl: string;
  /** How long a queued or running job is believed in flight before it is queued again. */
  leaseSeconds: number;
  log: Logger;
}

/** SendMessageBatch takes at most 10 entries (SQS API reference, SendMessageBatch); throws if any is refused. */
export async function enqueue(sqs: SQSClient, queueUrl: string, jobs: RestoreMessage[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 10) {
    const chunk = jobs.slice(i, i + 10);
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk.map((j, n) => ({ Id: String(n), MessageBody: encodeRestoreMessage(j) })) }));
    if (out.Failed?.length) throw new Error(`${out.Failed.length} restore messages were not queued`);
  }
}

export interface RelayReport {
  adopted: number;
  queued: number;
}

export async function relayRestores(d: RelayDeps, o: { adoptOrphans?: boolean; only?: { orgId: number; packageIds: number[] }; limit?: number } = {}): Promise<RelayReport> {
  const adopted = o.adoptOrphans ? await adoptOrphans(d.db) : 0;
  const jobs = await jobsToQueue(d.db, o.limit ?? 100, o.only);
  if (jobs.length) {
    await enqueue(d.sqs, d.queueUrl, jobs.map(messageOf));
    await markQueued(d.db, jobs, d.leaseSeconds);
    d.log.info('restore jobs queued by the relay', { queued: jobs.length, adopted });
  }
  return { adopted, queued: jobs.length };
}
