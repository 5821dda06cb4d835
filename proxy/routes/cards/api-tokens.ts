/**
 * The API tokens mobile clients send in the `token` header (seed 004). Only SHA-256 hashes are stored, so a
 * leaked table reveals no usable token. An item: { tokenHash, email, createdAt, expiresAt?, revoked }.
 * `expiresAt` (epoch seconds) is also the table's TTL attribute; DynamoDB deletes lazily, so reads compare it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsCall } from '../../core/aws.ts';

export interface ApiTokenItem {
  tokenHash: string;
  email: string;
  createdAt: string;
  expiresAt?: number;
  revoked: boolean;
}

export const hashApiToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export class ApiTokenStore {
  constructor(private readonly ddb: DynamoDBDocumentClient, private readonly table: string) {}

  /** The email a token belongs to, or undefined when it is unknown, revoked or expired. */
  async emailFor(token: string, nowMs: number): Promise<string | undefined> {
    const out = await awsCall('DynamoDB GetItem (API tokens)', () => this.ddb.send(new GetCommand({ TableName: this.table, Key: { tokenHash: hashApiToken(token) }, ConsistentRead: true })));
    const item = out.Item as ApiTokenItem | undefined;
    if (!item || item.revoked === true || typeof item.email !== 'string') return undefined;
    if (typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= nowMs) return undefined;
    return item.email;
  }

  /** Create a random token for `email`; only its hash is stored. The token is returned once, to the caller. */
  async create(email: string, nowMs: number, ttlSeconds?: number): Promise<{ token: string; item: ApiTokenItem }> {
    const token = randomBytes(32).toString('base64url');
    const item: ApiTokenItem = {
      tokenHash: hashApiToken(token),
      email: email.toLowerCase(),
      createdAt: new Date(nowMs).toISOString(),
      ...(ttlSeconds ? { expiresAt: Math.floor(nowMs / 1000) + ttlSeconds } : {}),
      revoked: false,
    };
    await awsCall('DynamoDB PutItem (API tokens)', () => this.ddb.send(new PutCommand({ TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(tokenHash)' })));
    return { token, item };
  }

  /**
   * Rotation: a new token for `email`, and every other live token of theirs set to expire `graceSeconds` from now
   * (an earlier expiry is kept), so a client has that long to switch before the old token is refused. Tokens are
   * keyed by hash, so finding a user's tokens is a Scan filtered by email: fine for an operator's script on a table
   * of API tokens; a table of millions would want an index on email.
   */
  async rotate(email: string, nowMs: number, o: { graceSeconds: number; ttlSeconds?: number }): Promise<{ token: string; item: ApiTokenItem; expiring: { tokenHash: string; expiresAt: number }[] }> {
    const created = await this.create(email, nowMs, o.ttlSeconds);
    const until = Math.floor(nowMs / 1000) + o.graceSeconds;
    const expiring: { tokenHash: string; expiresAt: number }[] = [];
    for (const old of await this.liveTokensOf(created.item.email, nowMs)) {
      if (old.tokenHash === created.item.tokenHash) continue;
      const expiresAt = typeof old.expiresAt === 'number' ? Math.min(old.expiresAt, until) : until;
      try {
        await awsCall('DynamoDB UpdateItem (API tokens)', () => this.ddb.send(new UpdateCommand({
          TableName: this.table, Key: { tokenHash: old.tokenHash },
          UpdateExpression: 'SET expiresAt = :at',
          // Only a token still live and not expiring sooner: a concurrent revocation or shorter expiry wins.
          ConditionExpression: 'attribute_exists(tokenHash) AND revoked = :no AND (attribute_not_exists(expiresAt) OR expiresAt > :at)',
          ExpressionAttributeValues: { ':at': expiresAt, ':no': false },
        })));
      } catch (e) {
        if ((e as { details?: { error?: string } }).details?.error !== 'ConditionalCheckFailedException') throw e;
        continue; // revoked or set to expire sooner since the scan: nothing to do
      }
      expiring.push({ tokenHash: old.tokenHash, expiresAt });
    }
    return { ...created, expiring };
  }

  /** The user's tokens that are neither revoked nor expired. */
  private async liveTokensOf(email: string, nowMs: number): Promise<ApiTokenItem[]> {
    const out: ApiTokenItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await awsCall('DynamoDB Scan (API tokens)', () => this.ddb.send(new ScanCommand({
        TableName: this.table, ConsistentRead: true, ExclusiveStartKey: start,
        FilterExpression: 'email = :e AND revoked = :no', ExpressionAttributeValues: { ':e': email, ':no': false },
      })));
      for (const item of (page.Items ?? []) as ApiTokenItem[]) if (typeof item.expiresAt !== 'number' || item.expiresAt * 1000 > nowMs) out.push(item);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
