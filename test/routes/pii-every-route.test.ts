/**
 * Seed 001's PII rule end to end: EVERY route of every function is driven through the gateway with a payload
 * carrying every sensitive field (ssn, password, credit_card, bank_account, phone, address, date_of_birth) at
 * several depths — in the body where the route takes one, and in the query — and no marker value may reach any
 * fake's journal (Customer.io, Mailgun, Extend, Vault, AWS, CloudFront). A route missing from the table below
 * fails the test, so a new route cannot skip it.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import type { Stack } from '../../emulators/stack/index.ts';
import { functionRoutes } from '../../contracts/support/route-coverage.ts';
import { Router } from '../../proxy/core/router.ts';
import { cardsAwsClients } from '../../proxy/routes/cards/aws.ts';
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import { admin, call, testStack } from '../helpers/stack.ts';
import { signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { loadSeed } from '../../emulators/customerio/seed.ts';

/** Headers as the fake Customer.io signs its reporting webhooks (the workspace's key, also the proxy's via Vault). */
function cioSignature(body: string): Record<string, string> {
  const ts = Math.floor(Date.now() / 1000);
  return { 'x-cio-timestamp': String(ts), 'x-cio-signature': signCustomerioWebhook(loadSeed().workspace.webhookSigningKey, ts, body) };
}

const FIELDS = ['ssn', 'password', 'credit_card', 'bank_account', 'phone', 'address', 'date_of_birth'] as const;
const HASHED = new Set(['phone', 'address', 'date_of_birth']);
const MARKER = 'piimarker';
const marker = (field: string, depth: number) => `${MARKER}-${field}-${depth}`;

/** Every sensitive field at this depth, and nested again in an object and in an array, down to depth 3. */
function sensitive(depth = 0): Record<string, unknown> {
  const here: Record<string, unknown> = Object.fromEntries(FIELDS.map((f) => [f, marker(f, depth)]));
  if (depth < 3) {
    here.nested = sensitive(depth + 1);
    here.list = [sensitive(depth + 1), 'plain'];
  }
  return here;
}

type Who = 'ada' | 'anonymous' | 'crm' | 'apiToken';
interface Drive { path: string; who: Who; body?: (p: Record<string, unknown>) => unknown; signed?: 'customerio' }

const ADA = 'ada@example.com';
const P = sensitive();

