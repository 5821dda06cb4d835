/**
 * What Gatehouse itself holds about a person, and how a "forget me" removes it. Four DynamoDB tables name people:
 *   gatehouse-extend-tokens              key `email`                 the cached Extend session (cards)
 *   gatehouse-api-tokens                 key `tokenHash`, `email`    the person's API tokens (cards)
 *   gatehouse-mail-deliveries            key messageId+`recipient`   delivery state of mail sent to them (mail)
 *   gatehouse-customerio-webhook-events  key eventId, `customer`     Customer.io reporting events about them
 * Only the first is keyed by the person; the others are found with a Scan filtered on the attribute (read cost:
 * the whole table, paginated). Erasure requests are rare, so no index is added for them; a deployment with large
 * tables would give each an index on that attribute and Query it instead. Each delete is conditional on the item
 * still naming the person, and the whole operation is idempotent: a retry after a partial failure finishes the job.
 */
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { PrivacyConfig } from './privacy-config.ts';

export interface ForgetOutcome {
  /** Items removed per table. */
  removed: Record<string, number>;
  /** Tables that could not be cleared (the error's name only). */
  failed: Record<string, string>;
}

export class PersonalData {
  constructor(private readonly ddb: DynamoDBDocumentClient, private readonly tables: PrivacyConfig['tables']) {}

  /** Remove every item naming `email` (compared lower-cased, as every table stores it) from every table. */
  async forget(email: string): Promise<ForgetOutcome> {
    const who = email.toLowerCase();
    const t = this.tables;
    const jobs: [string, () => Promise<number>][] = [
      [t.extendTokens, () => this.deleteKey(t.extendTokens, { email: who })],
      [t.apiTokens, () => this.deleteWhere(t.apiTokens, 'email', who, ['tokenHash'])],
      [t.mailDeliveries, () => this.deleteWhere(t.mailDeliveries, 'recipient', who, ['messageId', 'recipient'])],
      [t.webhookEvents, () => this.deleteWhere(t.webhookEvents, 'customer', who, ['eventId'])],
    ];
    const settled = await Promise.allSettled(jobs.map(([, run]) => run()));
    const out: ForgetOutcome = { removed: {}, failed: {} };
    settled.forEach((s, i) => {
      const table = jobs[i][0];
      if (s.status === 'fulfilled') out.removed[table] = s.value;
      else out.failed[table] = (s.reason as Error)?.name ?? 'Error';
    });
    return out;
  }

  private async deleteKey(table: string, key: Record<string, string>): Promise<number> {
    const res = await this.ddb.send(new DeleteCommand({ TableName: table, Key: key, ReturnValues: 'ALL_OLD' }));
    return res.Attributes ? 1 : 0;
  }

  private async deleteWhere(table: string, attribute: string, value: string, keyNames: string[]): Promise<number> {
    let removed = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.ddb.send(new ScanCommand({
        TableName: table,
        FilterExpression: '#a = :v',
        ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(', '),
        ExpressionAttributeNames: { '#a': attribute, ...Object.fromEntries(keyNames.map((k, i) => [`#k${i}`, k])) },
        ExpressionAttributeValues: { ':v': value },
        ExclusiveStartKey: start,
      }));
      for (const item of page.Items ?? []) {
        const Key = Object.fromEntries(keyNames.map((k) => [k, item[k]]));
        try {
          await this.ddb.send(new DeleteCommand({ TableName: table, Key, ConditionExpression: '#a = :v', ExpressionAttributeNames: { '#a': attribute }, ExpressionAttributeValues: { ':v': value } }));
          removed++;
        } catch (e) {
          // Already gone, or changed to name someone else since the scan: nothing of this person's to remove.
          if (!(e instanceof ConditionalCheckFailedException) && (e as Error).name !== 'ConditionalCheckFailedException') throw e;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return removed;
  }
}
