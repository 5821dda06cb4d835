/**
 * A local SQS event-source mapping, reusable by any function: polls a queue on any SQS endpoint (our edge,
 * LocalStack), invokes the handler with real SQS event batches (batch size, batching window), deletes what
 * succeeded and honours `batchItemFailures`. Failed messages are simply not deleted: they reappear after the
 * queue's visibility timeout and the queue's own RedrivePolicy moves them to the DLQ after maxReceiveCount,
 * exactly as with Lambda's mapping.
 */
import {
  DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient,
} from '@aws-sdk/client-sqs';
import { succeeded, toRecord, type SqsEvent, type SqsEventRecord } from './records.ts';

export type { SqsEvent, SqsEventRecord, SqsBatchResponse } from './records.ts';

export interface SqsMappingOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: (event: SqsEvent) => Promise<unknown>;
  /** Records per invocation (Lambda: 1–10000, default 10). */
  batchSize?: number;
  /** How long to gather records before invoking (Lambda: MaximumBatchingWindowInSeconds; default 0). */
  maximumBatchingWindowMs?: number;
  /** FunctionResponseTypes: ["ReportBatchItemFailures"] (default on). */
  reportBatchItemFailures?: boolean;
  /** Long-poll wait per ReceiveMessage, seconds (kept short so stop() is quick). */
  waitTimeSeconds?: number;
  region?: string;
  onError?: (e: unknown) => void;
}

export interface MappingStats {
  invocations: number;
  records: number;
  deleted: number;
  failed: number;
  errors: number;
}

export interface SqsMapping {
  stats(): MappingStats;
  /** Resolves once no invocation is running and the last poll found nothing (tests use it to settle). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSqsMapping(o: SqsMappingOptions): Promise<SqsMapping> {
  const batchSize = o.batchSize ?? 10;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) throw new Error('batchSize must be 1..10000');
  const windowMs = o.maximumBatchingWindowMs ?? 0;
  const report = o.reportBatchItemFailures ?? true;
  const region = o.region ?? 'us-east-1';
  const { Attributes } = await o.sqs.send(new GetQueueAttributesCommand({ QueueUrl: o.queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = Attributes?.QueueArn ?? '';
  const stats: MappingStats = { invocations: 0, records: 0, deleted: 0, failed: 0, errors: 0 };
  const aborter = new AbortController();
  let stopped = false;
  let waiters: (() => void)[] = [];

  async function receive(max: number, wait: number): Promise<Message[]> {
    const out = await o.sqs.send(new ReceiveMessageCommand({
      QueueUrl: o.queueUrl,
      MaxNumberOfMessages: Math.min(10, max),
      WaitTimeSeconds: wait,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }), { abortSignal: aborter.signal });
    return out.Messages ?? [];
  }

  /** First poll long-waits; then keep gathering until the batch is full or the window has passed. */
  async function collect(): Promise<Message[]> {
    const batch = await receive(batchSize, o.waitTimeSeconds ?? 1);
    const deadline = Date.now() + windowMs;
    while (batch.length > 0 && batch.length < batchSize && Date.now() < deadline && !stopped) {
      const more = await receive(batchSize - batch.length, 0);
      if (more.length === 0) await sleep(Math.min(50, deadline - Date.now()));
      batch.push(...more);
    }
    return batch;
  }

  async function invoke(records: SqsEventRecord[]): Promise<void> {
    stats.invocations++;
    stats.records += records.length;
    let outcome: { threw: true } | { threw: false; response: unknown };
    try {
      outcome = { threw: false, response: await o.handler({ Records: records }) };
    } catch (e) {
      o.onError?.(e);
      outcome = { threw: true };
    }
    const ok = succeeded(records, outcome, report);
    stats.failed += records.length - ok.length;
    for (let i = 0; i < ok.length; i += 10) {
      const chunk = ok.slice(i, i + 10);
      await o.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: o.queueUrl, Entries: chunk.map((r, n) => ({ Id: String(n), ReceiptHandle: r.receiptHandle })) }));
      stats.deleted += chunk.length;
    }
  }

  const loop = (async () => {
    while (!stopped) {
      try {
        const batch = await collect();
        if (batch.length === 0) {
          waiters.forEach((w) => w());
          waiters = [];
          // Short polling (wait 0) would spin: pause between empty polls.
          if ((o.waitTimeSeconds ?? 1) === 0) await sleep(50);
          continue;
        }
        await invoke(batch.map((m) => toRecord(m, queueArn, region)));
      } catch (e) {
        if (stopped) break;
        stats.errors++;
        o.onError?.(e);
        await sleep(250);
      }
    }
  })();

  return {
    stats: () => ({ ...stats }),
    idle: () => new Promise<void>((resolve) => waiters.push(resolve)),
    async stop() {
      stopped = true;
      aborter.abort();
      await loop;
      waiters.forEach((w) => w());
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
