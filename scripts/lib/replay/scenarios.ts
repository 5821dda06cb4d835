/**
 * Mobile (and CRM, and webhook) traffic per seed system, as the callers send it, for `npm run record -- --scenario
 * <name>`: the QA captures in fixtures/recordings/ are these requests recorded through the recording proxy (and
 * redacted there). Together they hold a successful and a refused request for every route of every function
 * (coverage.ts checks it). Users are the seeded ones, so a replay maps their placeholders back to them; each user's
 * requests stay in one lane, so nothing a lane reads depends on another lane's timing. Upstream calls stay within
 * what the provider pacts allow (the pact check of fixtures/upstream enforces it).
 */
export type Answers = Record<string, { status: number; body: any }>;

export interface ScenarioRequest {
  method: string;
  /** The path and query, or one made from earlier answers (kept under `name`). */
  path: string | ((a: Answers) => string);
  /** Signed-in user: a fresh gateway JWT is sent as Authorization. */
  user?: string;
  /** With `user`: a JWT that expired a minute ago (the gateway's own 401). */
  expired?: boolean;
  /** Cards user: a fresh API token is sent in the `token` header. */
  tokenUser?: string;
  /** Sends a gateway API key (x-api-key), as the CRM does. */
  apiKey?: boolean;
  headers?: Record<string, string>;
  json?: unknown | ((a: Answers) => unknown);
  /** Signed as the provider signs its webhooks (Mailgun: the body's signature block; Customer.io: X-CIO-*); `forged`: with another key. */
  webhook?: { provider: 'mailgun' | 'customerio'; forged?: boolean };
  /** Keep this answer for later requests. */
  name?: string;
  /**
   * Asynchronous work must be done first (the restore worker, Mailgun's own webhooks): the request is sent to the
   * gateway directly, unrecorded, until its answer passes this check, and only then through the recorder.
   */
  waitFor?: (res: { status: number; body: any }) => boolean;
}

const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';
const LINUS = 'linus@example.com';
const e = encodeURIComponent;
const ada = `/customers/${e(ADA)}`;
const grace = `/customers/${e(GRACE)}`;
const DELIVERY = 'RPILAgUBcRhIBqSfeiIwdIYJKxTY';
const CARD = 'vc_dqh0T8Lqz0ZnyOxlCLfCcm';
const D = 'dataset_id=N:dataset:123';
const ALLOWED_ORIGIN = 'http://localhost:5173';

/** A Customer.io reporting webhook about linus (not ada: ada's lane ends in "forget me", which would count it). */
const cioDelivered = { event_id: '01E4C4CT6YDC7Y5M7FE1GWWPQJ', object_type: 'email', metric: 'delivered', timestamp: 1754049600,
  data: { customer_id: 'user-linus', identifiers: { id: 'user-linus', email: LINUS, cio_id: 'a3000003' }, delivery_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTZ',
    transactional_message_id: 1, recipient: LINUS } };

/** A Mailgun event for the message `/send-mail` answered with. */
const mailgunEvent = (event: string) => (a: Answers) => ({
  'event-data': { id: `scenario-${event}`, event, timestamp: Math.floor(Date.now() / 1000), recipient: ADA,
    message: { headers: { 'message-id': String(a.sent.body.messages[0].id).slice(1, -1) } } },
});

const campaign = { to: [ADA], subject: 'Your July statement', html: '<p>Hello!</p>', text: 'Hello!', from: 'Distro Nation <reports@mg.gatehouse.local>',
  campaign: { name: 'july-payouts', type: 'financial' }, attachReporting: true, customIds: ['DN-1001', 'DN-1003'], month: '7', year: '2025' };

const statusPath = (a: Answers) => `/send-mail/${e(a.sent.body.messages[0].id)}`;
const proxied = (a: Answers) => `/packages/proxy/s3?presigned_url=${e(a.presigned.body.url)}`;

