/**
 * What every route that must not act twice shares: the client's `Idempotency-Key` header (IETF draft
 * "The Idempotency-Key HTTP Header Field"; Stripe's rules), and a canonical form of a JSON body so that the same
 * request re-serialised with its keys in another order is still recognised as the same request.
 */
import { createHash } from 'node:crypto';
import { badRequest } from './errors.ts';
import type { RouteRequest } from './types.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** The client's key, or undefined when it sent none; 1–255 visible ASCII characters (Stripe allows 255). */
export function idempotencyKeyOf(req: RouteRequest): string | undefined {
  const raw = req.headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined) return undefined;
  // The draft's value is an sf-string, '"…"'; a bare token is what clients (and Stripe) send. Accept both.
  const key = raw.trim().replace(/^"(.*)"$/s, '$1');
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters (a UUID is a good one)');
  }
  return key;
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined);
    return `{${entries.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 over the parts, each length-prefixed so that ("ab","c") and ("a","bc") differ. */
export function digestOf(...parts: string[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${Buffer.byteLength(p)}:`).update(p);
  return h.digest();
}
