/**
 * CRM → Gatehouse mail routes (API Gateway `x-api-key`) and Mailgun → Gatehouse webhooks: each route's happy
 * path, an auth failure (no or a wrong key: the gateway's 403; a forged webhook signature: 406) and a refused input.
 * Codes: proxy/routes/mail/send.ts, proxy/routes/reports/keys.ts, proxy/auth/mailgun-webhook.ts.
 */
import { expect } from 'chai';
import { MatchersV3 as M } from '@pact-foundation/pact';
import type { GatehouseClient, SendMail } from '../../mobile-client/index.ts';
import type { InteractionSpec } from '../interaction.ts';
import { crmApiKey, gatehouseError, validationFailed } from '../matchers.ts';
import { KEYED_CAMPAIGN as KEYED, MOBILE_STATES as S } from './states.ts';

type Spec = InteractionSpec<GatehouseClient>;
type Req = Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>;

const key = { 'x-api-key': crmApiKey() };
const ORIGIN = 'http://127.0.0.1:5173';
const campaign = (extra: Partial<SendMail> = {}) => ({
  to: ['ada@example.com'], subject: 'Your July statement', html: '<p>Hello!</p>', text: 'Hello!', from: 'Distro Nation <reports@mg.gatehouse.local>',
  campaign: { name: 'july-payouts', type: 'financial' }, ...extra,
});
const { subject: _subject, ...withoutSubject } = campaign();
const MESSAGE_ID = '<20250801120000.1.ABCDEF@mg.gatehouse.local>';
const iso = (example: string) => M.regex('^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$', example);
// API Gateway's own answer to a missing or unknown key (REST API usage plans).
const forbidden = (what: string, req: Req): Spec => ({
  given: [S.unknownApiKey], uponReceiving: `${what} with an API key the gateway does not know`, ...req, headers: key,
  status: 403, responseBody: { message: 'Forbidden' }, errorCode: 'gateway_forbidden', call: req.call,
});
const refused = (what: string, code: string, message: string, req: Req, given = [S.crmApiKey]): Spec => ({
  given, uponReceiving: what, ...req, headers: key, status: 400, responseBody: gatehouseError(code, message), errorCode: code,
});

// Idempotency-Key: 1-255 visible ASCII characters (proxy/core/idempotency.ts); the CRM sends one per campaign.
const idempotencyKey = (example: string) => M.regex('^[\\x21-\\x7e]{1,255}$', example);
const JULY_KEY = 'crm-2025-07-july-payouts-0001';
const messageIds = () => M.eachLike({ id: M.regex('^<[^<>@\\s]+@[^<>@\\s]+>$', MESSAGE_ID), recipients: M.integer(1) });

const send: Spec[] = [
  { given: [S.crmApiKey, S.julyReports], uponReceiving: 'a financial campaign with July\'s reports linked', method: 'POST', path: '/send-mail',
    headers: { ...key, 'idempotency-key': idempotencyKey(JULY_KEY) },
    body: campaign({ attachReporting: true, customIds: ['DN-1001'], month: '7', year: '2025' }), status: 200, responseHeaders: { 'idempotency-key': M.like(JULY_KEY) },
    responseBody: { message: 'Queued', messages: messageIds(),
      links: M.eachLike({ customId: 'DN-1001', key: M.regex('^reports/DN-1001/2025/07/[^/]+$', 'reports/DN-1001/2025/07/royalty-statement.pdf'),
        url: M.regex('^https?://\\S+Key-Pair-Id=\\S+$', 'https://d111111abcdef8.cloudfront.net/reports/DN-1001/2025/07/royalty-statement.pdf?Expires=1&Signature=x&Key-Pair-Id=K1'),
        expiresAt: iso('2025-08-26T12:00:00.000Z') }),
      missingReports: [] },
    call: (c, b) => c.mail.send(b, JULY_KEY) },
  // A retry under the key of a campaign already sent: the first answer again, and nothing sent twice.
  { given: [S.crmApiKey, S.mailSentWithKey], uponReceiving: 'a campaign retried with the Idempotency-Key it was sent with', method: 'POST', path: '/send-mail',
    headers: { ...key, 'idempotency-key': idempotencyKey(KEYED.key) }, body: KEYED.body, status: 200,
    responseHeaders: { 'idempotent-replayed': 'true', 'idempotency-key': M.like(KEYED.key) },
    responseBody: { message: 'Queued', messages: messageIds(), links: [], missingReports: [] },
    call: (c, b) => c.mail.send(b, KEYED.key) },
  { given: [S.crmApiKey, S.mailSentWithKey], uponReceiving: 'another campaign under an Idempotency-Key already used', method: 'POST', path: '/send-mail',
    headers: { ...key, 'idempotency-key': idempotencyKey(KEYED.key) }, body: { ...KEYED.body, subject: 'Something else' }, status: 422,
    responseBody: gatehouseError('idempotency_key_reused', 'this Idempotency-Key was used for a different request; use a new key for a new send'),
    errorCode: 'idempotency_key_reused', call: (c, b) => c.mail.send(b, KEYED.key) },
  forbidden('a campaign', { method: 'POST', path: '/send-mail', body: campaign(), call: (c, b) => c.mail.send(b) }),
  { ...refused('a campaign without a subject', 'validation_failed', '', { method: 'POST', path: '/send-mail', body: withoutSubject, call: (c, b) => c.mail.send(b) }),
    responseBody: validationFailed('subject', 'is required') },
];

