/**
 * `POST /webhooks/mailgun`: Mailgun's event webhooks. Verified first (signature, age, replay); a webhook that
 * fails any check is answered 406 and stored nowhere — 406 is the one status Mailgun treats as "rejected, do not
 * retry" (documentation: Webhooks, "Automatic Retries"), and resending the same forged, stale or replayed payload
 * can never succeed. A storage failure answers 503 so Mailgun retries; the token is remembered only after the
 * event is stored, so that retry is not taken for a replay.
 */
import { ProxyError } from '../../core/errors.ts';
import { isEpochSeconds } from '../../core/validate.ts';
import type { Handler } from '../../core/types.ts';
import { rotationAnnounced, verifyAcrossRereads } from '../../auth/key-recheck.ts';
import { verifyMailgunWebhook } from '../../auth/mailgun-webhook.ts';
import { MAILGUN_WEBHOOK_KEY_NAMES, mailgunWebhookKeysOf } from './config.ts';
import { mailOf } from './deps.ts';
import { bareMessageId } from './mailgun.ts';
import { ENGAGEMENTS, type DeliveryEvent, type Engagement, type Outcome } from './deliveries.ts';

/** Mailgun's event (event-data.event, with severity for `failed`) as a delivery outcome; engagement apart. */
function outcomeOf(event: string, severity: unknown): Outcome | undefined {
  if (event === 'accepted' || event === 'delivered') return event;
  // Mailgun sends severity with every failure (Events API); one without it is read as final, as the legacy
  // "bounced"/"dropped" events were.
  if (event === 'failed') return severity === 'temporary' ? 'temporary_fail' : 'permanent_fail';
  return undefined;
}

export const mailgunWebhook: Handler = async (req, deps) => {
  const mail = mailOf(deps);
  const now = deps.clock.now();
  // The keys as the store holds them now. A current signature none verifies gets a re-read of the store (Mailgun
  // switches keys at once; proxy/auth/key-recheck.ts); an old or garbage timestamp never causes one.
  const ts = Number((req.json as { signature?: { timestamp?: unknown } } | undefined)?.signature?.timestamp);
  const fresh = Math.abs(Math.floor(now / 1000) - ts) <= mail.cfg.webhookMaxAgeSeconds;
  const verdict = await verifyAcrossRereads(
    () => verifyMailgunWebhook(req.json, { signingKeys: mailgunWebhookKeysOf(deps.secrets), now, maxAgeSeconds: mail.cfg.webhookMaxAgeSeconds, replays: mail.replays }),
    (v) => !v.ok && v.reason === 'bad_signature' && fresh, deps.secrets,
    { holdMs: rotationAnnounced(deps.secrets, MAILGUN_WEBHOOK_KEY_NAMES[0], now) ? mail.cfg.webhookKeyRecheckMs : 0, reason: 'a Mailgun webhook no key verifies' },
  );
  if (!verdict.ok) {
    deps.log.warn('mailgun webhook refused', { requestId: req.requestId, reason: verdict.reason });
    throw new ProxyError(406, `webhook_${verdict.reason}`, verdict.message);
  }
  const event = toDeliveryEvent((req.json as { 'event-data'?: unknown })['event-data']);
  let stored = false;
  if (event) {
    try {
      stored = await mail.deliveries.record(event);
    } catch (e) {
      deps.log.error('could not store a mailgun event', { requestId: req.requestId, error: e as Error });
      throw new ProxyError(503, 'store_unavailable', 'the event could not be stored; retry later', undefined, { 'retry-after': '60' });
    }
  }
  mail.replays.remember(verdict.token, Math.floor(deps.clock.now() / 1000) + mail.cfg.webhookMaxAgeSeconds);
  // Events we do not track (or that are older than what we hold) are acknowledged so Mailgun stops sending them.
  return { status: 200, body: { message: 'Post received', stored } };
};

function toDeliveryEvent(data: unknown): DeliveryEvent | undefined {
  if (!data || typeof data !== 'object') throw new ProxyError(406, 'webhook_malformed', 'event-data is missing');
  const d = data as Record<string, any>;
  const messageId = d.message?.headers?.['message-id'];
  if (typeof d.event !== 'string' || typeof d.recipient !== 'string' || typeof messageId !== 'string' || typeof d.timestamp !== 'number') {
    throw new ProxyError(406, 'webhook_malformed', 'event-data needs event, recipient, timestamp and message.headers.message-id');
  }
  const outcome = outcomeOf(d.event, d.severity);
  const engagement = (ENGAGEMENTS as readonly string[]).includes(d.event) ? d.event as Engagement : undefined;
  if (!outcome && !engagement) return undefined;
  // They become the item's key: DynamoDB refuses empty key values and keys over 2048 (hash) / 1024 (range) bytes
  // (DynamoDB limits), which would be a storage failure, 503 and a retry that can never succeed.
  const id = bareMessageId(messageId);
  const recipient = d.recipient.toLowerCase();
  if (!id || !recipient || Buffer.byteLength(id) > 2048 || Buffer.byteLength(recipient) > 1024 || !isEpochSeconds(d.timestamp)) {
    throw new ProxyError(406, 'webhook_malformed', 'event-data has an empty or oversized message-id or recipient, or a timestamp that is not seconds since 1970 (0 to 253402300799)');
  }
  if (engagement) return { messageId: id, recipient, at: d.timestamp, engagement };
  return {
    messageId: id, recipient, at: d.timestamp, outcome: outcome!,
    reason: typeof d.reason === 'string' ? d.reason : typeof d['delivery-status']?.description === 'string' && d['delivery-status'].description ? d['delivery-status'].description : undefined,
    eventId: typeof d.id === 'string' ? d.id : undefined,
  };
}
