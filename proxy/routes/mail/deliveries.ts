/**
 * Delivery state per message and recipient in DynamoDB (`messageId` HASH, `recipient` RANGE): `accepted` when
 * Mailgun takes the message, then moved by its webhooks. Two things are kept apart, so one never hides the other:
 *
 * - the furthest **delivery outcome**, ranked as Mailgun's event model orders them (documentation.mailgun.com, "Event
 *   Types"): accepted (queued) < temporary failure (an ESP deferred it; Mailgun retries) < delivered (the recipient's
 *   server took it) < permanent failure (Mailgun stopped trying: a hard bounce, the retry limit, a suppressed
 *   address). A temporary failure is followed by a delivery or by the permanent failure that ends the retries, so
 *   both outrank it; a permanent failure outranks a delivery because it is the one Mailgun acts on (the address goes
 *   on the bounce list and later sends to it are dropped). Events of the same rank keep the latest (its reason).
 * - the **engagement** events (opened, clicked, unsubscribed, complained) beside it, each with the time it first
 *   happened. They say what the recipient did with the mail, not how far delivery got, so they never move it.
 *
 * Both are conditional writes, so webhooks arriving in any order (Mailgun retries each on its own schedule) end in
 * the same state, and the status summary always adds up: every recipient is in exactly one outcome bucket.
 */
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export const OUTCOMES = ['accepted', 'temporary_fail', 'delivered', 'permanent_fail'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const ENGAGEMENTS = ['opened', 'clicked', 'unsubscribed', 'complained'] as const;
export type Engagement = (typeof ENGAGEMENTS)[number];

export type DeliveryEvent = { messageId: string; recipient: string; at: number } & (
  | { outcome: Outcome; reason?: string; eventId?: string }
  | { engagement: Engagement }
);

/** What is stored for one recipient of one message. */
export interface DeliveryState {
  messageId: string;
  recipient: string;
  outcome: Outcome;
  /** Epoch seconds of the outcome. */
  at: number;
  reason?: string;
  /** Epoch seconds each engagement event first happened. */
  engagement: Partial<Record<Engagement, number>>;
}

export interface Deliveries {
  recordAccepted(messageId: string, recipients: string[], at: number): Promise<void>;
  /** False when the stored state already was as far (a further outcome, or an earlier engagement of that kind). */
  record(e: DeliveryEvent): Promise<boolean>;
  forMessage(messageId: string): Promise<DeliveryState[]>;
}

/** The item's `status`/`severity` keep Mailgun's own event names (failed + severity), as the Events API shows them. */
const WIRE: Record<Outcome, { status: string; severity?: string }> = {
  accepted: { status: 'accepted' },
  temporary_fail: { status: 'failed', severity: 'temporary' },
  delivered: { status: 'delivered' },
  permanent_fail: { status: 'failed', severity: 'permanent' },
};
const rankOf = (o: Outcome) => OUTCOMES.indexOf(o);

export function dynamoDeliveries(doc: DynamoDBDocumentClient, table: string): Deliveries {
  return {
    async recordAccepted(messageId, recipients, at) {
      // Conditional puts, not a batch: a webhook may already have stored "delivered", which must not be undone.
      // Keyed lower-cased, as webhooks.ts keys Mailgun's events and "forget me" finds a person's rows: a campaign to
      // `Ada@Example.com` stored that spelling, so its webhooks made a second row and a delete left the first.
      for (let i = 0; i < recipients.length; i += 25) {
        await Promise.all(recipients.slice(i, i + 25).map((recipient) => doc.send(new PutCommand({
          TableName: table,
          Item: { messageId, recipient: recipient.toLowerCase(), status: 'accepted', at },
          ConditionExpression: 'attribute_not_exists(messageId)',
        })).catch(ignoreConditionFailure)));
      }
    },
    async record(e) {
      const Key = { messageId: e.messageId, recipient: e.recipient };
      try {
        if ('engagement' in e) {
          // The first time of each kind: a later open (or a retried webhook) changes nothing.
          await doc.send(new UpdateCommand({
            TableName: table, Key,
            UpdateExpression: 'SET #e = :at',
            ConditionExpression: 'attribute_not_exists(#e) OR #e > :at',
            ExpressionAttributeNames: { '#e': e.engagement },
            ExpressionAttributeValues: { ':at': e.at },
          }));
        } else {
          const wire = WIRE[e.outcome];
          await doc.send(new UpdateCommand({
            TableName: table, Key,
            UpdateExpression: 'SET #s = :s, #rank = :rank, #at = :at, severity = :sev, reason = :r, eventId = :id',
            // Further along, or as far and not older. An item without a rank holds only `accepted` (or engagement).
            ConditionExpression: 'attribute_not_exists(#rank) OR #rank < :rank OR (#rank = :rank AND #at <= :at)',
            ExpressionAttributeNames: { '#s': 'status', '#rank': 'rank', '#at': 'at' },
            ExpressionAttributeValues: { ':s': wire.status, ':rank': rankOf(e.outcome), ':at': e.at, ':sev': wire.severity ?? null, ':r': e.reason ?? null, ':id': e.eventId ?? null },
          }));
        }
        return true;
      } catch (err) {
        return ignoreConditionFailure(err);
      }
    },
    async forMessage(messageId) {
      const out: DeliveryState[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'messageId = :m', ExpressionAttributeValues: { ':m': messageId }, ExclusiveStartKey: start }));
        out.push(...(res.Items ?? []).map(stateOf));
        start = res.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
}

/**
 * An item as state. Items written before engagement was kept apart have an engagement event in `status` (it had
 * overwritten the outcome): an open or a click means the mail arrived, so their outcome is `delivered`.
 */
export function stateOf(item: Record<string, unknown>): DeliveryState {
  const engagement: Partial<Record<Engagement, number>> = {};
  for (const k of ENGAGEMENTS) if (typeof item[k] === 'number') engagement[k] = item[k] as number;
  const status = item.status;
  let outcome: Outcome = 'accepted';
  if (status === 'delivered') outcome = 'delivered';
  else if (status === 'failed') outcome = item.severity === 'temporary' ? 'temporary_fail' : 'permanent_fail';
  else if ((ENGAGEMENTS as readonly unknown[]).includes(status)) {
    outcome = 'delivered';
    engagement[status as Engagement] ??= item.at as number;
  }
  const times = Object.values(engagement);
  const at = typeof item.at === 'number' ? item.at : times.length ? Math.min(...times) : 0;
  return {
    messageId: String(item.messageId), recipient: String(item.recipient), outcome, at, engagement,
    ...(typeof item.reason === 'string' && item.reason ? { reason: item.reason } : {}),
  };
}

/** A failed condition means "a further state is already stored": not an error. */
function ignoreConditionFailure(err: unknown): false {
  if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
  throw err;
}
