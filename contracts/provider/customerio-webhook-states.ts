/**
 * The Customer.io webhook states of the mobile pact's verification. A signature covers the exact bytes received,
 * which exist only once the verifier sends them, so the provider state supplies a fresh X-CIO-Timestamp and the
 * verifier's request filter signs the body it is about to forward — only where the pact's example carries the
 * all-zero "sign me" signature; a forged example stays forged, an old timestamp stays old.
 */
import type { IncomingMessage } from 'node:http';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { SIGN_ME } from '../consumer/mobile-app/privacy.ts';

export const freshWebhookTimestamp = (nowMs = Date.now()): Record<string, string> => ({ timestamp: String(Math.floor(nowMs / 1000)) });

/**
 * Signs a /webhooks/customerio request in place with `key`. pact-js's verifier proxy forwards a parsed JSON body
 * re-serialised (its parseBody: JSON.stringify), so those bytes are fixed here first and signed as they will go.
 */
export function signCustomerioRequest(req: IncomingMessage & { body?: unknown }, key: string): void {
  if (!(req.url ?? '').startsWith('/webhooks/customerio') || req.headers[SIGNATURE_HEADER] !== SIGN_ME) return;
  const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body === undefined ? '' : JSON.stringify(req.body));
  req.body = bytes;
  req.headers['content-length'] = String(bytes.length);
  req.headers[SIGNATURE_HEADER] = signCustomerioWebhook(key, String(req.headers[TIMESTAMP_HEADER] ?? ''), bytes);
}
