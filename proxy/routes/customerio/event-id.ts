/**
 * The id Customer.io deduplicates events by ("id": a ULID; a repeated id is not stored again — Track API,
 * "Track a customer event"). When the app sends none, the proxy derives one from the request, so that the same
 * request retried gets the same id. A retry comes back through the gateway, which signs it afresh with a new Date
 * and request id, so the id is derived only from what a retry keeps, in this order:
 *
 *  1. the event's own `id`: used as it is;
 *  2. an `Idempotency-Key` header: the id is a hash of (route, who, key) — one key is one event, however often
 *     and whenever it is retried. This is what an app should send (a UUID per event, kept across retries);
 *  3. a `timestamp` in the event: a hash of (route, who, the whole event) — two events that differ in anything,
 *     their second included, stay two events; two events identical to the second are one;
 *  4. neither: a hash of (route, who, the whole event, the minute of the gateway's signed Date). A retry within
 *     the same minute window is recognised; a retry that crosses a window boundary is stored again, and two
 *     identical events (same name and data, no timestamp) inside one window are one. Nothing in such a request
 *     can tell a retry from a second event, so this is the limit: send a timestamp or an Idempotency-Key.
 *
 * "who" is the resolved customer (the verified email or the hashed anonymous id), so two people's identical events
 * never merge. The ULID's time part is the event's time when known (1, 3: its timestamp; 4: the window's start),
 * so Customer.io still sorts by it; the rest comes from the hash.
 */
import { canonicalJson, digestOf, idempotencyKeyOf } from '../../core/idempotency.ts';
import type { RouteRequest } from '../../core/types.ts';

/** The window of rule 4: short, because every identical event inside it is taken for a retry. */
export const EVENT_ID_WINDOW_SECONDS = 60;

export function deriveEventId(req: RouteRequest, who: string, event: { timestamp?: number }, now: number): string {
  const route = `${req.method} ${req.path}`;
  const key = idempotencyKeyOf(req);
  if (key !== undefined) return ulidFrom(event.timestamp !== undefined ? event.timestamp * 1000 : undefined, digestOf('key', route, who, key));
  const body = canonicalJson(event);
  if (event.timestamp !== undefined) return ulidFrom(event.timestamp * 1000, digestOf('event', route, who, body));
  const signedAt = Date.parse(req.headers.date ?? '');
  const windowMs = EVENT_ID_WINDOW_SECONDS * 1000;
  const start = Math.floor((Number.isNaN(signedAt) ? now : signedAt) / windowMs) * windowMs;
  return ulidFrom(start, digestOf('window', route, who, body, String(start)));
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_ULID_TIME = 2 ** 48 - 1;

/** A ULID (26 Crockford base32 characters, 48-bit ms time + 80 bits) from a time and a hash. */
export function ulidFrom(timeMs: number | undefined, hash: Buffer): string {
  const time = timeMs !== undefined && Number.isFinite(timeMs) && timeMs >= 0 && timeMs <= MAX_ULID_TIME
    ? BigInt(Math.floor(timeMs))
    : BigInt(`0x${hash.subarray(20, 26).toString('hex')}`) & BigInt(MAX_ULID_TIME);
  const value = (time << 80n) | BigInt(`0x${hash.subarray(0, 10).toString('hex')}`);
  let out = '';
  for (let i = 25; i >= 0; i--) out += CROCKFORD[Number((value >> BigInt(i * 5)) & 31n)];
  return out;
}
