/**
 * Starting requests for each fake's wire protocol and its /__admin API: what a real client of that service sends,
 * with the seeds' credentials. Nothing here can disable a fake for the rest of a run: no /__admin/reset, no
 * Vault seal, no webhook registration, and fault specs aimed at a path nobody calls. Writes go to fuzz-only names.
 */
import { request, type RequestModel } from './request.ts';
import type { Random } from './random.ts';

/** A starting request; the case's random source is offered for templates that vary (most ignore it). */
export type Make = (rng?: Random) => RequestModel;

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/**
 * The shared admin API every fake has. The fault spec can never become valid whatever a mutation does to it (its
 * status is a string, and no mutation turns a value into an integer 100-599), so the fuzz never injects a fault.
 */
export const adminTemplates: Make[] = [
  // A read of the whole state or journal costs what the fuzz has stored so far (a 20 MB snapshot after 10,000
  // requests blocked the fake for seconds): asked for now and then, as a test would, else the cheap health check.
  (rng) => request('GET', rng && !rng.chance(0.05) ? '/__admin/health' : '/__admin/state'),
  () => request('GET', '/__admin/health'),
  (rng) => request('GET', rng && !rng.chance(0.05) ? '/__admin/faults' : '/__admin/journal', { query: 'method=POST&path=/v1' }),
  () => request('GET', '/__admin/faults'),
  () => request('POST', '/__admin/faults', { json: { status: 'never-valid', count: 1, match: { method: 'GET', path: '/__fuzz_never__' } } }),
];

export interface FakeCredentials {
  extendBearer: string;
}

const CIO_TRACK = { authorization: basic('local-fake-site-id', 'local-fake-track-api-key') };
const CIO_APP = { authorization: 'Bearer local-fake-app-api-key' };