const status: Spec[] = [
  { given: [S.crmApiKey, S.mailSent], uponReceiving: 'the delivery status of a sent campaign', method: 'GET',
    path: M.fromProviderState('/send-mail/${messageId}', `/send-mail/${encodeURIComponent(MESSAGE_ID)}`), headers: key, status: 200,
    responseBody: { id: M.like(MESSAGE_ID),
      summary: { recipients: M.integer(1), pending: M.integer(0), retrying: M.integer(0), delivered: M.integer(1), failed: M.integer(0),
        engagement: { opened: M.integer(0), clicked: M.integer(0), unsubscribed: M.integer(0), complained: M.integer(0) } },
      recipients: M.eachLike({ recipient: M.like('linus@example.com'), status: M.regex('^(accepted|delivered|failed)$', 'delivered'), at: iso('2025-08-01T12:00:05.000Z'), engagement: M.like({}) }) },
    call: async (c) => { const s = await c.mail.status(MESSAGE_ID); return { ...s, recipients: s.recipients.map(({ recipient, status: st, at, engagement }) => ({ recipient, status: st, at, engagement })) }; } },
  forbidden('a delivery status', { method: 'GET', path: `/send-mail/${encodeURIComponent(MESSAGE_ID)}`, call: (c) => c.mail.status(MESSAGE_ID) }),
  refused('a delivery status for a message id longer than 512 characters', 'invalid_message_id', 'the message id is empty or too long', {
    method: 'GET', path: `/send-mail/${'x'.repeat(513)}`, call: (c) => c.mail.status('x'.repeat(513)) }),
];

