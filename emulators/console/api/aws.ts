/**
 * AWS resources on the stack's AWS endpoint, through the SDK, and the CloudFront edge's counters:
 *
 *   GET  /api/aws/dynamodb                         tables with key schema and item count
 *   GET  /api/aws/dynamodb/:table?limit=&start=    a page of items (start: the previous page's `next`); secret
 *                                                  attributes masked as the recorder masks them
 *   GET  /api/aws/sqs                              queues: visible and in-flight counts, DLQ and its sources
 *   GET  /api/aws/sqs/messages?queue=              up to 10 messages of a queue (a DLQ's contents), left in it
 *   POST /api/aws/sqs/redrive                      {"queue": DLQ url} → its messages moved back to their source
 *   GET  /api/cloudfront                           the edge's hits, misses, denials and cache
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bad, field, int, text, type ApiRoute } from '../app.ts';
import { aws } from '../aws-clients.ts';
import type { ConsoleDeps } from '../deps.ts';
import { sdk } from '../sdk-loader.ts';

const TABLE = /^[\w.-]{3,255}$/;
const QUEUE_URL = /^https?:\/\/[^\s]{1,2000}$/;

/** The attributes the recorder masks in DynamoDB items and its sensitive field names (fixtures/redaction.json). */
const MASKED = (() => {
  const rules = JSON.parse(readFileSync(fileURLToPath(new URL('../../../fixtures/redaction.json', import.meta.url)), 'utf8'));
  return new Set<string>([...rules.aws.dynamodbAttributes, ...rules.bodyFields].map((s: string) => s.toLowerCase()));
})();

function maskItem(item: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, MASKED.has(k.toLowerCase()) ? '••••••' : v]));
}

function startKey(raw: string | null): Record<string, unknown> | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw bad('invalid_query', 'start must be the `next` value of the previous page');
}

