/**
 * Mailgun webhook signatures (documentation.mailgun.com "Securing Webhooks"): `signature.signature` is the hex
 * HMAC-SHA256 of `timestamp + token` under the webhook signing key. On top of the signature: the timestamp must
 * be recent, and a token is accepted once (the replay cache remembers tokens for the age window, after which
 * the timestamp check refuses them anyway). Pure: time and the cache are passed in.
 * Several keys may be given (a rotated key and its predecessor during the overlap): every key is tried, so the
 * time taken does not tell which one matched.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookVerdict =
  | { ok: true; token: string; timestamp: number }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' | 'replayed'; message: string };

export interface ReplayCache {
  seen(token: string, nowSeconds: number): boolean;
  remember(token: string, expiresAtSeconds: number): void;
}

export interface WebhookCheck {
  /** Every key a webhook may be signed with now (current first). */
  signingKeys: string[];
  /** Epoch milliseconds. */
  now: number;
  maxAgeSeconds: number;
  replays: ReplayCache;
}

export function verifyMailgunWebhook(body: unknown, o: WebhookCheck): WebhookVerdict {
  const sig = (body as { signature?: Record<string, unknown> } | undefined)?.signature;
  const { timestamp, token, signature } = sig ?? {};
  // Unix seconds in digits, as Mailgun sends them. The HMAC covers `timestamp + token` with no separator, so a
  // looser timestamp let a used signature be split anew: ("1733100000", "e0ab…") signed the same bytes as
  // ("1733100000e0", "ab…"), a number just as recent with a token the replay cache had never seen.
  if (!((typeof timestamp === 'string' && /^\d{1,12}$/.test(timestamp)) || (typeof timestamp === 'number' && Number.isSafeInteger(timestamp) && timestamp >= 0))) {
    return fail('malformed', 'signature.timestamp must be Unix seconds');
  }
  if (typeof token !== 'string' || token.length === 0 || token.length > 256) return fail('malformed', 'signature.token is missing');
  if (typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature)) return fail('malformed', 'signature.signature is not a hex SHA-256 HMAC');
  const given = Buffer.from(signature, 'hex');
  let matched = false;
  for (const key of o.signingKeys) matched = timingSafeEqual(createHmac('sha256', key).update(String(timestamp) + token).digest(), given) || matched;
  if (!matched) return fail('bad_signature', 'the webhook signature does not verify');
  const ts = Number(timestamp);
  const nowSeconds = Math.floor(o.now / 1000);
  if (!Number.isFinite(ts) || Math.abs(nowSeconds - ts) > o.maxAgeSeconds) return fail('stale', `the webhook timestamp is more than ${o.maxAgeSeconds} s away from now`);
  if (o.replays.seen(token, nowSeconds)) return fail('replayed', 'this webhook token was already used');
  return { ok: true, token, timestamp: ts };
}

const fail = (reason: Exclude<WebhookVerdict, { ok: true }>['reason'], message: string): WebhookVerdict => ({ ok: false, reason, message });

/** Tokens in memory, dropped once expired; bounded so a flood cannot grow it without limit. */
export function memoryReplayCache(maxEntries = 100_000): ReplayCache {
  const tokens = new Map<string, number>();
  return {
    seen(token, now) {
      const until = tokens.get(token);
      if (until === undefined) return false;
      if (until < now) {
        tokens.delete(token);
        return false;
      }
      return true;
    },
    remember(token, expiresAt) {
      if (tokens.size >= maxEntries) {
        // Oldest first: Map keeps insertion order.
        const oldest = tokens.keys().next().value;
        if (oldest !== undefined) tokens.delete(oldest);
      }
      tokens.set(token, expiresAt);
    },
  };
}
