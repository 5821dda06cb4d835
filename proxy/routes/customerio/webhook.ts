/**
 * `POST /webhooks/customerio`: Customer.io's reporting webhooks. The signature is verified over the raw bytes
 * first (proxy/auth/customerio-webhook.ts; the route does not parse JSON before that), then the event is acted on
 * and stored once per event_id.
 *
 * Answers, with Customer.io's retry policy in mind (docs, "Reporting Webhooks", timeouts and failures: a 4 s
 * timeout; any non-2xx is retried with exponential backoff for up to seven days, and later webhooks wait behind it):
 *   - forged, stale, replayed or unsigned: 401, stored nowhere. Customer.io signs each attempt afresh, so a real
 *     delivery never fails these checks; refusing is safe.
 *   - a verified body that is not a reporting event (a test ping, a shape this proxy does not know): 200, ignored —
 *     refusing a genuine delivery would only hold up every later one for a week.
 *   - a storage or Customer.io failure: 5xx, so the event is retried: nothing acknowledged is lost.
 * Acting first and storing second keeps a retried event acted on: suppression is idempotent, the store is not
 * written until the action happened.
 *
 * Suppression (seed 001: "Email bounced → Suppress user"): a person who unsubscribed (any channel), or whose email
 * bounced or was marked spam, is suppressed at Customer.io through the Track API. A push or SMS bounce names a dead
 * device or number, not a person who asked to be left alone, and suppresses no one.
 */
import { audit, subjectRef } from '../../core/audit.ts';
import { ProxyError } from '../../core/errors.ts';
import type { Handler } from '../../core/types.ts';
import { TIMESTAMP_HEADER, verifyCustomerioWebhook } from '../../auth/customerio-webhook.ts';
import { rotationAnnounced, verifyAcrossRereads } from '../../auth/key-recheck.ts';
import { WEBHOOK_KEY_NAMES } from './privacy-config.ts';
import { cioOf, privacyOf } from './deps.ts';
import { parseReportingEvent, type ReportingEvent } from './webhook-events.ts';

export function suppresses(e: ReportingEvent): boolean {
  if (e.metric === 'unsubscribed') return true;
  return e.objectType === 'email' && (e.metric === 'bounced' || e.metric === 'spammed');
}

export const customerioWebhook: Handler = async (req, deps) => {
  const p = privacyOf(deps);
  const now = deps.clock.now();
  const verify = () => verifyCustomerioWebhook(req.headers, req.body, { keys: p.webhookKeys(), now, maxAgeSeconds: p.cfg.webhookMaxAgeSeconds, replays: p.replays });
  // No key verifies a current timestamp: the key may have been rotated in the store since this container read it
  // (proxy/auth/key-recheck.ts: one re-read, or a few during an announced rotation); an old or garbage timestamp
  // never causes one.
  const fresh = Math.abs(Math.floor(now / 1000) - Number(req.headers[TIMESTAMP_HEADER])) <= p.cfg.webhookMaxAgeSeconds;
  const verdict = await verifyAcrossRereads(verify, (v) => !v.ok && v.reason === 'bad_signature' && fresh, deps.secrets,
    { holdMs: rotationAnnounced(deps.secrets, WEBHOOK_KEY_NAMES[0], now) ? p.cfg.webhookKeyRecheckMs : 0, reason: 'a Customer.io webhook no key verifies' });
  if (!verdict.ok) throw new ProxyError(401, `webhook_${verdict.reason}`, verdict.message);
  const remember = () => p.replays.remember(verdict.signature, Math.floor(now / 1000) + p.cfg.webhookMaxAgeSeconds);

  const event = parseReportingEvent(req.body);
  if (!event) {
    deps.log.warn('customer.io webhook without a reporting event acknowledged', { requestId: req.requestId });
    remember();
    return { status: 200, body: { received: true, stored: false, suppressed: false } };
  }
  let suppressed = false;
  if (suppresses(event) && event.customer) {
    await cioOf(deps).cio.call('track', 'POST', `customers/${encodeURIComponent(event.customer)}/suppress`);
    suppressed = true;
    audit(deps, { action: 'webhook.suppress', actor: 'customerio-webhook', resource: `customer:${subjectRef(event.customer)}`, outcome: 'success', requestId: req.requestId,
      details: { objectType: event.objectType, metric: event.metric, eventId: event.eventId } });
  }
  let stored: boolean;
  try {
    stored = await p.events.record(event, now);
  } catch (e) {
    deps.log.error('could not store a customer.io webhook event', { requestId: req.requestId, error: e as Error });
    throw new ProxyError(503, 'store_unavailable', 'the event could not be stored; retry later', undefined, { 'retry-after': '60' });
  }
  remember();
  return { status: 200, body: { received: true, stored, suppressed } };
};