export const customerioTemplates: Make[] = [
  () => request('PUT', '/api/v1/customers/ada@example.com', { headers: CIO_TRACK, json: { email: 'ada@example.com', first_name: 'Ada', plan: 'premium' } }),
  () => request('POST', '/api/v1/customers/ada@example.com/events', { headers: CIO_TRACK, json: { name: 'item_purchased', data: { price: 29.99, sku: 'a-1' } } }),
  () => request('POST', '/api/v1/events', { headers: CIO_TRACK, json: { name: 'app_opened', anonymous_id: 'device-1', data: {} } }),
  () => request('PUT', '/api/v1/customers/ada@example.com/devices', { headers: CIO_TRACK, json: { device: { id: 'fcm-fuzz-1', platform: 'android', last_used: 1_700_000_000 } } }),
  () => request('DELETE', '/api/v1/customers/ada@example.com/devices/fcm-fuzz-1', { headers: CIO_TRACK }),
  () => request('POST', '/api/v1/push/events', { headers: CIO_TRACK, json: { delivery_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', event: 'opened', device_id: 'fcm-fuzz-1', timestamp: 1_700_000_000 } }),
  () => request('POST', '/api/v1/metrics', { headers: CIO_TRACK, json: { delivery_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', metric: 'clicked', timestamp: 1_700_000_000 } }),
  () => request('POST', '/v1/send/email', { headers: CIO_APP, json: { transactional_message_id: 1, to: 'ada@example.com', identifiers: { email: 'ada@example.com' }, message_data: { name: 'Ada' } } }),
  () => request('POST', '/v1/send/push', { headers: CIO_APP, json: { transactional_message_id: 2, identifiers: { email: 'ada@example.com' }, message_data: {} } }),
  () => request('POST', '/v1/campaigns/7/triggers', { headers: CIO_APP, json: { data: { headline: 'Hello' } } }),
  () => request('GET', '/v1/customers/ada@example.com/activities', { headers: CIO_APP, query: 'limit=10&type=event' }),
  () => request('POST', '/api/v1/merge_customers', { headers: CIO_TRACK, json: { primary: { email: 'ada@example.com' }, secondary: { id: 'fuzz-duplicate' } } }),
  () => request('POST', '/api/v1/segments/5/add_customers', { headers: CIO_TRACK, query: 'id_type=email', json: { ids: ['fuzz@example.com'] } }),
  () => request('POST', '/v1/send/sms', { headers: CIO_APP, json: { transactional_message_id: 3, to: '+15551234567', identifiers: { email: 'ada@example.com' }, message_data: {} } }),
  () => request('POST', '/v1/send/in_app', { headers: CIO_APP, json: { transactional_message_id: 4, identifiers: { id: 'user-ada' }, message_data: { order: 'x' } } }),
  () => request('POST', '/v1/send/inbox_message', { headers: CIO_APP, json: { transactional_message_id: 'order feed', identifiers: { id: 'user-ada' } } }),
  () => request('POST', '/v1/exports/customers', { headers: CIO_APP, json: { filters: { and: [{ segment: { id: 4 } }, { attribute: { field: 'plan', operator: 'exists' } }] } } }),
  () => request('POST', '/v1/exports/deliveries', { headers: CIO_APP, json: { newsletter_id: 7, start: 1_700_000_000, metric: 'sent', attributes: ['plan'] } }),
  () => request('GET', '/v1/exports/1', { headers: CIO_APP }),
  () => request('GET', '/v1/exports/1/download', { headers: CIO_APP }),
  ...adminTemplates,
];

const EXTEND_ACCEPT = { accept: 'application/vnd.paywithextend.v2021-03-12+json' };

export const extendTemplates = (c: FakeCredentials): Make[] => [
  () => request('POST', '/signin', { headers: EXTEND_ACCEPT, json: { email: 'ada@example.com', password: 'ada-Extend-2024!' } }),
  () => request('POST', '/renewauth', { headers: EXTEND_ACCEPT, json: { refreshToken: 'not-a-real-refresh-token' } }),
  () => request('GET', '/virtualcards', { headers: { ...EXTEND_ACCEPT, authorization: `Bearer ${c.extendBearer}` }, query: 'count=5&page=0&statuses=ACTIVE' }),
  () => request('GET', '/virtualcards/vc_dqh0T8Lqz0ZnyOxlCLfCcm', { headers: { ...EXTEND_ACCEPT, authorization: `Bearer ${c.extendBearer}` } }),
  () => request('GET', '/virtualcards/vc_dqh0T8Lqz0ZnyOxlCLfCcm/transactions', { headers: { ...EXTEND_ACCEPT, authorization: `Bearer ${c.extendBearer}` }, query: 'count=5' }),
  () => request('GET', '/transactions', { headers: { ...EXTEND_ACCEPT, authorization: `Bearer ${c.extendBearer}` }, query: 'count=25' }),
  ...adminTemplates,
];

const MAILGUN = { authorization: basic('api', 'key-gatehouse-local-0000000000000000') };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export const mailgunTemplates: Make[] = [
  () => request('POST', '/v3/mg.gatehouse.local/messages', {
    headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ from: 'Fuzz <fuzz@mg.gatehouse.local>', to: 'ada@example.com', subject: 'Fuzz', text: 'Hello', 'o:tag': 'fuzz', 'v:campaign': 'fuzz' }),
  }),
  () => request('POST', '/v3/mg.gatehouse.local/messages', {
    headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ from: 'fuzz@mg.gatehouse.local', to: 'a@example.com, b@example.com', subject: 'Batch', html: '<p>%recipient.name%</p>', 'recipient-variables': '{"a@example.com":{"name":"A"},"b@example.com":{"name":"B"}}' }),
  }),
  () => request('POST', '/v3/mg.gatehouse.local/messages', {
    headers: { ...MAILGUN, 'content-type': 'multipart/form-data; boundary=fuzzboundary' },
    body: '--fuzzboundary\r\nContent-Disposition: form-data; name="from"\r\n\r\nfuzz@mg.gatehouse.local\r\n--fuzzboundary\r\nContent-Disposition: form-data; name="to"\r\n\r\nada@example.com\r\n--fuzzboundary\r\nContent-Disposition: form-data; name="subject"\r\n\r\nHi\r\n--fuzzboundary\r\nContent-Disposition: form-data; name="text"\r\n\r\nHello\r\n--fuzzboundary\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nattached\r\n--fuzzboundary--\r\n',
  }),
  () => request('GET', '/v3/mg.gatehouse.local/events', { headers: MAILGUN, query: 'limit=5&event=delivered&ascending=yes' }),
  () => request('GET', '/v3/domains', { headers: MAILGUN }),
  () => request('GET', '/v3/domains/mg.gatehouse.local', { headers: MAILGUN }),
  () => request('GET', '/v3/mg.gatehouse.local/bounces', { headers: MAILGUN, query: 'limit=10' }),
  () => request('POST', '/v3/mg.gatehouse.local/unsubscribes', { headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ address: 'fuzz@example.com', tag: '*' }) }),
  () => request('GET', '/v3/domains/mg.gatehouse.local/webhooks', { headers: MAILGUN }),
  () => request('GET', '/v4/domains', { headers: MAILGUN, query: 'limit=5&state=active' }),
  () => request('POST', '/v4/domains', { headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ name: 'fuzz.gatehouse.local', spam_action: 'tag', wildcard: 'true' }) }),
  () => request('PUT', '/v3/domains/fuzz.gatehouse.local/tracking/open', { headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ active: 'yes', place_at_the_top: 'no' }) }),
  () => request('POST', '/v3/domains/fuzz.gatehouse.local/credentials', { headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ login: 'fuzz', password: 'fuzz-password' }) }),
  () => request('POST', '/v3/mg.gatehouse.local/whitelists', { headers: { ...MAILGUN, 'content-type': 'application/x-www-form-urlencoded' }, body: form({ domain: 'fuzz.example' }) }),
  () => request('GET', '/v3/mg.gatehouse.local/events', { headers: MAILGUN, query: `subject=${encodeURIComponent('(Fuzz AND NOT Batch) OR "Hi"')}&size=${encodeURIComponent('>10')}` }),
  () => request('GET', '/v3/domains/mg.gatehouse.local/sending_queues', { headers: MAILGUN }),
  () => request('POST', '/v3/mg.gatehouse.local/messages.mime', {
    headers: { ...MAILGUN, 'content-type': 'multipart/form-data; boundary=fuzzboundary' },
    body: '--fuzzboundary\r\nContent-Disposition: form-data; name="to"\r\n\r\nada@example.com\r\n--fuzzboundary\r\nContent-Disposition: form-data; name="message"; filename="m.eml"\r\nContent-Type: message/rfc822\r\n\r\nFrom: fuzz@mg.gatehouse.local\r\nSubject: Fuzz\r\n\r\nHello\r\n--fuzzboundary--\r\n',
  }),
  ...adminTemplates,
];

