/**
 * ExtendSession: a valid Extend access token for a user, obtained as cheaply as possible (seed 004, steps 3-6).
 *   cache (DynamoDB, item expires 10 min after issue; expiry checked on read because DynamoDB deletes lazily)
 *   → renew with the refresh token (POST /renewauth) when under a minute is left, or after Extend refused it
 *   → sign in (POST /signin) with the password from SSM (SecureString) when there is no usable session.
 * Concurrent callers for one email share one attempt (single-flight per process). Every password and token is
 * registered with the logger before anything else can see it.
 */
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProxyError } from '../../core/errors.ts';
import { upstreamError } from '../../core/upstream.ts';
import type { Clock } from '../../core/types.ts';
import type { Logger } from '../../core/log.ts';
import { awsCall } from '../../core/aws.ts';
import { passwordParameter, type CardsConfig } from './config.ts';
import { EXTEND, extendJson, type ExtendApi } from './extend-api.ts';

// Extend access tokens last 10 minutes (seed 004: "caches the new token in DynamoDB with a 10-minute TTL").
export const SESSION_TTL_SECONDS = 600;
/** Renew ahead of expiry so a request never starts with a token about to die. */
export const RENEW_MARGIN_MS = 60_000;

/** The DynamoDB item: `expiresAt` (epoch seconds) is the table's TTL attribute. */
export interface CachedSession {
  email: string;
  accessToken: string;
  refreshToken: string;
  issuedAt: string;
  expiresAt: number;
}

export interface SessionDeps {
  cfg: CardsConfig;
  api: ExtendApi;
  ssm: SSMClient;
  ddb: DynamoDBDocumentClient;
  clock: Clock;
  log: Logger;
}

export class ExtendSession {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly d: SessionDeps) {}

  /** A usable access token: the cached one, a renewed one when it is close to expiry, or a fresh sign-in. */
  accessToken(email: string): Promise<string> {
    return this.once(`token:${email}`, async () => {
      const cached = await this.read(email);
      if (!cached) return this.signIn(email);
      if (cached.expiresAt * 1000 - this.d.clock.now() > RENEW_MARGIN_MS) return cached.accessToken;
      try {
        return await this.renewOrSignIn(email, cached.refreshToken);
      } catch (e) {
        // An early renewal that failed (Extend throttling, down) must not fail a request the old token can still serve.
        if (cached.expiresAt * 1000 > this.d.clock.now()) return cached.accessToken;
        throw e;
      }
    });
  }

  /** Extend refused `rejected` (401): renew once, or sign in; callers refused together share the attempt. */
  afterRejection(email: string, rejected: string): Promise<string> {
    return this.once(`rejected:${email}`, async () => {
      const cached = await this.read(email);
      if (!cached) return this.signIn(email);
      // Someone else already replaced the refused token.
      if (cached.accessToken !== rejected) return cached.accessToken;
      return this.renewOrSignIn(email, cached.refreshToken);
    });
  }

  private once(key: string, work: () => Promise<string>): Promise<string> {
    const running = this.inflight.get(key);
    if (running) return running;
    const p = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** The cached session, unless absent or expired by our clock. */
  private async read(email: string): Promise<CachedSession | undefined> {
    const out = await awsCall('DynamoDB GetItem (Extend sessions)', () =>
      this.d.ddb.send(new GetCommand({ TableName: this.d.cfg.extendTokenTable, Key: { email }, ConsistentRead: true })));
    const item = out.Item as CachedSession | undefined;
    if (!item || typeof item.accessToken !== 'string' || typeof item.expiresAt !== 'number') return undefined;
    if (item.expiresAt * 1000 <= this.d.clock.now()) return undefined;
    this.d.log.addSecretValues([item.accessToken, item.refreshToken]);
    return item;
  }

  private async renewOrSignIn(email: string, refreshToken: string): Promise<string> {
    const res = await this.d.api.send('POST', '/renewauth', { json: { refreshToken } });
    // A refused refresh token (expired, revoked) means a new sign-in; any other failure is Extend's.
    if (res.status === 400 || res.status === 401) {
      this.d.log.info('extend renewal refused; signing in again', { email, status: res.status });
      return this.signIn(email);
    }
    if (res.status >= 300) throw upstreamError(EXTEND, res);
    const body = extendJson<{ token?: unknown; refreshToken?: unknown }>(res);
    this.d.log.info('extend session renewed', { email });
    return this.store(email, body.token, body.refreshToken ?? refreshToken);
  }

  private async signIn(email: string): Promise<string> {
    const password = await this.password(email);
    const res = await this.d.api.send('POST', '/signin', { json: { email, password } });
    if (res.status >= 300) throw upstreamError(EXTEND, res);
    const body = extendJson<{ token?: unknown; refreshToken?: unknown }>(res);
    this.d.log.info('extend sign-in', { email });
    return this.store(email, body.token, body.refreshToken);
  }

  private async password(email: string): Promise<string> {
    const Name = passwordParameter(this.d.cfg.passwordSsmPrefix, email);
    const out = await awsCall('SSM GetParameter', async () => {
      try {
        return await this.d.ssm.send(new GetParameterCommand({ Name, WithDecryption: true }));
      } catch (e) {
        if ((e as { name?: string }).name !== 'ParameterNotFound') throw e;
        throw new ProxyError(502, 'extend_credentials_missing', 'no Extend credentials are stored for this user', { parameter: Name });
      }
    });
    const value = out.Parameter?.Value;
    if (!value) throw new ProxyError(502, 'extend_credentials_missing', 'no Extend credentials are stored for this user', { parameter: Name });
    this.d.log.addSecretValues([value]);
    return value;
  }

  private async store(email: string, token: unknown, refreshToken: unknown): Promise<string> {
    if (typeof token !== 'string' || !token || typeof refreshToken !== 'string' || !refreshToken) {
      throw new ProxyError(502, 'upstream_invalid_response', `${EXTEND} answered a sign-in without tokens`, { upstream: 'extend' });
    }
    this.d.log.addSecretValues([token, refreshToken]);
    const now = this.d.clock.now();
    const item: CachedSession = { email, accessToken: token, refreshToken, issuedAt: new Date(now).toISOString(), expiresAt: Math.floor(now / 1000) + SESSION_TTL_SECONDS };
    await awsCall('DynamoDB PutItem (Extend sessions)', () => this.d.ddb.send(new PutCommand({ TableName: this.d.cfg.extendTokenTable, Item: item })));
    return token;
  }
}
