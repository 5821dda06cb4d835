/**
 * SQS wire layer for the AWS JSON protocol (`X-Amz-Target: AmazonSQS.<Op>`, `application/x-amz-json-1.0`), the
 * protocol current SDKs use. One function per operation in a table; shapes follow the SQS API reference.
 */
import { ACCOUNT_ID, SqsStore, type Message, type Queue } from './state.ts';
import { SqsError, errors } from './errors.ts';
import { DEFAULTS, isKnownAttribute } from './attributes.ts';
import { md5OfMessageAttributes, type MessageAttributeValue } from './md5.ts';
import { readers } from './input.ts';
import type { CallContext, JsonService } from '../edge.ts';

type Input = Record<string, unknown>;
type Op = (input: Input, ctx: CallContext) => unknown;

const { str, int, strList, strMap, list } = readers;

export interface SqsService extends JsonService {
  store: SqsStore;
}

export function createSqs(opts: { region: string; now?: () => number }): SqsService {
  const store = new SqsStore(opts.region, opts.now);
  const ops = operations(store);
  return {
    name: 'sqs',
    store,
    targetPrefix: 'AmazonSQS.',
    operations: SERVED_OPERATIONS,
    contentType: 'application/x-amz-json-1.0',
    call(op, input, ctx) {
      const fn = Object.hasOwn(ops, op) ? ops[op] : undefined;
      if (!fn) throw errors.unknownOperation();
      return fn(input, ctx);
    },
    error: (type, status, message) => new SqsError(type, type, message, status),
    snapshot: () => ({ queues: store.snapshot() }),
    reset: () => store.reset(),
    close: () => store.wakeAll(),
  };
}

/** The operation table over one store. */
function operations(store: SqsStore): Record<string, Op> {
  // Queue URLs carry the host the client used, so they work wherever the edge is reached from.
  const urlOf = (q: Queue, ctx: CallContext) => `${ctx.baseUrl}/${q.arn.split(':')[4]}/${q.name}`;
  const queueOf = (i: Input) => {
    const url = str(i, 'QueueUrl', true)!;
    return store.get(decodeURIComponent(url.replace(/\/+$/, '').split('/').pop() ?? ''));
  };

  const ops: Record<string, Op> = {
    // CreateQueue's tag member is lower-case `tags` (CreateQueue API reference).
    CreateQueue: (i, ctx) => ({ QueueUrl: urlOf(store.create(str(i, 'QueueName', true)!, strMap(i, 'Attributes'), strMap(i, 'tags')), ctx) }),
    GetQueueUrl: (i, ctx) => ({ QueueUrl: urlOf(store.get(str(i, 'QueueName', true)!), ctx) }),
    ListQueues(i, ctx) {
      const all = store.list(str(i, 'QueueNamePrefix') ?? '');
      const max = int(i, 'MaxResults', 1, 1000);
      const start = Number(str(i, 'NextToken') ?? 0) || 0;
      const page = max === undefined ? all.slice(0, 1000) : all.slice(start, start + max);
      const more = max !== undefined && start + max < all.length;
      // An empty result carries no QueueUrls member (observed AWS JSON response).
      return { ...(page.length ? { QueueUrls: page.map((q) => urlOf(q, ctx)) } : {}), ...(more ? { NextToken: String(start + max) } : {}) };
    },
    GetQueueAttributes(i) {
      const q = queueOf(i);
      const names = strList(i, 'AttributeNames');
      const all = attributesOf(store, q);
      const wanted = names.includes('All') ? Object.keys(all) : names;
      for (const n of wanted) if (!isKnownAttribute(n)) throw errors.invalidAttributeName(n);
      const Attributes = Object.fromEntries(wanted.filter((n) => n in all).map((n) => [n, all[n]]));
      return Object.keys(Attributes).length ? { Attributes } : {};
    },
    SetQueueAttributes(i) {
      store.setAttributes(queueOf(i), strMap(i, 'Attributes'));
      return {};
    },
    TagQueue(i) {
      store.tag(queueOf(i), strMap(i, 'Tags'));
      return {};
    },
    UntagQueue(i) {
      store.untag(queueOf(i), strList(i, 'TagKeys'));
      return {};
    },
    ListQueueTags(i) {
      const tags = queueOf(i).tags;
      return Object.keys(tags).length ? { Tags: { ...tags } } : {};
    },
    ListDeadLetterSourceQueues(i, ctx) {
      const all = store.deadLetterSources(queueOf(i));
      const max = int(i, 'MaxResults', 1, 1000);
      const start = Number(str(i, 'NextToken') ?? 0) || 0;
      const page = max === undefined ? all.slice(0, 1000) : all.slice(start, start + max);
      // The output member is lower-case `queueUrls` (ListDeadLetterSourceQueues API reference).
      return { queueUrls: page.map((q) => urlOf(q, ctx)), ...(max !== undefined && start + max < all.length ? { NextToken: String(start + max) } : {}) };
    },
    DeleteQueue(i) {
      store.delete(queueOf(i));
      return {};
    },
    PurgeQueue(i) {
      store.purge(queueOf(i));
      return {};
    },
    SendMessage(i) {
      const m = store.send(queueOf(i), sendInput(i));
      return sent(m);
    },
    SendMessageBatch(i) {
      const q = queueOf(i);
      return batch(i, (e) => sent(store.send(q, sendInput(e))));
    },
    ReceiveMessage: (i, ctx) => receive(store, queueOf(i), i, ctx),
    DeleteMessage(i) {
      store.deleteMessage(queueOf(i), str(i, 'ReceiptHandle', true)!);
      return {};
    },
    DeleteMessageBatch(i) {
      const q = queueOf(i);
      return batch(i, (e) => (store.deleteMessage(q, str(e, 'ReceiptHandle', true)!), {}));
    },
    ChangeMessageVisibility(i) {
      store.changeVisibility(queueOf(i), str(i, 'ReceiptHandle', true)!, int(i, 'VisibilityTimeout', 0, 43200, true)!);
      return {};
    },
    ChangeMessageVisibilityBatch(i) {
      const q = queueOf(i);
      return batch(i, (e) => (store.changeVisibility(q, str(e, 'ReceiptHandle', true)!, int(e, 'VisibilityTimeout', 0, 43200, true)!), {}));
    },
  };

  return ops;
}

