/**
 * Builders for the event documents Mailgun logs and posts to webhooks, following the samples in
 * documentation.mailgun.com "Event Structure" / "Tracking Failures" (accepted, delivered, failed, opened).
 */
import { bareEmail } from './addresses.ts';
import { type EventType, type MailgunEvent, eventId } from './events.ts';
import { type StoredMessage, bareMessageId, messageSize, toHeaderFor } from './messages.ts';
import type { SuppressionHit } from './suppressions.ts';

export interface FailureSpec {
  severity: 'permanent' | 'temporary';
  reason: string;
  code: number;
  description: string;
}

function base(type: EventType, m: StoredMessage, recipient: string, now: number, baseUrl: string): MailgunEvent {
  return {
    id: eventId(),
    event: type,
    timestamp: now / 1000,
    'log-level': 'info',
    recipient,
    'recipient-domain': recipient.split('@')[1] ?? '',
    message: {
      headers: { to: toHeaderFor(m, recipient), 'message-id': bareMessageId(m.id), from: m.from, subject: m.renderings.find((r) => r.recipient === recipient)?.subject ?? m.subject },
      attachments: m.attachments.map((a) => ({ filename: a.filename, 'content-type': a.contentType, size: a.size })),
      size: messageSize(m),
    },
    tags: m.tags,
    'user-variables': m.variables,
    flags: { 'is-authenticated': true, 'is-test-mode': m.options.testmode === 'yes' || m.options.testmode === 'true' },
    storage: { url: `${baseUrl}/v3/domains/${m.domain}/messages/${m.storageKey}`, key: m.storageKey },
  };
}

export function acceptedEvent(m: StoredMessage, recipient: string, now: number, baseUrl: string): MailgunEvent {
  return { ...base('accepted', m, recipient, now, baseUrl), method: 'HTTP', envelope: { sender: bareEmail(m.from), transport: 'smtp', targets: recipient } };
}

export function deliveredEvent(m: StoredMessage, recipient: string, now: number, baseUrl: string): MailgunEvent {
  return {
    ...base('delivered', m, recipient, now, baseUrl),
    envelope: { sender: bareEmail(m.from), transport: 'smtp', targets: recipient, 'sending-ip': '127.0.0.1' },
    'delivery-status': { tls: true, 'mx-host': `mx.${recipient.split('@')[1] ?? 'local'}`, code: 250, description: '', 'session-seconds': 0.05, message: 'OK', 'attempt-no': 1, 'certificate-verified': true },
  };
}

export function failedEvent(m: StoredMessage, recipient: string, f: FailureSpec, now: number, baseUrl: string): MailgunEvent {
  return {
    ...base('failed', m, recipient, now, baseUrl),
    'log-level': f.severity === 'permanent' ? 'error' : 'warn',
    severity: f.severity,
    reason: f.reason,
    envelope: { sender: bareEmail(m.from), transport: 'smtp', targets: recipient },
    'delivery-status': { 'attempt-no': 1, message: f.description, code: f.code, description: f.description, 'session-seconds': 0 },
  };
}

/** A drop caused by a suppression list: permanent, never attempted (Tracking Failures: "Do Not Send" lists). */
export const suppressedFailure = (hit: SuppressionHit): FailureSpec => ({ severity: 'permanent', reason: hit.reason, code: hit.code, description: hit.description });

export function engagementEvent(type: 'opened' | 'clicked' | 'unsubscribed' | 'complained', m: StoredMessage, recipient: string, now: number, baseUrl: string, url?: string): MailgunEvent {
  const e = base(type, m, recipient, now, baseUrl);
  const client = { 'client-os': 'Linux', 'device-type': 'desktop', 'client-name': 'Firefox', 'client-type': 'browser', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' };
  return { ...e, ip: '127.0.0.1', geolocation: { country: 'US', region: 'CA', city: 'San Francisco' }, 'client-info': client, ...(type === 'clicked' && url ? { url } : {}) };
}