/** One request per route pattern ("METHOD /pattern"); bodies are the route's valid input with the payload mixed in. */
const DRIVES: Record<string, Drive> = {
  'POST /customers/:identifier/events': { path: `/customers/${ADA}/events`, who: 'ada', body: (p) => ({ name: 'pii_check', ...p, data: { price: 1, ...p } }) },
  'PUT /customers/:identifier/attributes': { path: `/customers/${ADA}/attributes`, who: 'ada', body: (p) => ({ plan: 'pro', ...p }) },
  'PUT /customers/:identifier/devices': { path: `/customers/${ADA}/devices`, who: 'ada', body: (p) => ({ device: { id: 'fcm-pii', platform: 'android', attributes: { app_version: '1', ...p } }, ...p }) },
  'DELETE /customers/:identifier/devices/:deviceId': { path: `/customers/${ADA}/devices/fcm-pii`, who: 'ada' },
  'POST /events': { path: '/events', who: 'anonymous', body: (p) => ({ name: 'pii_anon', anonymous_id: 'device-pii', ...p, data: { ...p } }) },
  'POST /push/events': { path: '/push/events', who: 'anonymous', body: (p) => ({ delivery_id: 'dlv-pii', event: 'opened', ...p }) },
  'POST /metrics': { path: '/metrics', who: 'anonymous', body: (p) => ({ delivery_id: 'dlv-pii', metric: 'clicked', ...p }) },
  'POST /send/email': { path: '/send/email', who: 'ada', body: (p) => ({ transactional_message_id: 1, identifiers: { email: ADA }, message_data: { code: '1', ...p }, ...p }) },
  'POST /send/push': { path: '/send/push', who: 'ada', body: (p) => ({ transactional_message_id: 2, identifiers: { email: ADA }, message_data: { ...p } }) },
  'POST /campaigns/:broadcastId/triggers': { path: '/campaigns/7/triggers', who: 'ada', body: (p) => ({ data: { week: 1, ...p }, ...p }) },
  'GET /customers/:identifier/activities': { path: `/customers/${ADA}/activities`, who: 'ada' },
  'POST /api/v1/cio/device': { path: '/api/v1/cio/device', who: 'ada', body: (p) => ({ device: { id: 'fcm-pii-2', platform: 'ios', attributes: { ...p } }, ...p }) },
  'POST /api/v1/cio/notification_received': { path: '/api/v1/cio/notification_received', who: 'anonymous', body: (p) => ({ notification_id: 'dlv-pii', ...p }) },
  'POST /api/v1/notification_opened': { path: '/api/v1/notification_opened', who: 'anonymous', body: (p) => ({ notification_id: 'dlv-pii', fcm_token: 'fcm-pii', ...p }) },
  'GET /cards': { path: '/cards', who: 'apiToken' },
  'GET /cards/active': { path: '/cards/active', who: 'apiToken' },
  'GET /cards/:cardId': { path: '/cards/vc_pii', who: 'apiToken' },
  'GET /cards/:cardId/transactions': { path: '/cards/vc_pii/transactions', who: 'apiToken' },
  'GET /transactions': { path: '/transactions', who: 'apiToken' },
  'GET /openapi.json': { path: '/openapi.json', who: 'anonymous' },
  'POST /send-mail': { path: '/send-mail', who: 'crm', body: (p) => ({ to: ['linus@example.com', 'grace@example.com'], subject: 'PII', html: '<p>x</p>', text: 'x',
    from: 'reports@mg.gatehouse.local', campaign: { name: 'pii-check', type: 'newsletter', ...p }, ...p }) },
  'GET /send-mail/:id': { path: '/send-mail/%3Cno-such%40mg.gatehouse.local%3E', who: 'crm' },
  'POST /webhooks/mailgun': { path: '/webhooks/mailgun', who: 'anonymous', body: (p) => ({ signature: { timestamp: '1', token: 't', signature: 'f'.repeat(64) }, 'event-data': { ...p } }) },
  'GET /reports': { path: '/reports', who: 'crm' },
  'GET /reports/url': { path: '/reports/url?key=reports/DN-1001/2025/07/royalty-statement.pdf', who: 'crm' },
  'OPTIONS /reports': { path: '/reports', who: 'anonymous' },
  'OPTIONS /reports/url': { path: '/reports/url', who: 'anonymous' },
  'POST /packages/restore': { path: '/packages/restore?dataset_id=N:dataset:123', who: 'ada', body: (p) => ({ nodeIds: ['N:package:999'], ...p }) },
  'GET /packages/restore': { path: '/packages/restore?dataset_id=N:dataset:123&package_id=N:package:456', who: 'ada' },
  'GET /packages/presign/s3': { path: '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false', who: 'ada' },
  'GET /packages/cloudfront/sign': { path: '/packages/cloudfront/sign?dataset_id=N:dataset:123&package_id=N:package:456&path=data.parquet', who: 'ada' },
  'GET /packages/proxy/s3': { path: '/packages/proxy/s3?presigned_url=https%3A%2F%2Fexample.com%2Fx', who: 'anonymous' },
  'OPTIONS /packages/proxy/s3': { path: '/packages/proxy/s3', who: 'anonymous' },
  // A correctly signed Customer.io report whose data carries everything: only the event's summary may be stored.
  'POST /webhooks/customerio': { path: '/webhooks/customerio', who: 'anonymous', signed: 'customerio',
    body: (p) => ({ event_id: '01J0PIIPIIPIIPIIPIIPIIPIIP', object_type: 'email', metric: 'clicked', timestamp: Math.floor(Date.now() / 1000),
      data: { customer_id: 'user-ada', identifiers: { id: 'user-ada', email: ADA, cio_id: 'a3000001' }, delivery_id: 'dlv-pii', href: 'https://example.com', ...p } }) },
  // Last: these end ada's profile.
  'POST /customers/:identifier/unsuppress': { path: `/customers/${ADA}/unsuppress`, who: 'ada', body: (p) => p },
  'POST /customers/:identifier/suppress': { path: `/customers/${ADA}/suppress`, who: 'ada', body: (p) => p },
  'DELETE /customers/:identifier': { path: `/customers/${ADA}`, who: 'ada' },
};

