/**
 * Delivery state per message and recipient in DynamoDB (`messageId` HASH, `recipient` RANGE): written as
 * `accepted` when Mailgun takes the message, then moved by webhooks to delivered/failed. An older event never
 * overwrites a newer one (webhooks may arrive out of order or be retried).
 */
import { DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export interface DeliveryEvent {
  messageId: string;
  recipient: string;
  status: 'accepted' | 'delivered' | 'failed' | 'opened' | 'clicked' | 'complained' | 'unsubscribed';
  /** Epoch seconds of the event. */
  at: number;
  severity?: string;
  reason?: string;
  eventId?: string;
}

export interface Deliveries {
  recordAccepted(messageId: string, recipients: string[], at: number): Promise<void>;
  /** False when a newer event for the same recipient was already stored. */
  record(e: DeliveryEvent): Promise<boolean>;
  forMessage(messageId: string): Promise<DeliveryEvent[]>;
}

export function dynamoDeliveries(doc: DynamoDBDocumentClient, table: string): Deliveries {
  return {
    async recordAccepted(messageId, recipients, at) {
      // Conditional puts, not a batch: a webhook may already have stored "delivered", which must not be undone.
      for (let i = 0; i < recipients.length; i += 25) {
        await Promise.all(recipients.slice(i, i + 25).map((recipient) => doc.send(new PutCommand({
          TableName: table,
          Item: { messageId, recipient, status: 'accepted', at },
          ConditionExpression: 'attribute_not_exists(messageId)',
        })).catch(ignoreConditionFailure)));
      }
    },
    async record(e) {
      try {
        await doc.send(new UpdateCommand({
          TableName: table,
          Key: { messageId: e.messageId, recipient: e.recipient },
          UpdateExpression: 'SET #s = :s, #at = :at, severity = :sev, reason = :r, eventId = :id',
          ConditionExpression: 'attribute_not_exists(#at) OR #at <= :at',
          ExpressionAttributeNames: { '#s': 'status', '#at': 'at' },
          ExpressionAttributeValues: { ':s': e.status, ':at': e.at, ':sev': e.severity ?? null, ':r': e.reason ?? null, ':id': e.eventId ?? null },
        }));
        return true;
      } catch (err) {
        return ignoreConditionFailure(err);
      }
    },
    async forMessage(messageId) {
      const out: DeliveryEvent[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const res = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'messageId = :m', ExpressionAttributeValues: { ':m': messageId }, ExclusiveStartKey: start }));
        out.push(...((res.Items ?? []) as DeliveryEvent[]));
        start = res.LastEvaluatedKey;
      } while (start);
      return out;
    },
  };
}

/** A failed condition means "a newer state is already stored": not an error. */
function ignoreConditionFailure(err: unknown): false {
  if (err instanceof ConditionalCheckFailedException || (err as Error).name === 'ConditionalCheckFailedException') return false;
  throw err;
}
