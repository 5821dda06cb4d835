/**
 * One DynamoDB item per /send-mail idempotency key (table `gatehouse-mail-idempotency`, key `key`, TTL
 * `expiresAt`), shared by every Lambda container: who is working on the key (owner + lease), which Mailgun batches
 * are known sent, which batch was being sent when its outcome became unknown, and the first answer once there is
 * one. Every write after the first is conditional on still being the owner, so two containers never both act on
 * one key: the loser of a race learns it from a failed condition and stops.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface StoredAnswer {
  status: number;
  body: unknown;
}

export interface SendRecord {
  /** SHA-256 (hex) of the caller's scope and the key: the key itself is never stored. */
  key: string;
  /** SHA-256 (hex) of the canonical request body: the same key with another body is refused. */
  fingerprint: string;
  status: 'in_progress' | 'done';
  owner: string;
  /** Epoch ms until which the owner is working; after it anyone may take over (and settle what it left). */
  leaseUntil: number;
  /** Batch size the recipients were split with, so a later container splits them the same way. */
  batchSize: number;
  /** Batch index → Mailgun message id, for every batch known to be accepted. */
  sent: Record<string, string>;
  /** The batch being sent and when its attempt started; left in place when its outcome became unknown. */
  attemptBatch?: number;
  attemptAt?: number;
  /** The first answer, as JSON text (one string attribute, whatever the answer holds). */
  answer?: string;
  createdAt: number;
  /** Epoch seconds (DynamoDB TTL; also checked on read, as TTL deletes lazily). */
  expiresAt: number;
}

export class LostOwnership extends Error {}

export interface SendRecords {
  /** Create the record as its owner; undefined when a live record exists for the key. */
  create(r: Omit<SendRecord, 'owner' | 'status' | 'sent'>): Promise<SendRecord | undefined>;
  get(key: string): Promise<SendRecord | undefined>;
  /** Become the owner of a record whose owner is `from` (its lease over, or it gave up). */
  takeOver(r: SendRecord, leaseUntil: number): Promise<SendRecord | undefined>;
  startAttempt(r: SendRecord, batch: number, at: number, leaseUntil: number): Promise<void>;
  recordSent(r: SendRecord, batch: number, messageId: string): Promise<void>;
  /**
   * Stop working on it for now: anyone may take over at once. The attempt stays for the next owner to settle
   * (unknown outcome) unless `clearAttempt` says Mailgun certainly did not accept it.
   */
  release(r: SendRecord, o?: { clearAttempt?: boolean }): Promise<void>;
  /** Forget the key: nothing was sent, so a retry starts over. */
  remove(r: SendRecord): Promise<void>;
  complete(r: SendRecord, answer: StoredAnswer): Promise<void>;
}

export function storedAnswer(r: SendRecord): StoredAnswer | undefined {
  return r.answer === undefined ? undefined : JSON.parse(r.answer) as StoredAnswer;
}

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

export function dynamoSendRecords(doc: DynamoDBDocumentClient, table: string, now: () => number): SendRecords {
  const owned = async <T>(write: Promise<T>): Promise<T> => {
    try {
      return await write;
    } catch (e) {
      if (isConditionFailure(e)) throw new LostOwnership('another request took this idempotency key over');
      throw e;
    }
  };
  const ifOwner = (r: SendRecord) => ({ ConditionExpression: '#o = :me', ExpressionAttributeNames: { '#o': 'owner' } as Record<string, string>, ExpressionAttributeValues: { ':me': r.owner } as Record<string, unknown> });

  return {
    async create(fields) {
      const r: SendRecord = { ...fields, owner: randomUUID(), status: 'in_progress', sent: {} };
      try {
        // A record past its expiry is dead even if DynamoDB's TTL has not removed it yet.
        await doc.send(new PutCommand({
          TableName: table, Item: r,
          ConditionExpression: 'attribute_not_exists(#k) OR expiresAt < :now', ExpressionAttributeNames: { '#k': 'key' }, ExpressionAttributeValues: { ':now': Math.floor(now() / 1000) },
        }));
        return r;
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },
    async get(key) {
      const { Item } = await doc.send(new GetCommand({ TableName: table, Key: { key }, ConsistentRead: true }));
      const r = Item as SendRecord | undefined;
      return r && r.expiresAt >= Math.floor(now() / 1000) ? r : undefined;
    },
    async takeOver(r, leaseUntil) {
      const owner = randomUUID();
      try {
        await doc.send(new UpdateCommand({
          TableName: table, Key: { key: r.key },
          UpdateExpression: 'SET #o = :new, leaseUntil = :lease', ConditionExpression: '#o = :old AND #s = :progress',
          ExpressionAttributeNames: { '#o': 'owner', '#s': 'status' }, ExpressionAttributeValues: { ':new': owner, ':old': r.owner, ':lease': leaseUntil, ':progress': 'in_progress' },
        }));
        return { ...r, owner, leaseUntil };
      } catch (e) {
        if (isConditionFailure(e)) return undefined;
        throw e;
      }
    },
    async startAttempt(r, batch, at, leaseUntil) {
      const c = ifOwner(r);
      await owned(doc.send(new UpdateCommand({
        TableName: table, Key: { key: r.key }, UpdateExpression: 'SET attemptBatch = :b, attemptAt = :at, leaseUntil = :lease', ...c,
        ExpressionAttributeValues: { ...c.ExpressionAttributeValues, ':b': batch, ':at': at, ':lease': leaseUntil },
      })));
      Object.assign(r, { attemptBatch: batch, attemptAt: at, leaseUntil });
    },
    async recordSent(r, batch, messageId) {
      const c = ifOwner(r);
      await owned(doc.send(new UpdateCommand({
        TableName: table, Key: { key: r.key }, UpdateExpression: 'SET sent.#b = :id REMOVE attemptBatch, attemptAt', ...c,
        ExpressionAttributeNames: { ...c.ExpressionAttributeNames, '#b': String(batch) }, ExpressionAttributeValues: { ...c.ExpressionAttributeValues, ':id': messageId },
      })));
      r.sent[String(batch)] = messageId;
      delete r.attemptBatch;
      delete r.attemptAt;
    },
    async release(r, o = {}) {
      const c = ifOwner(r);
      const update = `SET leaseUntil = :zero${o.clearAttempt ? ' REMOVE attemptBatch, attemptAt' : ''}`;
      await owned(doc.send(new UpdateCommand({ TableName: table, Key: { key: r.key }, UpdateExpression: update, ...c, ExpressionAttributeValues: { ...c.ExpressionAttributeValues, ':zero': 0 } })));
    },
    async remove(r) {
      await owned(doc.send(new DeleteCommand({ TableName: table, Key: { key: r.key }, ...ifOwner(r) })));
    },
    async complete(r, answer) {
      const c = ifOwner(r);
      await owned(doc.send(new UpdateCommand({
        TableName: table, Key: { key: r.key }, UpdateExpression: 'SET #s = :done, answer = :a, leaseUntil = :zero REMOVE attemptBatch, attemptAt', ...c,
        ExpressionAttributeNames: { ...c.ExpressionAttributeNames, '#s': 'status' }, ExpressionAttributeValues: { ...c.ExpressionAttributeValues, ':done': 'done', ':a': JSON.stringify(answer), ':zero': 0 },
      })));
    },
  };
}