const VAULT = { 'x-vault-token': 'root' };

export const vaultTemplates: Make[] = [
  () => request('GET', '/v1/sys/health', { query: 'standbyok=true' }),
  () => request('GET', '/v1/sys/seal-status'),
  () => request('POST', '/v1/auth/approle/login', { json: { role_id: '6d0c7f3e-local-gatehouse-role-id', secret_id: '5f1e2a9b-local-gatehouse-secret-id' } }),
  () => request('PUT', '/v1/secret/data/fuzz/one', { headers: VAULT, json: { data: { key: 'value', n: 1 }, options: { cas: 0 } } }),
  () => request('GET', '/v1/secret/data/fuzz/one', { headers: VAULT, query: 'version=1' }),
  () => request('GET', '/v1/secret/data/gatehouse/customerio', { headers: { 'x-vault-token': 'not-a-token' } }),
  () => request('LIST', '/v1/secret/metadata/fuzz', { headers: VAULT }),
  () => request('DELETE', '/v1/secret/data/fuzz/one', { headers: VAULT }),
  () => request('POST', '/v1/secret/undelete/fuzz/one', { headers: VAULT, json: { versions: [1] } }),
  () => request('PUT', '/v1/kv/fuzz/legacy', { headers: VAULT, json: { a: 'b' } }),
  () => request('GET', '/v1/auth/token/lookup-self', { headers: VAULT }),
  () => request('GET', '/v1/sys/mounts', { headers: VAULT }),
  ...adminTemplates.filter((_, i) => i !== 4),
  () => request('GET', '/__admin/status'),
];

export const cloudfrontTemplates = (signedPath: string): Make[] => {
  const [path, query] = signedPath.split('?');
  return [
    () => request('GET', path, { query }),
    () => request('HEAD', path, { query }),
    () => request('GET', path, { query, headers: { range: 'bytes=0-9' } }),
    () => request('GET', path, { query, headers: { 'if-none-match': '"x"', origin: 'http://localhost:5173' } }),
    () => request('GET', path),
    () => request('GET', '/O1/D123/P456/data.parquet'),
    () => request('GET', path, { query: query.replace(/Signature=[^&]+/, 'Signature=AAAA') }),
    () => request('GET', path, { headers: { cookie: 'CloudFront-Policy=x; CloudFront-Signature=y; CloudFront-Key-Pair-Id=z' } }),
    () => request('OPTIONS', path, { headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } }),
    ...adminTemplates,
  ];
};