/** The operations this fake serves; every other SQS operation is an unknown operation. */
export const SERVED_OPERATIONS = Object.keys(operations(new SqsStore('us-east-1')));

function attributesOf(store: SqsStore, q: Queue): Record<string, string> {
  const c = store.counts(q);
  const computed: Record<string, string> = {
    QueueArn: q.arn,
    ApproximateNumberOfMessages: String(c.visible),
    ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
    ApproximateNumberOfMessagesDelayed: String(c.delayed),
    // Timestamps in epoch seconds, as strings (GetQueueAttributes API reference).
    CreatedTimestamp: String(Math.floor(q.created / 1000)),
    LastModifiedTimestamp: String(Math.floor(q.modified / 1000)),
  };
  const settable = { ...DEFAULTS, ...(q.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' } : {}), ...q.attributes };
  return { ...settable, ...computed };
}

function sendInput(i: Input) {
  return {
    body: str(i, 'MessageBody', true)!,
    delaySeconds: int(i, 'DelaySeconds', 0, 900),
    attributes: messageAttributes(i),
    groupId: str(i, 'MessageGroupId'),
    dedupId: str(i, 'MessageDeduplicationId'),
  };
}

function messageAttributes(i: Input): Record<string, MessageAttributeValue> | undefined {
  const raw = i.MessageAttributes;
  if (raw === undefined || raw === null) return undefined;
  const out: Record<string, MessageAttributeValue> = {};
  const entries = Object.entries(readers.obj(raw, 'MessageAttributes'));
  // At most 10 message attributes per message (SendMessage API reference).
  if (entries.length > 10) throw errors.invalidParameter(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  for (const [name, v] of entries) {
    const a = readers.obj(v, `MessageAttributes.${name}`);
    const DataType = str(a, 'DataType');
    if (!DataType || !/^(String|Number|Binary)(\..+)?$/.test(DataType)) {
      throw errors.invalidParameter(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const binary = DataType.startsWith('Binary');
    const value = binary ? str(a, 'BinaryValue') : str(a, 'StringValue');
    if (value === undefined) throw errors.invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${DataType.split('.')[0]}'.`);
    out[name] = binary ? { DataType, BinaryValue: Buffer.from(value, 'base64') } : { DataType, StringValue: value };
  }
  return out;
}

function sent(m: Message) {
  return {
    MessageId: m.id,
    MD5OfMessageBody: m.md5OfBody,
    ...(m.md5OfAttributes ? { MD5OfMessageAttributes: m.md5OfAttributes } : {}),
    ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
  };
}

/** Batch calls: validate the envelope, then run each entry, collecting per-entry failures instead of failing the call. */
function batch(i: Input, run: (entry: Input) => object) {
  const entries = list(i, 'Entries');
  if (entries.length === 0) throw errors.emptyBatch();
  if (entries.length > 10) throw errors.tooManyEntries(entries.length);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = str(e, 'Id', true)!;
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw errors.invalidBatchEntryId();
    if (seen.has(id)) throw errors.idsNotDistinct(id);
    seen.add(id);
  }
  const Successful: object[] = [];
  const Failed: object[] = [];
  for (const e of entries) {
    const Id = e.Id as string;
    try {
      Successful.push({ Id, ...run(e) });
    } catch (err) {
      if (!(err instanceof SqsError)) throw err;
      Failed.push({ Id, SenderFault: true, Code: err.headers['x-amzn-query-error'].split(';')[0], Message: err.message });
    }
  }
  return { Successful, Failed };
}

async function receive(store: SqsStore, q: Queue, i: Input, ctx: CallContext) {
  const max = int(i, 'MaxNumberOfMessages', 1, 10, false, (v) =>
    // The exact AWS text for an out-of-range count (ReceiveMessage API reference, ReadCountOutOfRange).
    errors.invalidParameter(`Value ${v} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`)) ?? 1;
  const vt = int(i, 'VisibilityTimeout', 0, 43200);
  const waitSeconds = int(i, 'WaitTimeSeconds', 0, 20) ?? Number(store.attr(q, 'ReceiveMessageWaitTimeSeconds'));
  const deadline = store.now() + waitSeconds * 1000;
  let messages = store.receive(q, max, vt);
  // Long polling: wait until a message can be delivered or the wait ends (ReceiveMessage, WaitTimeSeconds).
  while (messages.length === 0 && store.now() < deadline && !ctx.signal.aborted) {
    const w = store.waitFor(q, deadline - store.now());
    const onAbort = () => w.cancel();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    await w.promise;
    ctx.signal.removeEventListener('abort', onAbort);
    if (ctx.signal.aborted || !store.list().includes(q)) break;
    messages = store.receive(q, max, vt);
  }
  if (!messages.length) return {};
  const systemNames = [...strList(i, 'AttributeNames'), ...strList(i, 'MessageSystemAttributeNames')];
  const attrNames = strList(i, 'MessageAttributeNames');
  return { Messages: messages.map((m) => renderMessage(m, systemNames, attrNames)) };
}

function renderMessage(m: Message, systemNames: string[], attrNames: string[]) {
  const system: Record<string, string> = {
    SenderId: ACCOUNT_ID,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt ?? m.sentAt),
    ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
    ...(m.dedupId ? { MessageDeduplicationId: m.dedupId } : {}),
    ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
  };
  const wantAll = systemNames.includes('All');
  const Attributes = Object.fromEntries(Object.entries(system).filter(([k]) => wantAll || systemNames.includes(k)));
  // Message attributes are returned only when asked for: All, ".*", a name, or a "prefix.*" (ReceiveMessage API reference).
  const picked = Object.entries(m.attributes).filter(([name]) =>
    attrNames.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1)))));
  const attrs = Object.fromEntries(picked);
  return {
    MessageId: m.id,
    ReceiptHandle: m.receipt,
    MD5OfBody: m.md5OfBody,
    Body: m.body,
    ...(Object.keys(Attributes).length ? { Attributes } : {}),
    ...(picked.length
      ? {
          MD5OfMessageAttributes: md5OfMessageAttributes(attrs),
          MessageAttributes: Object.fromEntries(picked.map(([k, v]) => [k, {
            DataType: v.DataType,
            ...(v.BinaryValue ? { BinaryValue: v.BinaryValue.toString('base64') } : { StringValue: v.StringValue }),
          }])),
        }
      : {}),
  };
}
