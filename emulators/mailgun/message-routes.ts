/**
 * Sending and the message store on the wire (documentation.mailgun.com "Sending"): POST messages and
 * messages.mime; the stored message (JSON, or MIME with Accept: message/rfc2822), its attachments, and resending
 * it; the domain's sending queues; and clearing the scheduled queue, which mailgun.js sends to the storage host
 * (DELETE https://storage-…api.mailgun.net/v3/{domain}/envelopes — a client reaches the fake through its `proxy`).
 */
import type { Express } from 'express';
import { parseAddressList } from './addresses.ts';
import { badRequest, notFound } from './errors.ts';
import { fieldAll, parseForm } from './form.ts';
import { parseMimeSendRequest } from './mime-request.ts';
import { parseSendRequest } from './send-request.ts';
import type { MailgunState } from './state.ts';
import { storedJson, storedMime } from './stored-message.ts';
import { handle, origin, param } from './wire.ts';

// Documented success body: {"id": "<…@domain>", "message": "Queued. Thank you."}
const queued = (id: string) => ({ body: { id, message: 'Queued. Thank you.' } });

export function messageRoutes(app: Express, state: MailgunState): void {
  app.post('/v3/:domain/messages', handle(async (req) => {
    const domain = state.domain(param(req, 'domain')).name;
    return queued(state.send(domain, parseSendRequest(await parseForm(req.body, req.headers['content-type']))).id);
  }));

  app.post('/v3/:domain/messages.mime', handle(async (req) => {
    const domain = state.domain(param(req, 'domain')).name;
    // "You must use multipart/form-data encoding." (messages.mime)
    if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) throw badRequest(`Invalid request content type. Expecting 'multipart/form-data' but got '${req.headers['content-type'] ?? ''}'`);
    return queued(state.send(domain, await parseMimeSendRequest(await parseForm(req.body, req.headers['content-type']))).id);
  }));

  const storedPath = '/v3/domains/:domain/messages/:key';
  app.get(storedPath, (req, res, next) => {
    // Accept: message/rfc2822 asks for the raw MIME instead of the parsed parts.
    if (!/message\/rfc2822/i.test(req.headers.accept ?? '')) return next();
    return handle(() => ({ body: storedMime(state.stored(param(req, 'domain'), param(req, 'key'))) }))(req, res, next);
  }, handle((req) => {
    const m = state.stored(param(req, 'domain'), param(req, 'key'));
    const base = `${origin(req)}/v3/domains/${m.domain}/messages/${m.storageKey}/attachments`;
    return { body: storedJson(m, (i) => `${base}/${i}`) };
  }));

  app.get(`${storedPath}/attachments/:n`, handle((req) => {
    const n = param(req, 'n');
    const a = /^\d+$/.test(n) ? state.stored(param(req, 'domain'), param(req, 'key')).attachments[Number(n)] : undefined;
    if (!a) throw notFound('Attachment not found');
    return { body: null, raw: { contentType: a.contentType || 'application/octet-stream', bytes: a.bytes } };
  }));

  app.post(storedPath, handle(async (req) => {
    const form = await parseForm(req.body, req.headers['content-type']);
    // "Provide a form parameter “to” with a string of comma separated email addresses."
    const values = fieldAll(form, 'to');
    if (values.length === 0) throw badRequest("'to' parameter is missing");
    const parsed = parseAddressList(values);
    if (!parsed.ok) throw badRequest("'to' parameter is not a valid address. please check documentation");
    return queued(state.resend(param(req, 'domain'), param(req, 'key'), parsed.addresses).id);
  }));

  app.get('/v3/domains/:domain/sending_queues', handle((req) => {
    state.domain(param(req, 'domain'));
    // Neither queue is ever disabled in the fake (that is Mailgun's rate limiting of an account).
    const open = { is_disabled: false, disabled: { until: '', reason: '' } };
    return { body: { regular: open, scheduled: { ...open } } };
  }));

  app.delete('/v3/:domain/envelopes', handle((req) => {
    state.clearQueue(param(req, 'domain'));
    return { body: { message: 'done' } };
  }));
}