export const SCENARIOS: Record<string, { seed: string; requests: ScenarioRequest[] }> = {
  // Seeds 000/001: the Customer.io proxy, the app's push device and notifications, transactional sends, "forget me"
  // and Customer.io's reporting webhooks.
  customerio: {
    seed: '000 Customer.io Lambda proxy, 001 Customer.io security basics',
    requests: [
      { method: 'POST', path: `${ada}/events`, user: ADA, json: { name: 'item_purchased', data: { price: 29.99, ssn: '123-45-6789' } } },
      { method: 'POST', path: `${ada}/events`, user: ADA, json: { name: 5 } },
      { method: 'POST', path: `${grace}/events`, user: ADA, json: { name: 'spoof' } },
      { method: 'PUT', path: `${ada}/attributes`, user: ADA, json: { plan: 'premium' } },
      { method: 'PUT', path: `${ada}/attributes`, user: ADA, json: { created_at: -1 } },
      { method: 'PUT', path: `${ada}/devices`, user: ADA, json: { device: { id: 'fcm-token-ada-pixel', platform: 'android' } } },
      { method: 'PUT', path: `${ada}/devices`, user: ADA, json: { device: { id: 'tok', platform: 'windows' } } },
      { method: 'GET', path: `${ada}/activities?limit=10`, user: ADA },
      { method: 'GET', path: `${ada}/activities?limit=0`, user: ADA },
      { method: 'POST', path: '/api/v1/cio/device', user: ADA, json: { device: { id: 'fcm-token-ada-pixel', platform: 'android' } } },
      { method: 'POST', path: '/api/v1/cio/device', user: ADA, json: { device: { id: 'tok', platform: 'windows' } } },
      { method: 'DELETE', path: `${ada}/devices/fcm-token-ada-pixel`, user: ADA },
      { method: 'DELETE', path: `${grace}/devices/apns-token-grace-iphone`, user: ADA },
      { method: 'POST', path: '/send/email', user: ADA, json: { transactional_message_id: 1, identifiers: { email: ADA }, message_data: { reset_url: 'https://app.example.com/r/1' } } },
      { method: 'POST', path: '/send/email', user: ADA, json: { transactional_message_id: 1 } },
      { method: 'POST', path: '/send/push', user: ADA, json: { transactional_message_id: 2, identifiers: { email: ADA } } },
      { method: 'POST', path: '/send/push', json: { transactional_message_id: 2, identifiers: { email: ADA } } },
      { method: 'POST', path: '/campaigns/7/triggers', user: ADA, json: { data: { headline: 'Hello' } } },
      { method: 'POST', path: '/campaigns/7/triggers', user: ADA, json: { data: 'Hello' } },
      // Anonymous: the app before sign-in, and push notifications.
      { method: 'POST', path: '/events', json: { name: 'app_opened', anonymous_id: 'device-1' } },
      { method: 'POST', path: '/events', json: { name: 'app_opened' } },
      { method: 'POST', path: '/push/events', json: { delivery_id: DELIVERY, event: 'opened', timestamp: 1795425864 } },
      { method: 'POST', path: '/push/events', json: { delivery_id: DELIVERY, event: 'bogus' } },
      { method: 'POST', path: '/metrics', json: { delivery_id: DELIVERY, metric: 'clicked' } },
      { method: 'POST', path: '/metrics', json: { delivery_id: DELIVERY, metric: 'bogus' } },
      { method: 'POST', path: '/api/v1/cio/notification_received', json: { notification_id: DELIVERY } },
      { method: 'POST', path: '/api/v1/cio/notification_received', json: { fcm_token: 'fcm-token-ada-pixel' } },
      { method: 'POST', path: '/api/v1/notification_opened', json: { notification_id: DELIVERY, fcm_token: 'fcm-token-ada-pixel' } },
      { method: 'POST', path: '/api/v1/notification_opened', json: { notification_id: DELIVERY, fcm_token: '' } },
      // Customer.io's reporting webhooks, signed with the workspace's key (and once with another).
      { method: 'POST', path: '/webhooks/customerio', json: cioDelivered, webhook: { provider: 'customerio' } },
      { method: 'POST', path: '/webhooks/customerio', json: { ...cioDelivered, event_id: '01E4C4CT6YDC7Y5M7FE1GWWPQK' }, webhook: { provider: 'customerio', forged: true } },
      // Forget me, last in ada's lane: suppress deletes the profile.
      { method: 'POST', path: `${grace}/suppress`, user: ADA },
      { method: 'POST', path: `${ada}/suppress`, user: ADA },
      { method: 'POST', path: `${ada}/unsuppress` },
      { method: 'POST', path: `${ada}/unsuppress`, user: ADA },
      { method: 'DELETE', path: grace, user: ADA },
      { method: 'DELETE', path: ada, user: ADA },
    ],
  },
  // Seed 002: the CRM's /send-mail with CloudFront report links, delivery status from Mailgun's webhooks, reports.
  mail: {
    seed: '002 Distro Nation CRM /send-mail',
    requests: [
      { method: 'POST', path: '/send-mail', apiKey: true, json: campaign, name: 'sent' },
      { method: 'POST', path: '/send-mail', apiKey: true, json: { to: [] } },
      { method: 'POST', path: '/send-mail', json: { to: [ADA] } },
      // Mailgun's own "delivered" reaches the proxy first (the fake posts it); ada then opens the mail.
      { method: 'GET', path: statusPath, apiKey: true, waitFor: (r) => r.status === 200 && r.body.summary.delivered === 1 },
      { method: 'POST', path: '/webhooks/mailgun', json: mailgunEvent('opened'), webhook: { provider: 'mailgun' } },
      { method: 'POST', path: '/webhooks/mailgun', json: mailgunEvent('clicked'), webhook: { provider: 'mailgun', forged: true } },
      { method: 'GET', path: statusPath, apiKey: true },
      { method: 'GET', path: `/send-mail/${'x'.repeat(513)}`, apiKey: true },
      { method: 'GET', path: '/reports', apiKey: true },
      { method: 'GET', path: '/reports?prefix=..%2F', apiKey: true },
      { method: 'GET', path: `/reports/url?key=${e('reports/DN-1001/2025/07/royalty-statement.pdf')}`, apiKey: true },
      { method: 'GET', path: `/reports/url?key=${e('reports/DN-1001/2025/07/no-such-statement.pdf')}`, apiKey: true },
      { method: 'GET', path: `/reports/url?key=${e('reports/DN-1001/2025/07/royalty-statement.pdf')}` },
      // The CRM's file browser on another origin: its preflights, allowed and refused (no API key on a preflight).
      { method: 'OPTIONS', path: '/reports', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' } },
      { method: 'OPTIONS', path: '/reports', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' } },
      { method: 'OPTIONS', path: '/reports/url', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' } },
      { method: 'OPTIONS', path: '/reports/url', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'DELETE' } },
    ],
  },
  // Seed 003: the packages service — presigned S3 and CloudFront URLs, the S3 proxy, and a restore the worker completes.
  packages: {
    seed: '003 Packages Service',
    requests: [
      { method: 'GET', path: `/packages/presign/s3?${D}&package_id=N:package:456&redirect=false`, user: LINUS, name: 'presigned' },
      { method: 'GET', path: `/packages/presign/s3?${D}&package_id=N:package:456&redirect=false` },
      { method: 'GET', path: `/packages/cloudfront/sign?${D}&package_id=N:package:456&path=data.parquet`, user: LINUS },
      { method: 'GET', path: `/packages/cloudfront/sign?${D}&package_id=N:package:456`, user: LINUS },
      // The S3 proxy needs no user; the app's client sends its token anyway, which keeps these in linus's lane,
      // after the presign whose URL they carry.
      { method: 'GET', path: proxied, user: LINUS },
      { method: 'HEAD', path: proxied, user: LINUS, headers: { origin: ALLOWED_ORIGIN } },
      { method: 'GET', path: `/packages/proxy/s3?presigned_url=${e('not a url')}`, user: LINUS },
      { method: 'HEAD', path: `/packages/proxy/s3?presigned_url=${e('https://gatehouse-package-assets.s3.amazonaws.com.evil.example/O1/x?X-Amz-Signature=x')}`, user: LINUS },
      { method: 'OPTIONS', path: '/packages/proxy/s3', headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } },
      { method: 'OPTIONS', path: '/packages/proxy/s3', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } },
      { method: 'POST', path: '/packages/restore', user: ADA, json: { nodeIds: ['N:package:1'] } },
      { method: 'POST', path: `/packages/restore?${D}`, user: ADA, json: { nodeIds: 'x' } },
      // An editor restores a deleted package; the worker takes the job from the queue (the S3 delete marker removed,
      // the package READY), and the file downloads again.
      { method: 'POST', path: `/packages/restore?${D}`, user: GRACE, json: { nodeIds: ['N:package:461', 'N:package:999'] } },
      { method: 'GET', path: `/packages/restore?${D}&package_id=N:package:461`, user: GRACE, waitFor: (r) => r.status === 200 && r.body.restore?.status === 'done' },
      { method: 'GET', path: `/packages/restore?${D}&package_id=N:package:461` },
      { method: 'GET', path: `/packages/presign/s3?${D}&package_id=N:package:461&redirect=false`, user: GRACE },
    ],
  },
  // Seed 004: the virtual-card service.
  cards: {
    seed: '004 Virtual Transaction Service',
    requests: [
      { method: 'GET', path: '/cards', tokenUser: ADA },
      { method: 'GET', path: '/cards?count=0', tokenUser: ADA },
      { method: 'GET', path: '/cards/active', tokenUser: ADA },
      { method: 'GET', path: '/cards/active?cursor=not-a-cursor', tokenUser: ADA },
      { method: 'GET', path: `/cards/${CARD}`, tokenUser: ADA },
      { method: 'GET', path: '/cards/not-a-card', tokenUser: ADA },
      { method: 'GET', path: `/cards/${CARD}/transactions`, tokenUser: ADA },
      { method: 'GET', path: `/cards/${CARD}/transactions?count=101`, tokenUser: ADA },
      { method: 'GET', path: '/transactions', tokenUser: ADA },
      { method: 'GET', path: '/transactions?cursor=abc&page=1', tokenUser: ADA },
      { method: 'GET', path: '/cards', tokenUser: GRACE },
      { method: 'GET', path: '/cards' },
      { method: 'GET', path: '/transactions' },
      // The spec is public and takes no input; what refuses it is the gateway, for a JWT that expired.
      { method: 'GET', path: '/openapi.json' },
      { method: 'GET', path: '/openapi.json', user: LINUS, expired: true },
    ],
  },
};
