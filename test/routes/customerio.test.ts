/**
 * Every Customer.io route through gateway → proxy → fake Customer.io, for a signed-in and an anonymous user,
 * asserting what the fake actually received.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Stack } from '../../emulators/stack/index.ts';
import { admin, call, injectFault, testStack } from '../helpers/stack.ts';
import { gatewaySigner, sendRaw } from '../helpers/signed.ts';
import { serveApp } from '../helpers/serve.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { silentLogger } from '../../proxy/core/log.ts';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const SALT = 'local-fake-anon-id-salt';
const anon = (raw: string) => 'anon_' + createHash('sha256').update(SALT).update('\0').update(raw).digest('hex');

describe('Customer.io routes through the local stack', function () {
  let stack: Stack;
  let gw: string;
  let cio: string;
  let token: string;

  before(async () => {
    stack = await testStack();
    gw = stack.urls.gateway;
    cio = stack.urls.customerio;
    token = await stack.gateway.mintToken('ada@example.com');
  });
  after(() => stack?.close());
  beforeEach(() => admin(cio, '/reset', { method: 'POST' }));

  const journal = async (path: string) => (await admin(cio, `/journal?path=${encodeURIComponent(path)}`)).entries as { method: string; path: string; body: string; headers: Record<string, string> }[];
  const person = (id: string) => admin(cio, `/people/${encodeURIComponent(id)}`);

  describe('POST /customers/{id}/events', () => {
    it('tracks a signed-in user\'s event under their email with a ULID idempotency id and Basic auth', async () => {
      const res = await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: { name: 'item_purchased', data: { price: 29.99, ssn: '123-45-6789' } } });
      expect(res.status).to.equal(200);
      const [sent] = await journal('/api/v1/customers/ada%40example.com/events');
      expect(sent.headers.authorization).to.equal('Basic ***');
      const body = JSON.parse(sent.body);
      expect(body.name).to.equal('item_purchased');
      expect(body.id).to.match(ULID);
      expect(body.data).to.deep.equal({ price: 29.99 });
      const state = await admin(cio, '/state');
      expect(state.events.map((e: { name: string }) => e.name)).to.include('item_purchased');
    });

    it('does not count a retried event twice when the client sent an id', async () => {
      const ev = { name: 'retry_me', id: '01HZY7Q2V5N0F6P2XKQ4J8T3RS' };
      expect((await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: ev })).status).to.equal(200);
      expect((await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: ev })).status).to.equal(200);
      const state = await admin(cio, '/state');
      expect(state.events.filter((e: { name: string }) => e.name === 'retry_me')).to.have.length(1);
    });

    it('stores a retried event once when the app sent no id: same timestamp, or same Idempotency-Key', async () => {
      const ev = { name: 'retry_no_id', timestamp: 1748772000, data: { n: 1 } };
      for (let i = 0; i < 2; i++) expect((await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: ev })).status).to.equal(200);
      const keyed = { name: 'retry_keyed' };
      for (const key of ['k-1', 'k-1', 'k-2']) {
        expect((await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: keyed, headers: { 'idempotency-key': key } })).status).to.equal(200);
      }
      const sent = (await journal('/api/v1/customers/ada%40example.com/events')).map((e) => JSON.parse(e.body) as { name: string; id: string });
      expect(sent).to.have.length(5);
      expect(new Set(sent.filter((e) => e.name === 'retry_no_id').map((e) => e.id)).size, 'one id for both tries').to.equal(1);
      expect(new Set(sent.filter((e) => e.name === 'retry_keyed').map((e) => e.id)).size, 'one id per key').to.equal(2);
      const state = await admin(cio, '/state');
      expect(state.events.filter((e: { name: string }) => e.name === 'retry_no_id')).to.have.length(1);
      expect(state.events.filter((e: { name: string }) => e.name === 'retry_keyed')).to.have.length(2);
    });

    it('stores a retry after a 504 once: Customer.io answered too late, the retry carries the same derived id', async () => {
      // A cold start of the customerio function with a short upstream timeout, called as the gateway would: each
      // try signed afresh (new Date, new request id), so only the event itself is common to both.
      const app = await buildCustomerioApp({ env: { ...stack.proxyEnv, UPSTREAM_TIMEOUT_MS: '300' }, log: silentLogger() });
      const server = await serveApp(app);
      try {
        await injectFault(cio, { latencyMs: 800, match: { path: '/api/v1/customers' } });
        const ev = { name: 'slow_one', timestamp: 1748772000 };
        const sign = gatewaySigner(stack.stateDir);
        const post = () => sendRaw(server.url, sign({ method: 'POST', path: '/customers/ada@example.com/events', json: ev, email: 'ada@example.com' }));
        const t0 = Date.now();
        expect((await post()).status).to.equal(504);
        expect((await post()).status).to.equal(200);
        // The first try reaches the fake once its 800 ms delay is over: both arrive, one is stored.
        let sent: { body: string }[] = [];
        while (Date.now() - t0 < 1500 || sent.length < 2) {
          sent = await journal('/api/v1/customers/ada%40example.com/events');
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(new Set(sent.map((e) => JSON.parse(e.body).id)).size, 'both tries carry one id').to.equal(1);
        const state = await admin(cio, '/state');
        expect(state.events.filter((e: { name: string }) => e.name === 'slow_one')).to.have.length(1);
      } finally {
        await server.close();
      }
    });

    it('refuses the same signed request a second time with 401 signature_replayed', async () => {
      const req = gatewaySigner(stack.stateDir)({ method: 'POST', path: '/customers/ada@example.com/events', json: { name: 'replayed' }, email: 'ada@example.com' });
      const first = await sendRaw(stack.urls.proxy, req);
      expect(first.status).to.equal(200);
      const again = await sendRaw(stack.urls.proxy, req);
      expect(again.status).to.equal(401);
      expect(again.body.error.code).to.equal('signature_replayed');
      const state = await admin(cio, '/state');
      expect(state.events.filter((e: { name: string }) => e.name === 'replayed')).to.have.length(1);
      expect(await journal('/api/v1/customers/ada%40example.com/events'), 'the replay never left the proxy').to.have.length(1);
    });

    it('refuses a signed-in user naming someone else (403) without calling Customer.io', async () => {
      const res = await call(gw, 'POST', '/customers/grace@example.com/events', { token, json: { name: 'x' } });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('identity_mismatch');
      expect(await journal('/api/v1')).to.have.length(0);
    });

    it('hashes an anonymous caller\'s identifier with the salt', async () => {
      const res = await call(gw, 'POST', '/customers/device-42/events', { json: { name: 'browse' } });
      expect(res.status).to.equal(200);
      const [sent] = await journal('/api/v1/customers/');
      expect(sent.path).to.equal(`/api/v1/customers/${anon('device-42')}/events`);
    });

    it('answers wrong types with 400 naming the field', async () => {
      const res = await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: { name: 5 } });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('validation_failed');
      expect(res.body.error.message).to.include('name');
    });
  });

  describe('PUT /customers/{id}/attributes', () => {
    it('identifies the user with sanitised attributes and their verified email', async () => {
      const res = await call(gw, 'PUT', '/customers/ada@example.com/attributes', { token, json: { plan: 'premium', email: 'spoof@example.com', password: 'hunter2' } });
      expect(res.status).to.equal(200);
      const p = await person('ada@example.com');
      expect(p.attributes.plan).to.equal('premium');
      expect(p.attributes).not.to.have.property('password');
      const [sent] = await journal('/api/v1/customers/ada%40example.com');
      expect(sent.method).to.equal('PUT');
      expect(JSON.parse(sent.body).email).to.equal('ada@example.com');
    });

    it('creates an anonymous profile under the hashed id', async () => {
      expect((await call(gw, 'PUT', '/customers/device-7/attributes', { json: { plan: 'trial' } })).status).to.equal(200);
      const p = await person(anon('device-7'));
      expect(p.attributes.plan).to.equal('trial');
    });
  });

  describe('devices', () => {
    it('adds, then deletes, a device for the signed-in user', async () => {
      const add = await call(gw, 'PUT', '/customers/ada@example.com/devices', { token, json: { device: { id: 'fcm-new', platform: 'android', attributes: { app_version: '1.0.0' } } } });
      expect(add.status).to.equal(200);
      expect((await person('ada@example.com')).devices.map((d: { id: string }) => d.id)).to.include('fcm-new');
      const del = await call(gw, 'DELETE', '/customers/ada@example.com/devices/fcm-new', { token });
      expect(del.status).to.equal(200);
      expect((await person('ada@example.com')).devices.map((d: { id: string }) => d.id)).not.to.include('fcm-new');
    });

    it('refuses a device id of . or .. (400): resolved away, it made the call DELETE /customers/{me}/ — the whole profile', async () => {
      expect((await call(gw, 'PUT', '/customers/ada@example.com/attributes', { token, json: { plan: 'kept' } })).status).to.equal(200);
      for (const id of ['..', '%2e%2e', '.', '%2E']) {
        // As sent: fetch would resolve the dot segment away before sending it.
        const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const { hostname, port } = new URL(gw);
          const r = http.request({ hostname, port, path: `/customers/ada@example.com/devices/${id}`, method: 'DELETE', headers: { authorization: `Bearer ${token}` } }, (m) => {
            let body = '';
            m.on('data', (c) => { body += c; });
            m.on('end', () => resolve({ status: m.statusCode ?? 0, body }));
          });
          r.on('error', reject);
          r.end();
        });
        expect([res.status, JSON.parse(res.body).error?.code], id).to.deep.equal([400, 'invalid_device_id']);
      }
      expect((await person('ada@example.com')).attributes.plan).to.equal('kept');
    });

    it('rejects an unknown platform with 400', async () => {
      const res = await call(gw, 'PUT', '/customers/ada@example.com/devices', { token, json: { device: { id: 'x', platform: 'symbian' } } });
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.include('device.platform');
    });
  });

  describe('POST /events (anonymous)', () => {
    it('sends the event with a hashed anonymous_id and an idempotency id', async () => {
      const res = await call(gw, 'POST', '/events', { json: { name: 'app_opened', anonymous_id: 'device-1' } });
      expect(res.status).to.equal(200);
      const [sent] = await journal('/api/v1/events');
      const body = JSON.parse(sent.body);
      expect(body.anonymous_id).to.equal(anon('device-1'));
      expect(body.id).to.match(ULID);
    });

    it('requires anonymous_id', async () => {
      const res = await call(gw, 'POST', '/events', { json: { name: 'app_opened' } });
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.include('anonymous_id');
    });
  });

  describe('metrics', () => {
    it('POST /push/events records a push metric', async () => {
      const res = await call(gw, 'POST', '/push/events', { json: { delivery_id: 'dlv-1', event: 'opened', device_id: 'fcm-token-ada-pixel' } });
      expect(res.status).to.equal(200);
      const state = await admin(cio, '/state');
      expect(state.metrics.some((m: { deliveryId: string; metric: string }) => m.deliveryId === 'dlv-1' && m.metric === 'opened')).to.equal(true);
    });

    it('POST /metrics reaches the universal metrics endpoint', async () => {
      const res = await call(gw, 'POST', '/metrics', { token, json: { delivery_id: 'dlv-2', metric: 'clicked', href: 'https://example.com' } });
      expect(res.status).to.equal(200);
      expect(await journal('/api/v1/metrics')).to.have.length(1);
    });

    it('refuses an unknown metric event', async () => {
      const res = await call(gw, 'POST', '/push/events', { json: { delivery_id: 'dlv-1', event: 'exploded' } });
      expect(res.status).to.equal(400);
    });
  });

  describe('App API', () => {
    it('sends a transactional email to oneself with Bearer auth', async () => {
      const res = await call(gw, 'POST', '/send/email', { token, json: { transactional_message_id: 1, identifiers: { email: 'ada@example.com' }, to: 'ada@example.com', message_data: { code: '1234' } } });
      expect(res.status).to.equal(200);
      expect(res.body).to.have.property('delivery_id');
      const [sent] = await journal('/v1/send/email');
      expect(sent.headers.authorization).to.equal('Bearer ***');
    });

    it('sends a transactional push to oneself', async () => {
      const res = await call(gw, 'POST', '/send/push', { token, json: { transactional_message_id: 2, identifiers: { email: 'ada@example.com' } } });
      expect(res.status).to.equal(200);
      expect((await admin(cio, '/deliveries?type=push')).deliveries).to.have.length(1);
    });

    it('refuses sending to someone else (403) and anonymous sends (401)', async () => {
      const other = await call(gw, 'POST', '/send/email', { token, json: { transactional_message_id: 1, identifiers: { email: 'grace@example.com' } } });
      expect(other.status).to.equal(403);
      const anonymous = await call(gw, 'POST', '/send/email', { json: { transactional_message_id: 1, identifiers: { email: 'ada@example.com' } } });
      expect(anonymous.status).to.equal(401);
      expect(anonymous.body.error.code).to.equal('login_required');
      expect(await journal('/v1/send')).to.have.length(0);
    });

    it('triggers an allow-listed broadcast, forwarding only data', async () => {
      const res = await call(gw, 'POST', '/campaigns/7/triggers', { token, json: { data: { promo: 'x' }, emails: ['everyone@example.com'] } });
      expect(res.status).to.equal(200);
      const [sent] = await journal('/v1/campaigns/7/triggers');
      expect(JSON.parse(sent.body)).to.deep.equal({ data: { promo: 'x' } });
    });

    it('refuses a broadcast that is not allow-listed', async () => {
      const res = await call(gw, 'POST', '/campaigns/12/triggers', { token, json: {} });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('broadcast_not_allowed');
    });

    it('lists one\'s own activities', async () => {
      await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: { name: 'seen_activity' } });
      const res = await call(gw, 'GET', '/customers/ada@example.com/activities?type=event', { token });
      expect(res.status).to.equal(200);
      expect(res.body.activities.some((a: { name: string }) => a.name === 'seen_activity')).to.equal(true);
    });
  });

  describe('mobile endpoints', () => {
    it('POST /api/v1/cio/device registers the signed-in user\'s device', async () => {
      const res = await call(gw, 'POST', '/api/v1/cio/device', { token, json: { device: { id: 'fcm-mobile', platform: 'ios', attributes: { device_os: 'iOS 17', push_enabled: 'true' } } } });
      expect(res.status).to.equal(200);
      const p = await person('ada@example.com');
      const d = p.devices.find((x: { id: string }) => x.id === 'fcm-mobile');
      expect(d.platform).to.equal('ios');
      expect(d.attributes.device_os).to.equal('iOS 17');
    });

    it('POST /api/v1/cio/device registers an anonymous device under its hashed token', async () => {
      expect((await call(gw, 'POST', '/api/v1/cio/device', { json: { device: { id: 'fcm-anon', platform: 'android' } } })).status).to.equal(200);
      expect((await person(anon('fcm-anon'))).devices[0].id).to.equal('fcm-anon');
    });

    it('POST /api/v1/cio/notification_received becomes a delivered push metric', async () => {
      expect((await call(gw, 'POST', '/api/v1/cio/notification_received', { json: { notification_id: 'dlv-9' } })).status).to.equal(200);
      const [sent] = await journal('/api/v1/push/events');
      expect(JSON.parse(sent.body)).to.include({ delivery_id: 'dlv-9', event: 'delivered' });
    });

    it('POST /api/v1/notification_opened becomes an opened metric with the FCM token as device', async () => {
      expect((await call(gw, 'POST', '/api/v1/notification_opened', { json: { notification_id: 'dlv-9', fcm_token: 'fcm-x' } })).status).to.equal(200);
      const [sent] = await journal('/api/v1/push/events');
      expect(JSON.parse(sent.body)).to.include({ delivery_id: 'dlv-9', event: 'opened', device_id: 'fcm-x' });
    });
  });

  describe('bad input and upstream failures', () => {
    it('answers malformed JSON, oversized bodies and unknown routes with JSON 4xx and stays up', async () => {
      const bad = await call(gw, 'POST', '/events', { body: '{"name":', headers: { 'content-type': 'application/json' } });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal('invalid_json');
      const big = await call(gw, 'POST', '/events', { body: JSON.stringify({ name: 'x', anonymous_id: 'a', data: { blob: 'x'.repeat(1024 * 1024) } }), headers: { 'content-type': 'application/json' } });
      expect(big.status).to.equal(413);
      expect(big.body.error.code).to.equal('payload_too_large');
      const unknown = await call(gw, 'GET', '/nope');
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('route_not_found');
      expect((await call(gw, 'POST', '/events', { json: { name: 'still_up', anonymous_id: 'a' } })).status).to.equal(200);
    });

    it('maps Customer.io refusing our credentials to 502 upstream_auth_failed without leaking them', async () => {
      await injectFault(cio, { status: 401, count: 1 });
      const res = await call(gw, 'POST', '/events', { json: { name: 'x', anonymous_id: 'a' } });
      expect(res.status).to.equal(502);
      expect(res.body.error.code).to.equal('upstream_auth_failed');
      expect(res.text).not.to.include('local-fake');
    });

    it('passes a 429 on with its Retry-After', async () => {
      await injectFault(cio, { status: 429, retryAfter: 7 });
      const res = await call(gw, 'POST', '/events', { json: { name: 'x', anonymous_id: 'a' } });
      expect(res.status).to.equal(429);
      expect(res.headers.get('retry-after')).to.equal('7');
      expect(res.body.error.code).to.equal('upstream_rate_limited');
    });

    it('maps a 5xx to 502 upstream_error and a dropped connection to 502 upstream_unreachable', async () => {
      await injectFault(cio, { status: 503 });
      const a = await call(gw, 'POST', '/events', { json: { name: 'x', anonymous_id: 'a' } });
      expect(a.status).to.equal(502);
      expect(a.body.error.code).to.equal('upstream_error');
      await injectFault(cio, { drop: true });
      const b = await call(gw, 'POST', '/events', { json: { name: 'x', anonymous_id: 'a' } });
      expect(b.status).to.equal(502);
      expect(b.body.error.code).to.equal('upstream_unreachable');
    });

    it('keeps an upstream 400 as 400 with Customer.io\'s message', async () => {
      const res = await call(gw, 'POST', '/customers/ada@example.com/events', { token, json: { name: 'big', data: { big: 'y'.repeat(120_000) } } });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('upstream_rejected');
      expect(res.body.error.message).to.include('event data cannot be longer than 100000 bytes');
    });
  });
});
