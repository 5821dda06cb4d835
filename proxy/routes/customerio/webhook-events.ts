/**
 * Customer.io reporting events as Gatehouse keeps them: one DynamoDB item per `event_id` (Customer.io's own id,
 * the same on every retry of an event), written with a condition so a retried event is stored once. Only what
 * reporting needs is kept — no message content, no addresses beyond the identifier the event is about (`customer`,
 * which lets a "forget me" find the items) — and each item expires after CIO_WEBHOOK_EVENT_TTL_DAYS.
 *
 * Payload shape (docs, "Reporting Webhooks"): {"event_id", "object_type" (email, push, sms, in_app, webhook,
 * customer…), "metric" (sent, delivered, opened, clicked, bounced, spammed, dropped, failed, unsubscribed…),
 * "timestamp", "data": {"customer_id", "identifiers": {"id","email","cio_id"}, "delivery_id", "recipient", …}}.
 */
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { isEpochSeconds } from '../../core/validate.ts';

export interface ReportingEvent {
  eventId: string;
  objectType: string;
  metric: string;
  /** Epoch seconds of the event at Customer.io. */
  timestamp: number;
  deliveryId?: string;
  /** The person the event is about: email, else id, else customer_id (lower-cased), if any. */
  customer?: string;
}

const str = (v: unknown, max = 512): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/** The event in a verified body, or undefined when the body is not a reporting event this proxy understands. */
export function parseReportingEvent(body: Buffer): ReportingEvent | undefined {
  let j: Record<string, any>;
  try {
    j = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) return undefined;
  const eventId = str(j.event_id, 128);
  const objectType = str(j.object_type, 64);
  const metric = str(j.metric, 64);
  if (!eventId || !objectType || !metric || !Number.isInteger(j.timestamp) || !isEpochSeconds(j.timestamp)) return undefined;
  const data = j.data && typeof j.data === 'object' ? j.data : {};
  const ids = data.identifiers && typeof data.identifiers === 'object' ? data.identifiers : {};
  const customer = str(ids.email, 254) ?? str(ids.id, 150) ?? str(data.customer_id, 150);
  return { eventId, objectType, metric, timestamp: j.timestamp, deliveryId: str(data.delivery_id, 256), customer: customer?.toLowerCase() };
}

export class WebhookEvents {
  constructor(private readonly ddb: DynamoDBDocumentClient, private readonly table: string, private readonly ttlDays: number) {}

  /** False when this event id was already stored (a retry or a duplicate delivery). */
  async record(e: ReportingEvent, nowMs: number): Promise<boolean> {
    const now = Math.floor(nowMs / 1000);
    try {
      await this.ddb.send(new PutCommand({
        TableName: this.table,
        Item: { ...e, receivedAt: now, expiresAt: now + this.ttlDays * 86_400 },
        ConditionExpression: 'attribute_not_exists(eventId)',
      }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }
}
