/**
 * The API tokens mobile clients send in the `token` header (seed 004). Only SHA-256 hashes are stored, so a
 * leaked table reveals no usable token. An item: { tokenHash, email, createdAt, expiresAt?, revoked }.
 * `expiresAt` (epoch seconds) is also the table's TTL attribute; DynamoDB deletes lazily, so reads compare it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
}