const reports: Spec[] = [
  { given: [S.crmApiKey, S.julyReports], uponReceiving: 'the files of DN-1001\'s July 2025 folder', method: 'GET', path: '/reports', query: { prefix: 'DN-1001/2025/07/' },
    headers: key, status: 200,
    responseBody: { prefix: 'reports/DN-1001/2025/07/', folders: [], files: M.eachLike({ key: M.regex('^reports/DN-1001/2025/07/[^/]+$', 'reports/DN-1001/2025/07/royalty-statement.pdf'), size: M.integer(1024) }) },
    call: async (c) => { const l = await c.mail.reports('DN-1001/2025/07/'); return { prefix: l.prefix, folders: l.folders, files: l.files.map(({ key: k, size }) => ({ key: k, size })) }; } },
  forbidden('a report listing', { method: 'GET', path: '/reports', call: (c) => c.mail.reports() }),
  refused('a report listing above the reports folder', 'invalid_prefix', 'prefix may not contain "." or ".." segments', { method: 'GET', path: '/reports',
    query: { prefix: '../' }, call: (c) => c.mail.reports('../') }),
  { given: [S.crmApiKey, S.julyReports], uponReceiving: 'a download URL for one report', method: 'GET', path: '/reports/url',
    query: { key: 'reports/DN-1001/2025/07/royalty-statement.pdf' }, headers: key, status: 200,
    responseBody: { key: 'reports/DN-1001/2025/07/royalty-statement.pdf', url: M.regex('^https?://\\S+$', 'http://127.0.0.1:4566/reports/reports/DN-1001/2025/07/royalty-statement.pdf?X-Amz-Signature=x'),
      expiresAt: iso('2025-08-01T13:00:00.000Z') },
    call: (c) => c.mail.reportUrl('reports/DN-1001/2025/07/royalty-statement.pdf') },
  forbidden('a report download URL', { method: 'GET', path: '/reports/url', query: { key: 'reports/DN-1001/2025/07/royalty-statement.pdf' },
    call: (c) => c.mail.reportUrl('reports/DN-1001/2025/07/royalty-statement.pdf') }),
  { given: [S.crmApiKey, S.julyReports], uponReceiving: 'a download URL for a report that does not exist', method: 'GET', path: '/reports/url',
    query: { key: 'reports/DN-1001/2025/07/no-such-statement.pdf' }, headers: key, status: 404,
    responseBody: gatehouseError('object_not_found', 'File not found or has been moved'), errorCode: 'object_not_found',
    call: (c) => c.mail.reportUrl('reports/DN-1001/2025/07/no-such-statement.pdf') },
  refused('a download URL for a file type reports never have', 'file_type_not_allowed', 'only .pdf, .csv, .xlsx, .zip files can be downloaded', { method: 'GET', path: '/reports/url',
    query: { key: 'reports/DN-1001/2025/07/run.exe' }, call: (c) => c.mail.reportUrl('reports/DN-1001/2025/07/run.exe') }),
  // A browser page (the CRM's file browser) preflights each reports route: x-api-key is not a safelisted header.
  // The gateway lets the preflight through without a key, as API Gateway's CORS OPTIONS method does.
  ...(['/reports', '/reports/url'] as const).map((path): Spec => ({
    given: [S.reportsCorsOrigin], uponReceiving: `a browser's preflight for ${path}`, method: 'OPTIONS', path,
    headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' }, status: 204,
    responseHeaders: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': 'x-api-key', 'access-control-max-age': '3600' },
    call: async (c) => {
      // The Rust mock server appends CORS headers of its own to every answer, so the interaction's are read as included.
      const { status, headers } = await c.mail.reportsPreflight(path, ORIGIN);
      expect(status).to.equal(204);
      expect(headers['access-control-allow-origin']).to.include(ORIGIN);
      expect(headers['access-control-allow-headers']).to.include('x-api-key');
    } })),
  { given: [], uponReceiving: 'a preflight for /reports from an origin not on its list', method: 'OPTIONS', path: '/reports',
    headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' }, status: 403,
    responseBody: gatehouseError('cors_not_allowed', 'this origin, method or header is not allowed'), errorCode: 'cors_not_allowed',
    call: (c) => c.mail.reportsPreflight('/reports', 'http://evil.test') },
];

// Mailgun signs timestamp+token with the domain's webhook key (documentation.mailgun.com, "Securing Webhooks");
// the provider state signs afresh, since a signature is valid for minutes and each token once.
const signature = (forged: boolean) => ({
  timestamp: M.fromProviderState('${timestamp}', '1754049600'),
  token: M.fromProviderState('${token}', 'a'.repeat(50)),
  signature: forged ? 'f'.repeat(64) : M.fromProviderState('${signature}', '0'.repeat(64)),
});
const event = { id: M.like('Ase7i2zsRYeDXztHGENqRA'), event: 'failed', severity: 'permanent', reason: 'bounce', timestamp: M.number(1754049605.5),
  recipient: 'linus@example.com', message: { headers: { 'message-id': M.like('20250801120000.1.ABCDEF@mg.gatehouse.local') } } };
const webhook = (forged: boolean) => ({ signature: signature(forged), 'event-data': event });

const webhooks: Spec[] = [
  { given: [S.mailgunSigns], uponReceiving: 'a signed Mailgun event', method: 'POST', path: '/webhooks/mailgun', body: webhook(false), status: 200,
    responseBody: { message: 'Post received', stored: M.boolean(true) }, call: (c, b) => c.mail.mailgunEvent(b) },
  { given: [S.mailgunSigns], uponReceiving: 'a Mailgun event with a forged signature', method: 'POST', path: '/webhooks/mailgun', body: webhook(true), status: 406,
    responseBody: gatehouseError('webhook_bad_signature', 'the webhook signature does not match'), errorCode: 'webhook_bad_signature', call: (c, b) => c.mail.mailgunEvent(b) },
  { given: [S.mailgunSigns], uponReceiving: 'a Mailgun post without event-data', method: 'POST', path: '/webhooks/mailgun', body: { signature: signature(false) }, status: 406,
    responseBody: gatehouseError('webhook_malformed', 'event-data is missing'), errorCode: 'webhook_malformed', call: (c, b) => c.mail.mailgunEvent(b) },
];

export const mailInteractions: Spec[] = [...send, ...status, ...reports, ...webhooks];
