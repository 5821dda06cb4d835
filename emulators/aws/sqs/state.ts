/**
 * SQS model: queues, their messages, visibility, redrive to a dead-letter queue, and long-poll waiters.
 * No HTTP here; `routes.ts` speaks the AWS JSON protocol. Times are milliseconds from the injected clock.
 */
import { randomUUID } from 'node:crypto';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './md5.ts';
import { SqsError, errors } from './errors.ts';
import { checkAttributes, DEFAULTS } from './attributes.ts';

export const ACCOUNT_ID = '000000000000';

export interface Message {
  id: string;
  body: string;
  attributes: Record<string, MessageAttributeValue>;
  md5OfBody: string;
  md5OfAttributes?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveAt?: number;
  /** The receipt handle of the latest receive; older handles still delete, as on AWS. */
  receipt?: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
}

export interface Queue {
  name: string;
  arn: string;
  attributes: Record<string, string>;
  created: number;
  modified: number;
  messages: Message[];
  fifo: boolean;
  dedup: Map<string, { id: string; at: number }>;
  /** Cost-allocation tags (TagQueue, CreateQueue `tags`). */
  tags: Record<string, string>;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  attributes?: Record<string, MessageAttributeValue>;
  groupId?: string;
  dedupId?: string;
}

export class SqsStore {
  private queues = new Map<string, Queue>();
  private waiters = new Set<{ queue: Queue; wake: () => void }>();
  private seq = 0n;
  constructor(readonly region: string, readonly now: () => number = Date.now) {}

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${ACCOUNT_ID}:${name}`;
  }

  create(name: string, attrs: Record<string, string>, tags: Record<string, string> = {}): Queue {
    const fifo = name.endsWith('.fifo');
    // Queue names: 1-80 alphanumerics, hyphens, underscores; FIFO names end in ".fifo" (CreateQueue API reference).
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(fifo ? name.slice(0, -5) : name) || name.length > 80) {
      throw errors.invalidParameter('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    if ((attrs.FifoQueue === 'true') !== fifo) {
      throw errors.invalidAttributeValue('FifoQueue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
    }
    checkAttributes(attrs, { creating: true, fifo, resolveArn: (arn) => this.byArn(arn) });
    const existing = this.queues.get(name);
    if (existing) {
      const clash = Object.keys(attrs).find((k) => (existing.attributes[k] ?? DEFAULTS[k]) !== attrs[k]);
      // Same name, different attributes → QueueNameExists (CreateQueue API reference); otherwise idempotent.
      if (clash) throw errors.queueNameExists(name, clash);
      return existing;
    }
    const t = this.now();
    const q: Queue = { name, arn: this.arnOf(name), attributes: { ...attrs }, created: t, modified: t, messages: [], fifo, dedup: new Map(), tags: {} };
    this.tag(q, tags);
    this.queues.set(name, q);
    return q;
  }

  get(name: string): Queue {
    const q = this.queues.get(name);
    if (!q) throw errors.queueDoesNotExist();
    return q;
  }

  byArn(arn: string): Queue | undefined {
    return [...this.queues.values()].find((q) => q.arn === arn);
  }

  list(prefix = ''): Queue[] {
    return [...this.queues.values()].filter((q) => q.name.startsWith(prefix)).sort((a, b) => a.name.localeCompare(b.name));
  }

  delete(q: Queue): void {
    this.queues.delete(q.name);
    this.wakeAll(q);
  }

  setAttributes(q: Queue, attrs: Record<string, string>): void {
    checkAttributes(attrs, { creating: false, fifo: q.fifo, resolveArn: (arn) => this.byArn(arn) });
    Object.assign(q.attributes, attrs);
    q.modified = this.now();
  }

  /** TagQueue: a key given again takes the new value; at most 50 tags per queue (SQS quotas, "Queue tags"). */
  tag(q: Queue, tags: Record<string, string>): void {
    const next = { ...q.tags, ...tags };
    if (Object.keys(next).length > 50) throw errors.invalidParameter(`Too many tags added for queue ${q.name}.`);
    q.tags = next;
  }

  untag(q: Queue, keys: string[]): void {
    for (const k of keys) delete q.tags[k];
  }

  /** Queues whose redrive policy names `q` as their dead-letter queue (ListDeadLetterSourceQueues). */
  deadLetterSources(q: Queue): Queue[] {
    return this.list().filter((s) => this.redrivePolicy(s)?.target === q);
  }

  attr(q: Queue, name: string): string {
    return q.attributes[name] ?? DEFAULTS[name];
  }

  /** Counts behind the Approximate* attributes. */
  counts(q: Queue): { visible: number; inFlight: number; delayed: number } {
    const t = this.now();
    this.expire(q, t);
    let visible = 0, inFlight = 0, delayed = 0;
    for (const m of q.messages) {
      if (m.visibleAt <= t) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  send(q: Queue, input: SendInput): Message {
    const t = this.now();
    const maxSize = Number(this.attr(q, 'MaximumMessageSize'));
    if (Buffer.byteLength(input.body) > maxSize) {
      throw errors.invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`);
    }
    // SQS accepts only #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (SendMessage API reference).
    if (/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(input.body)) {
      throw errors.invalidMessageContents();
    }
    const attributes = input.attributes ?? {};
    const names = Object.keys(attributes);
    if (q.fifo) {
      if (!input.groupId) throw errors.missingParameter('The request must contain the parameter MessageGroupId.');
      if (input.delaySeconds) throw errors.invalidParameter('Value ' + input.delaySeconds + ' for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.');
    }
    const dedupId = q.fifo ? input.dedupId ?? (this.attr(q, 'ContentBasedDeduplication') === 'true' ? md5Hex(input.body) : undefined) : undefined;
    if (q.fifo && !dedupId) {
      throw errors.invalidParameter('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
    if (dedupId) {
      // FIFO queues drop a duplicate sent within the 5-minute deduplication interval (FIFO delivery logic docs).
      const seen = q.dedup.get(dedupId);
      if (seen && t - seen.at < 300_000) {
        const original = q.messages.find((m) => m.id === seen.id);
        // The reply names the original message but digests what this request sent (the SDK checks them).
        if (original) return { ...original, md5OfBody: md5Hex(input.body), md5OfAttributes: names.length ? md5OfMessageAttributes(attributes) : undefined };
      }
    }
    const delay = input.delaySeconds ?? Number(this.attr(q, 'DelaySeconds'));
    const m: Message = {
      id: randomUUID(),
      body: input.body,
      attributes,
      md5OfBody: md5Hex(input.body),
      md5OfAttributes: names.length ? md5OfMessageAttributes(attributes) : undefined,
      sentAt: t,
      visibleAt: t + delay * 1000,
      receiveCount: 0,
      groupId: input.groupId,
      dedupId,
      sequenceNumber: q.fifo ? String(++this.seq).padStart(20, '1') : undefined,
    };
    if (dedupId) q.dedup.set(dedupId, { id: m.id, at: t });
    q.messages.push(m);
    this.wakeAll(q);
    return m;
  }

  /** Take up to `max` visible messages now, making them invisible for `visibilitySeconds`; redrive exhausted ones. */
  receive(q: Queue, max: number, visibilitySeconds?: number): Message[] {
    const t = this.now();
    this.expire(q, t);
    const vt = visibilitySeconds ?? Number(this.attr(q, 'VisibilityTimeout'));
    const redrive = this.redrivePolicy(q);
    const busyGroups = new Set(q.fifo ? q.messages.filter((m) => m.visibleAt > t && m.receiveCount > 0).map((m) => m.groupId) : []);
    const out: Message[] = [];
    for (const m of [...q.messages]) {
      if (out.length >= max) break;
      if (m.visibleAt > t || (q.fifo && busyGroups.has(m.groupId))) continue;
      // A message received maxReceiveCount times goes to the DLQ instead of being delivered again (SQS DLQ docs).
      if (redrive && m.receiveCount >= redrive.maxReceiveCount) {
        this.moveTo(q, m, redrive.target);
        continue;
      }
      m.receiveCount++;
      m.firstReceiveAt ??= t;
      m.visibleAt = t + vt * 1000;
      m.receipt = encodeReceipt(q.name, m.id);
      out.push(m);
    }
    return out;
  }

  deleteMessage(q: Queue, receipt: string): void {
    const id = decodeReceipt(receipt, q.name);
    q.messages = q.messages.filter((m) => m.id !== id);
  }

  changeVisibility(q: Queue, receipt: string, seconds: number): void {
    const id = decodeReceipt(receipt, q.name);
    const m = q.messages.find((x) => x.id === id);
    const t = this.now();
    // Only an in-flight message can change visibility (ChangeMessageVisibility API reference, MessageNotInflight).
    if (!m || m.receiveCount === 0 || m.visibleAt <= t) throw errors.messageNotInflight();
    m.visibleAt = t + seconds * 1000;
    if (seconds === 0) this.wakeAll(q);
  }

  purge(q: Queue): void {
    q.messages = [];
  }

  /**
   * Resolve when `q` may have something to deliver (a send, a visibility expiry, a delay ending) or after
   * `ms`, whichever is first. The caller receives again after waking.
   */
  waitFor(q: Queue, ms: number): { promise: Promise<void>; cancel: () => void } {
    const t = this.now();
    const nextVisible = Math.min(...q.messages.map((m) => m.visibleAt).filter((v) => v > t));
    const wait = Math.max(0, Math.min(ms, Number.isFinite(nextVisible) ? nextVisible - t : ms));
    let waiter!: { queue: Queue; wake: () => void };
    let timer: NodeJS.Timeout;
    const promise = new Promise<void>((resolve) => {
      waiter = { queue: q, wake: () => { clearTimeout(timer); this.waiters.delete(waiter); resolve(); } };
      timer = setTimeout(waiter.wake, wait);
      this.waiters.add(waiter);
    });
    return { promise, cancel: () => waiter.wake() };
  }

  /** Release every long poll (edge shutdown, reset). */
  wakeAll(q?: Queue): void {
    for (const w of [...this.waiters]) if (!q || w.queue === q) w.wake();
  }

  reset(): void {
    this.wakeAll();
    this.queues.clear();
  }

  snapshot(): unknown {
    return this.list().map((q) => ({ name: q.name, attributes: q.attributes, ...this.counts(q) }));
  }

  private redrivePolicy(q: Queue): { target: Queue; maxReceiveCount: number } | undefined {
    const raw = q.attributes.RedrivePolicy;
    if (!raw) return undefined;
    const p = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    const target = this.byArn(p.deadLetterTargetArn);
    return target ? { target, maxReceiveCount: Number(p.maxReceiveCount) } : undefined;
  }

  private moveTo(from: Queue, m: Message, to: Queue): void {
    from.messages = from.messages.filter((x) => x !== m);
    to.messages.push({ ...m, receiveCount: 0, firstReceiveAt: undefined, receipt: undefined, visibleAt: this.now() });
    this.wakeAll(to);
  }

  /** Drop messages older than MessageRetentionPeriod, as SQS deletes them. */
  private expire(q: Queue, t: number): void {
    const keepMs = Number(this.attr(q, 'MessageRetentionPeriod')) * 1000;
    if (q.messages.some((m) => t - m.sentAt > keepMs)) q.messages = q.messages.filter((m) => t - m.sentAt <= keepMs);
  }
}

function encodeReceipt(queue: string, id: string): string {
  return Buffer.from(`${queue}\n${id}\n${randomUUID()}`).toString('base64');
}

function decodeReceipt(receipt: string, queue: string): string {
  const parts = Buffer.from(receipt, 'base64').toString('utf8').split('\n');
  // A handle that is not ours (or is another queue's) is rejected as AWS does: ReceiptHandleIsInvalid.
  if (parts.length !== 3 || parts[0] !== queue) throw errors.receiptHandleIsInvalid(receipt);
  return parts[1];
}

export { SqsError };
