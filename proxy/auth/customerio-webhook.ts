/**
 * Customer.io reporting-webhook signatures (docs: "Reporting Webhooks", securely verify requests): every webhook
 * carries `X-CIO-Timestamp` (Unix seconds) and `X-CIO-Signature`, the hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`
 * under the workspace's webhook signing key. Verified over the bytes as received (never a re-serialised body), in
 * constant time, against every key of the set (a rotated key and its predecessor both verify during the overlap;
 * every key is tried, so timing does not tell which matched); then the timestamp's age; then replays.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReplayCache } from './mailgun-webhook.ts';

export type CioWebhookVerdict =
  | { ok: true; signature: string; timestamp: number }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' | 'replayed'; message: string };

export interface CioWebhookCheck {
  keys: string[];
  /** Epoch milliseconds. */
  now: number;
  maxAgeSeconds: number;
  replays: ReplayCache;
}

export const TIMESTAMP_HEADER = 'x-cio-timestamp';
export const SIGNATURE_HEADER = 'x-cio-signature';

/** The signature Customer.io sends for `body` at `timestamp` (the fake signs with this, tests and pacts too). */
export function signCustomerioWebhook(key: string, timestamp: number | string, body: Buffer | string): string {
  return createHmac('sha256', key).update(`v0:${timestamp}:`).update(body).digest('hex');
}

export function verifyCustomerioWebhook(headers: Record<string, string>, body: Buffer, o: CioWebhookCheck): CioWebhookVerdict {
  const timestamp = headers[TIMESTAMP_HEADER]?.trim();
  const signature = headers[SIGNATURE_HEADER]?.trim();
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return fail('malformed', `${TIMESTAMP_HEADER} must be Unix seconds`);
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return fail('malformed', `${SIGNATURE_HEADER} must be a hex SHA-256 HMAC`);
  const given = Buffer.from(signature, 'hex');
  let matched = false;
  for (const key of o.keys) {
    const expected = Buffer.from(signCustomerioWebhook(key, timestamp, body), 'hex');
    matched = timingSafeEqual(expected, given) || matched;
  }
  if (!matched) return fail('bad_signature', 'the webhook signature does not verify');
  const ts = Number(timestamp);
  const nowSeconds = Math.floor(o.now / 1000);
  if (Math.abs(nowSeconds - ts) > o.maxAgeSeconds) return fail('stale', `the webhook timestamp is more than ${o.maxAgeSeconds} s away from now`);
  if (o.replays.seen(signature.toLowerCase(), nowSeconds)) return fail('replayed', 'this webhook was already received');
  return { ok: true, signature: signature.toLowerCase(), timestamp: ts };
}

const fail = (reason: Exclude<CioWebhookVerdict, { ok: true }>['reason'], message: string): CioWebhookVerdict => ({ ok: false, reason, message });