export const awsRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/aws/dynamodb',
    handler: async (_req, deps) => {
      const { ListTablesCommand, DescribeTableCommand } = await sdk();
      const ddb = await deps.aws.dynamodb();
      const { TableNames = [] } = await aws('DynamoDB ListTables', () => ddb.send(new ListTablesCommand({ Limit: 100 })));
      const tables = await Promise.all(TableNames.map(async (name) => {
        const t = (await aws(`DynamoDB DescribeTable ${name}`, () => ddb.send(new DescribeTableCommand({ TableName: name })))).Table;
        return { name, items: t?.ItemCount ?? null, keys: (t?.KeySchema ?? []).map((k) => `${k.AttributeName} (${k.KeyType})`), status: t?.TableStatus };
      }));
      return { json: { tables } };
    },
  },
  {
    method: 'GET', path: '/api/aws/dynamodb/:table',
    handler: async (req, deps) => {
      const table = text(req.params.table, 'table', { max: 255, pattern: TABLE });
      const limit = int(req.query.get('limit'), 'limit', 1, 200, 25);
      // The document client hands items back as plain values (and takes the start key as one).
      const { DynamoDBDocumentClient, ScanCommand } = await sdk();
      const doc = DynamoDBDocumentClient.from(await deps.aws.dynamodb());
      const page = await aws(`DynamoDB Scan ${table}`, () => doc.send(new ScanCommand({ TableName: table, Limit: limit, ExclusiveStartKey: startKey(req.query.get('start')) })));
      const items = (page.Items ?? []).map((i) => maskItem(i));
      const next = page.LastEvaluatedKey ? Buffer.from(JSON.stringify(page.LastEvaluatedKey)).toString('base64url') : null;
      return { json: { table, items, next } };
    },
  },
  {
    method: 'GET', path: '/api/aws/sqs',
    handler: async (_req, deps) => {
      const { ListQueuesCommand, GetQueueAttributesCommand } = await sdk();
      const sqs = await deps.aws.sqs();
      const { QueueUrls = [] } = await aws('SQS ListQueues', () => sqs.send(new ListQueuesCommand({ MaxResults: 1000 })));
      const queues = await Promise.all(QueueUrls.map(async (url) => {
        const a = (await aws(`SQS GetQueueAttributes ${url}`, () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))).Attributes ?? {};
        const redrive = a.RedrivePolicy ? (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number }) : undefined;
        return { url, name: url.split('/').pop()!, arn: a.QueueArn, visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0), delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0), dlqArn: redrive?.deadLetterTargetArn ?? null, maxReceiveCount: redrive?.maxReceiveCount ?? null };
      }));
      // A queue some other queue names as its dead-letter target is a DLQ: the page offers to redrive it.
      const withSources = queues.map((q) => ({ ...q, sources: queues.filter((o) => o.dlqArn === q.arn).map((o) => o.name) }));
      return { json: { queues: withSources } };
    },
  },
  {
    method: 'GET', path: '/api/aws/sqs/messages',
    handler: async (req, deps) => {
      const queue = text(req.query.get('queue'), 'queue', { max: 2048, pattern: QUEUE_URL });
      const { ReceiveMessageCommand, ChangeMessageVisibilityBatchCommand } = await sdk();
      const sqs = await deps.aws.sqs();
      const got = await aws('SQS ReceiveMessage', () => sqs.send(new ReceiveMessageCommand({ QueueUrl: queue, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] })));
      const messages = got.Messages ?? [];
      // Looked at, not taken: visible again at once (the receive count still grows, as in the AWS console's poll).
      if (messages.length) await aws('SQS ChangeMessageVisibilityBatch', () => sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queue, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })) })));
      return { json: { queue, messages: messages.map((m) => ({ id: m.MessageId, body: m.Body, attributes: m.Attributes, messageAttributes: m.MessageAttributes })) } };
    },
  },
  {
    method: 'POST', path: '/api/aws/sqs/redrive',
    handler: async (req, deps) => {
      const dlq = text(field(req.json, 'queue'), 'queue', { max: 2048, pattern: QUEUE_URL });
      const { GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, ReceiveMessageCommand, SendMessageBatchCommand, DeleteMessageBatchCommand } = await sdk();
      const sqs = await deps.aws.sqs();
      const { queueUrls = [] } = await aws('SQS ListDeadLetterSourceQueues', () => sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq })));
      if (queueUrls.length !== 1) throw bad('no_single_source', queueUrls.length ? `${queueUrls.length} queues send to this DLQ; redrive needs exactly one source` : 'no queue names this one as its dead-letter queue');
      const source = queueUrls[0];
      const before = Number((await aws('SQS GetQueueAttributes', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['ApproximateNumberOfMessages'] })))).Attributes?.ApproximateNumberOfMessages ?? 0);
      // Moved in batches of 10: sent to the source first, deleted from the DLQ after, so a failure between the two
      // leaves a message in both (delivered again) rather than in neither.
      let moved = 0;
      for (let round = 0; round < 1000 && moved < before; round++) {
        const got = await aws('SQS ReceiveMessage', () => sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] })));
        const msgs = got.Messages ?? [];
        if (!msgs.length) break;
        const sent = await aws('SQS SendMessageBatch', () => sqs.send(new SendMessageBatchCommand({ QueueUrl: source, Entries: msgs.map((m, i) => ({ Id: String(i), MessageBody: m.Body!, MessageAttributes: m.MessageAttributes })) })));
        const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
        const done = msgs.filter((_m, i) => ok.has(String(i)));
        if (done.length) await aws('SQS DeleteMessageBatch', () => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlq, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) })));
        moved += done.length;
        if (sent.Failed?.length) throw bad('redrive_failed', `moved ${moved}; ${sent.Failed.length} could not be sent back: ${sent.Failed[0].Message ?? sent.Failed[0].Code}`);
      }
      return { json: { from: dlq, to: source, moved } };
    },
  },
  {
    method: 'GET', path: '/api/cloudfront',
    handler: async (_req, deps) => {
      const s = await deps.fakes.json<Record<string, any>>('cloudfront', '/__admin/state');
      return { json: { distribution: s.distribution, requests: s.requests, cache: { hits: s.cache?.hits, misses: s.cache?.misses, entries: s.cache?.entries, bytes: s.cache?.bytes, keys: (s.cache?.keys ?? []).slice(0, 100) }, denials: s.denials, keyPairId: s.signingKey?.keyPairId } };
    },
  },
];