describe('PII never leaves through any route', function () {
  this.timeout(120_000);
  let stack: Stack;
  const statuses: Record<string, number> = {};

  before(async () => {
    stack = await testStack();
    const gw = stack.urls.gateway;
    const jwt = await stack.gateway.mintToken(ADA);
    const { token: apiToken } = await new ApiTokenStore(cardsAwsClients(stack.proxyEnv).ddb, 'gatehouse-api-tokens').create(ADA, Date.now());
    const headers: Record<Who, Record<string, string>> = {
      ada: { authorization: `Bearer ${jwt}` }, anonymous: {}, crm: { 'x-api-key': 'local-crm-api-key-000000000000000000000000' }, apiToken: { token: apiToken },
    };
    const routes = await functionRoutes(stack.proxyEnv);
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((k) => !DRIVES[k]);
    expect(missing, 'routes without a PII drive in this test').to.deep.equal([]);
    // Every sensitive field in the query too (flattened at one depth: query strings have none).
    const query = new URLSearchParams(FIELDS.map((f): [string, string] => [f, marker(f, 0)])).toString();
    for (const [key, d] of Object.entries(DRIVES)) {
      const method = key.split(' ')[0];
      const path = d.path + (d.path.includes('?') ? '&' : '?') + query;
      const body = d.body ? JSON.stringify(d.body(P)) : undefined;
      const signed = d.signed && body ? cioSignature(body) : {};
      const res = await call(gw, method, path, { headers: { ...headers[d.who], ...signed, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
      statuses[key] = res.status;
    }
  });
  after(() => stack?.close());

  it('drives every route of every function, and none fails with a 5xx', () => {
    const errors = Object.entries(statuses).filter(([, s]) => s >= 500);
    expect(errors).to.deep.equal([]);
    // Routes must exist as driven: a table row for a removed route is as wrong as a route without one.
    for (const key of Object.keys(DRIVES)) {
      const [method, pattern] = key.split(' ');
      const router = new Router([{ method, path: pattern, handler: async () => ({ status: 200 }) }]);
      expect(router.match(method, DRIVES[key].path.split('?')[0]).kind, key).to.equal('found');
    }
  });

  it('no marker value reaches any fake (Customer.io, Mailgun, Extend, Vault, AWS, CloudFront)', async () => {
    for (const name of ['customerio', 'mailgun', 'extend', 'vault', 'aws', 'cloudfront']) {
      const { entries } = await admin<{ entries: { method: string; path: string; query: string; body: string }[] }>(stack.urls[name], '/journal');
      const leaks = entries.filter((e) => `${e.path}?${e.query} ${e.body}`.includes(MARKER)).map((e) => `${name}: ${e.method} ${e.path} ${e.body.slice(0, 300)}`);
      expect(leaks, `${name} received personal data`).to.deep.equal([]);
    }
  });

  it('is not vacuous: the free-form payloads did reach Customer.io, hashed where the seed says hash', async () => {
    const { entries } = await admin<{ entries: { method: string; path: string; body: string }[] }>(stack.urls.customerio, '/journal');
    const sentTo = (p: string) => entries.filter((e) => e.path === p && e.body).map((e) => JSON.parse(e.body));
    const [attrs] = sentTo('/api/v1/customers/ada%40example.com');
    const salt = 'local-fake-pii-salt';
    const sha = (v: string) => createHash('sha256').update(v + salt).digest('hex');
    expect(attrs).to.include({ plan: 'pro', phone_hash: sha(marker('phone', 0)), address_hash: sha(marker('address', 0)), date_of_birth_hash: sha(marker('date_of_birth', 0)) });
    expect(attrs.nested.nested.list[0]).to.have.property('phone_hash', sha(marker('phone', 3)));
    for (const f of FIELDS) expect(attrs, f).not.to.have.property(f);
    for (const path of ['/api/v1/customers/ada%40example.com/events', '/api/v1/customers/ada%40example.com/devices', '/api/v1/events', '/api/v1/metrics', '/api/v1/push/events', '/v1/send/email', '/v1/send/push', '/v1/campaigns/7/triggers']) {
      const bodies = sentTo(path);
      expect(bodies, path).to.not.be.empty;
      expect(JSON.stringify(bodies), path).to.match(new RegExp(`(${[...HASHED].join('|')})_hash`));
    }
    // The mail routes take no free-form object: their schemas refuse unknown fields before anything is sent.
    expect(statuses['POST /send-mail']).to.equal(400);
  });
});
