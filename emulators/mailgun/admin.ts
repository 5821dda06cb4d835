/**
 * Mailgun-specific /__admin routes, beside the frame's state/journal/reset/faults:
 *   GET  /__admin/messages                       captured messages, newest last
 *   GET  /__admin/messages/:id                   one message parsed: html and text apart, recipients, headers…
 *   GET  /__admin/messages/:id/attachments/:n    an attachment's bytes
 *   POST /__admin/messages/:id/events            {event: opened|clicked|failed|delivered|complained|unsubscribed,
 *                                                 recipient?, severity?, reason?, code?, description?, url?}
 *   GET  /__admin/webhooks                       outgoing webhook calls with their status
 *   GET|POST /__admin/webhooks/settings          {delayMs, retryDelaysMs, timeoutMs}
 * `:id` is the message id with or without its angle brackets, URL-encoded.
 */
import type { Router } from 'express';
import type { StoredMessage } from './messages.ts';
import { MailgunError } from './errors.ts';
import { type MailgunState, TRIGGER_TYPES, type TriggerSpec } from './state.ts';
import type { WebhookDispatcher, WebhookOptions } from './webhooks.ts';

const summary = (m: StoredMessage) => ({ id: m.id, domain: m.domain, createdAt: m.createdAt, from: m.from, to: m.to, subject: m.subject, tags: m.tags, recipients: m.renderings.length, attachments: m.attachments.length });

const attachmentMeta = (list: StoredMessage['attachments']) => list.map((a, index) => ({ index, filename: a.filename, contentType: a.contentType, size: a.size }));

function detail(state: MailgunState, m: StoredMessage) {
  return {
    ...summary(m),
    cc: m.cc,
    bcc: m.bcc,
    text: m.text ?? null,
    html: m.html ?? null,
    headers: m.headers,
    variables: m.variables,
    options: m.options,
    recipientVariables: m.recipientVariables ?? null,
    recipients: m.renderings,
    attachments: attachmentMeta(m.attachments),
    inline: attachmentMeta(m.inline),
    events: state.events.forMessage(m.id),
  };
}

function triggerSpec(body: unknown): TriggerSpec {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (!(TRIGGER_TYPES as readonly unknown[]).includes(b.event)) throw new MailgunError(400, `event must be one of ${TRIGGER_TYPES.join(', ')}`);
  if (b.severity !== undefined && b.severity !== 'permanent' && b.severity !== 'temporary') throw new MailgunError(400, 'severity must be permanent or temporary');
  const str = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
  return { event: b.event as TriggerSpec['event'], recipient: str('recipient'), severity: b.severity as TriggerSpec['severity'], reason: str('reason'), code: typeof b.code === 'number' ? b.code : undefined, description: str('description'), url: str('url') };
}

function webhookSettings(body: unknown): Partial<WebhookOptions> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const ms = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 600_000;
  const out: Partial<WebhookOptions> = {};
  if (b.delayMs !== undefined) out.delayMs = ms(b.delayMs) ? (b.delayMs as number) : fail('delayMs must be 0-600000');
  if (b.timeoutMs !== undefined) out.timeoutMs = ms(b.timeoutMs) && (b.timeoutMs as number) > 0 ? (b.timeoutMs as number) : fail('timeoutMs must be 1-600000');
  if (b.retryDelaysMs !== undefined) out.retryDelaysMs = Array.isArray(b.retryDelaysMs) && b.retryDelaysMs.length <= 20 && b.retryDelaysMs.every(ms) ? (b.retryDelaysMs as number[]) : fail('retryDelaysMs must be a list of at most 20 delays');
  return out;
}

function fail(message: string): never {
  throw new MailgunError(400, message);
}

export function mailgunAdmin(state: MailgunState, webhooks: WebhookDispatcher): (router: Router) => void {
  const missing = (what: string): never => {
    throw new MailgunError(404, `${what} not found`);
  };
  const find = (id: string) => state.message(id) ?? missing('Message');
  return (router) => {
    router.get('/messages', (_req, res) => res.json({ messages: state.listMessages().map(summary) }));
    router.get('/messages/:id', (req, res) => res.json(detail(state, find(req.params.id))));
    router.get('/messages/:id/attachments/:n', (req, res) => {
      const a = find(req.params.id).attachments[Number(req.params.n)] ?? missing('Attachment');
      res.type(a.contentType || 'application/octet-stream').setHeader('content-disposition', `attachment; filename="${a.filename.replace(/"/g, '')}"`);
      res.send(a.bytes);
    });
    router.post('/messages/:id/events', (req, res) => res.status(201).json({ events: state.trigger(req.params.id, triggerSpec(req.body)) }));
    router.get('/webhooks', (_req, res) => res.json({ calls: webhooks.calls(), busy: webhooks.busy }));
    router.get('/webhooks/settings', (_req, res) => res.json(webhooks.settings));
    router.post('/webhooks/settings', (req, res) => res.json(webhooks.configure(webhookSettings(req.body))));
  };
}
