import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { APIClient, SendEmailRequest, SendPushRequest, TrackClient } from 'customerio-node';
import { startCustomerio, type RunningCustomerio } from '../../emulators/customerio/index.ts';

const SITE = 'local-fake-site-id';
const TRACK_KEY = 'local-fake-track-api-key';
const APP_KEY = 'local-fake-app-api-key';

describe('fake Customer.io (Track API v1 + App API v1)', () => {
  let cio: RunningCustomerio;
  let tlsDir: string;
  let ca: string;
  let track: TrackClient;
  let api: APIClient;

  // customerio-node always speaks HTTPS and takes Node request options beside `url`: port and the CA to trust.
  const overHttps = () => ({ port: cio.https.port, ca });
  const trackClient = (site = SITE, key = TRACK_KEY) => new TrackClient(site, key, { url: `${cio.https.url}/api/v1`, ...overHttps() });
  const apiClient = (key = APP_KEY) => new APIClient(key, { url: `${cio.https.url}/v1`, ...overHttps() });

  /** Raw requests for what the client library refuses to send (blank names, oversized bodies, bad enums). */
  async function raw(method: string, p: string, body?: unknown, auth = basic(SITE, TRACK_KEY)) {
    const res = await fetch(cio.http.url + p, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  }
  const admin = (p: string, init?: { method?: string; body?: unknown }) =>
    fetch(`${cio.http.url}/__admin${p}`, { method: init?.method ?? 'GET', headers: { 'content-type': 'application/json' }, body: init?.body === undefined ? undefined : JSON.stringify(init.body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  before(async () => {
    tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cio-tls-'));
    cio = await startCustomerio({ port: 0, httpsPort: 0, tlsDir });
    ca = fs.readFileSync(path.join(tlsDir, 'ca.pem'), 'utf8');
    track = trackClient();
    api = apiClient();
  });
  after(async () => {
    await cio?.close();
    fs.rmSync(tlsDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await admin('/reset', { method: 'POST' });
  });

  const activities = async (id: string, query = '') => ((await api.request.get(`${cio.https.url}/v1/customers/${id}/activities${query}`)) as any).activities as any[];

  describe('Track API', () => {
    it('identify creates a person the App API can read back, attribute values as strings', async () => {
      expect(await track.identify('user-new', { email: 'new@example.com', plan: 'team', seats: 3, created_at: 1710000000 })).to.deep.equal({});
      const { customer } = (await api.getAttributes('user-new')) as any;
      expect(customer.identifiers).to.include({ id: 'user-new', email: 'new@example.com' });
      expect(customer.attributes).to.include({ plan: 'team', seats: '3', created_at: '1710000000' });
      const found = (await api.getCustomersByEmail('new@example.com')) as any;
      expect(found.results).to.have.length(1);
      expect(found.results[0]).to.include({ id: 'user-new', email: 'new@example.com' });
    });

    it('counts a retried event with the same id once', async () => {
      const event = { name: 'purchase', id: '01HZX3Q8Y4J6T2B9C0D1E2F3G4', data: { price: 23.45 } };
      await track.track('user-ada', event);
      await track.track('user-ada', event);
      await track.track('user-ada', { name: 'purchase', data: { price: 1 } });
      const purchases = await activities('user-ada', '?type=event&name=purchase');
      expect(purchases.map((a) => a.data.price)).to.deep.equal([1, 23.45]);
    });

    it('merges anonymous events into the person identified with their anonymous_id', async () => {
      await track.trackAnonymous('anon-42', { name: 'watched_video', data: { video: 'intro' } });
      expect((await admin('/state')).body.anonymousEvents).to.have.length(1);
      await track.identify('user-grace', { anonymous_id: 'anon-42' });
      const watched = await activities('user-grace', '?name=watched_video');
      expect(watched).to.have.length(1);
      expect(watched[0]).to.include({ type: 'event', customer_id: 'user-grace' });
    });

    it('adds, updates and deletes devices', async () => {
      await track.addDevice('user-grace', 'apns-token-ipad', 'ios', { last_used: 1710000000, app_version: '2.1' });
      await track.addDevice('user-grace', 'apns-token-ipad', 'ios', { last_used: 1710000999 });
      let devices = ((await api.getAttributes('user-grace')) as any).customer.devices;
      expect(devices).to.deep.include({ id: 'apns-token-ipad', platform: 'ios', last_used: 1710000999 });
      expect(devices).to.have.length(2);
      await track.deleteDevice('user-grace', 'apns-token-ipad');
      devices = ((await api.getAttributes('user-grace')) as any).customer.devices;
      expect(devices.map((d: any) => d.id)).to.deep.equal(['apns-token-grace-iphone']);
    });

    it('suppress deletes the person and ignores their identifier until unsuppressed', async () => {
      await track.suppress('user-ada');
      await expectRejected(api.getAttributes('user-ada'), 404);
      await track.identify('user-ada', { plan: 'back' });
      await expectRejected(api.getAttributes('user-ada'), 404);
      const ada = (await admin('/people/user-ada')).body;
      expect(ada).to.include({ suppressed: true, deleted: true });
      await track.unsuppress('user-ada');
      await track.identify('user-ada', { plan: 'back' });
      expect(((await api.getAttributes('user-ada')) as any).customer.attributes.plan).to.equal('back');
    });

    it('ignores events for a suppressed person but still answers 200', async () => {
      expect(await track.track('user-linus', { name: 'login' })).to.deep.equal({});
      expect((await admin('/state')).body.events).to.have.length(0);
    });

    it('destroy removes the person from App API reads', async () => {
      await track.destroy('user-grace');
      await expectRejected(api.getAttributes('user-grace'), 404);
      expect(((await api.getCustomersByEmail('grace@example.com')) as any).results).to.deep.equal([]);
    });

    it('attributes push and universal metrics to the delivery they name', async () => {
      const { delivery_id } = (await api.sendPush(new SendPushRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 2 }))) as any;
      await track.trackPush({ delivery_id, device_id: 'fcm-token-ada-pixel', event: 'opened', timestamp: 1710000000 });
      const m = await raw('POST', '/api/v1/metrics', { delivery_id, metric: 'clicked', href: 'https://example.com/x' }, '');
      expect(m.status).to.equal(200);
      const types = (await activities('user-ada')).map((a) => a.type);
      expect(types).to.include.members(['sent_push', 'opened_push', 'clicked_push']);
      expect((await admin('/state')).body.metrics.map((x: any) => x.source)).to.deep.equal(['push/events', 'metrics']);
    });

    it('works over plain HTTP too', async () => {
      const plain = new TrackClient(SITE, TRACK_KEY, { url: `${cio.http.url}/api/v1`, port: cio.http.port, protocol: 'http:', agent: new http.Agent() });
      await plain.identify('user-http', { email: 'http@example.com' });
      expect(((await api.getCustomersByEmail('http@example.com')) as any).results).to.have.length(1);
    });
  });

  describe('App API', () => {
    it('sends a transactional email and lists it among the activities', async () => {
      const req = new SendEmailRequest({ to: 'ada@example.com', identifiers: { id: 'user-ada' }, transactional_message_id: 1, message_data: { code: '1234' } });
      req.attach('receipt.txt', 'thanks');
      const sent = (await api.sendEmail(req)) as any;
      expect(sent.delivery_id).to.be.a('string').with.length.greaterThan(10);
      expect(sent.queued_at).to.be.a('number');
      const [activity] = await activities('user-ada', '?type=sent_email');
      expect(activity).to.include({ delivery_id: sent.delivery_id, delivery_type: 'email' });
      const [delivery] = (await admin('/deliveries?type=email')).body.deliveries;
      expect(delivery.message).to.include({ to: 'ada@example.com' });
      expect(delivery.message.attachments).to.deep.equal(['receipt.txt']);
    });

    it('sends a transactional push to the person\'s devices', async () => {
      await api.sendPush(new SendPushRequest({ identifiers: { email: 'grace@example.com' }, transactional_message_id: 2, title: 'Shipped' }));
      const [delivery] = (await admin('/deliveries?type=push')).body.deliveries;
      expect(delivery.to).to.deep.equal(['apns-token-grace-iphone']);
    });

    it('accepts a send to a suppressed person but does not deliver it', async () => {
      const sent = (await api.sendEmail(new SendEmailRequest({ to: 'linus@example.com', identifiers: { id: 'user-linus' }, transactional_message_id: 1 }))) as any;
      const [delivery] = (await admin('/deliveries')).body.deliveries;
      expect(delivery).to.include({ deliveryId: sent.delivery_id, suppressed: true });
    });

    it('triggers a broadcast and refuses an unknown one with 404', async () => {
      const out = (await api.triggerBroadcast(7, { headline: 'hi' }, { ids: ['user-ada', 'user-grace'] })) as any;
      expect(out).to.deep.equal({ id: 1 });
      const [trigger] = (await admin('/state')).body.broadcastTriggers;
      expect(trigger).to.deep.include({ broadcastId: 7, recipients: { kind: 'ids', ids: ['user-ada', 'user-grace'] } });
      const missing = await raw('POST', '/v1/campaigns/999/triggers', {}, `Bearer ${APP_KEY}`);
      expect(missing.status).to.equal(404);
      expect(missing.body.meta.error).to.match(/broadcast 999/);
    });

    it('pages activities with next', async () => {
      for (const name of ['a', 'b', 'c']) await track.track('user-ada', { name });
      const first = (await api.request.get(`${cio.https.url}/v1/customers/user-ada/activities?type=event&limit=2`)) as any;
      expect(first.activities.map((a: any) => a.name)).to.deep.equal(['c', 'b']);
      const second = (await api.request.get(`${cio.https.url}/v1/customers/user-ada/activities?type=event&limit=2&start=${first.next}`)) as any;
      expect(second.activities.map((a: any) => a.name)).to.deep.equal(['a']);
      expect(second.next).to.equal('');
    });
  });

  describe('authentication', () => {
    it('answers wrong Track credentials with 401 in Customer.io\'s shape', async () => {
      const err = await expectRejected(trackClient(SITE, 'wrong-key').identify('user-ada', { plan: 'x' }), 401);
      expect(err.message).to.equal('Unauthorized request');
      await expectRejected(trackClient('other-site', TRACK_KEY).track('user-ada', { name: 'x' }), 401);
    });

    it('refuses the Track key as an App API bearer token', async () => {
      await expectRejected(apiClient(TRACK_KEY).getAttributes('user-ada'), 401);
      await expectRejected(apiClient(APP_KEY + 'x').sendEmail(new SendEmailRequest({ to: 'a@example.com', identifiers: { id: 'user-ada' }, transactional_message_id: 1 })), 401);
    });

    it('accepts a Tracking or App API key an admin created beside the old one, and refuses a deleted one (key rotation)', async () => {
      const t = (await admin('/api-keys/track', { method: 'POST' })).body as { siteId: string; apiKey: string };
      const a = (await admin('/api-keys/app', { method: 'POST' })).body as { id: string; key: string };
      expect(t.siteId).to.match(/^[0-9a-f]{20}$/);
      expect(t.apiKey).to.match(/^[0-9a-f]{20}$/);
      expect(a.key).to.match(/^[0-9a-f]{32}$/);
      await trackClient(t.siteId, t.apiKey).identify('user-ada', { plan: 'new-key' });
      await trackClient().identify('user-ada', { plan: 'old-key' });
      await expectRejected(trackClient(t.siteId, TRACK_KEY).identify('user-ada', { plan: 'x' }), 401); // pairs do not mix
      await apiClient(a.key).getAttributes('user-ada');
      expect((await admin(`/api-keys/track/${SITE}`, { method: 'DELETE' })).status).to.equal(200);
      await expectRejected(trackClient().identify('user-ada', { plan: 'x' }), 401);
      const listed = (await admin('/api-keys')).body;
      expect(listed.track).to.deep.equal([{ siteId: t.siteId, apiKey: `***${t.apiKey.slice(-4)}` }]);
      expect(JSON.stringify(listed)).not.to.include(a.key);
      const oldApp = listed.app.find((k: { id: string }) => k.id !== a.id).id;
      expect((await admin(`/api-keys/app/${oldApp}`, { method: 'DELETE' })).status).to.equal(200);
      await expectRejected(apiClient().getAttributes('user-ada'), 401);
      expect((await admin('/api-keys/app/app-nope', { method: 'DELETE' })).status).to.equal(404);
      await admin('/reset', { method: 'POST' });
      await trackClient().identify('user-ada', { plan: 'seeded-again' });
    });

    it('keeps credentials out of the journal', async () => {
      await track.identify('user-ada', { plan: 'x' });
      const { entries } = (await admin('/journal')).body;
      expect(JSON.stringify(entries)).not.to.include(Buffer.from(`${SITE}:${TRACK_KEY}`).toString('base64'));
      expect(entries.at(-1).headers.authorization).to.equal('Basic ***');
    });
  });

  describe('validation', () => {
    const cases: Array<[string, string, string, unknown, string]> = [
      ['a blank event name', 'POST', '/api/v1/customers/user-ada/events', { name: '   ' }, 'event name must not be blank'],
      ['event data that is not a hash', 'POST', '/api/v1/customers/user-ada/events', { name: 'x', data: '' }, 'event data must be a hash'],
      ['an event name over 100 bytes', 'POST', '/api/v1/events', { name: 'n'.repeat(101) }, 'event name cannot be longer than 100 bytes'],
      ['an empty id attribute', 'PUT', '/api/v1/customers/user-ada', { id: '' }, 'id attribute cannot be an empty string'],
      ['an attribute name over 150 bytes', 'PUT', '/api/v1/customers/user-ada', { ['a'.repeat(151)]: 1 }, 'attribute name cannot be longer than 150 bytes'],
      ['an attribute value over 1000 bytes', 'PUT', '/api/v1/customers/user-ada', { bio: 'b'.repeat(1001) }, "value for attribute 'bio' cannot be longer than 1000 bytes"],
      ['a device platform outside ios/android', 'PUT', '/api/v1/customers/user-ada/devices', { device: { id: 't', platform: 'windows' } }, 'device platform must be one of: ios, android'],
      ['a push metric event outside the enum', 'POST', '/api/v1/push/events', { delivery_id: 'd', event: 'clicked' }, 'event must be one of: opened, converted, delivered'],
      ['a metric outside the enum', 'POST', '/api/v1/metrics', { delivery_id: 'd', metric: 'read' }, 'metric must be one of: bounced, clicked, converted, deferred, delivered, dropped, opened, spammed'],
      ['a body that is not JSON', 'PUT', '/api/v1/customers/user-ada', '{"plan":', 'request body is not valid JSON'],
    ];
    for (const [what, method, p, body, message] of cases) {
      it(`rejects ${what} with 400`, async () => {
        const res = await raw(method, p, body);
        expect(res.status).to.equal(400);
        expect(res.body).to.deep.equal({ meta: { error: message } });
      });
    }

    it('answers a path that does not URL-decode with 400 and stays up', async () => {
      const res = await raw('PUT', '/api/v1/customers/%E0%A4%A', { plan: 'x' });
      expect(res.status).to.equal(400);
      expect(res.body.meta.error).to.be.a('string');
      expect((await raw('PUT', '/api/v1/customers/user-ada', { plan: 'x' })).status).to.equal(200);
    });

    it('rejects more than 300 attributes in one identify', async () => {
      const attrs = Object.fromEntries(Array.from({ length: 301 }, (_, i) => [`a${i}`, i]));
      const err = await expectRejected(track.identify('user-ada', attrs), 400);
      expect(err.message).to.equal('cannot identify more than 300 attributes in one request');
    });

    it('rejects event data over 100000 bytes, and bodies over the Track request cap with 413', async () => {
      const big = await raw('POST', '/api/v1/customers/user-ada/events', { name: 'x', data: { blob: 'x'.repeat(100_000) } });
      expect(big.body.meta.error).to.equal('event data cannot be longer than 100000 bytes');
      const huge = await raw('POST', '/api/v1/events', { name: 'x', data: { blob: 'x'.repeat(600_000) } });
      expect(huge.status).to.equal(413);
      expect(huge.body.meta.error).to.match(/cannot be larger than/);
    });

    it('requires identifiers and a template or full message on transactional email', async () => {
      const bearer = `Bearer ${APP_KEY}`;
      const noIds = await raw('POST', '/v1/send/email', { to: 'a@example.com', transactional_message_id: 1 }, bearer);
      expect(noIds).to.deep.include({ status: 400, body: { meta: { error: 'identifiers is required: an object with one of id, email or cio_id' } } });
      const noSubject = await raw('POST', '/v1/send/email', { to: 'a@example.com', identifiers: { id: 'x' }, body: 'hi', from: 'f@example.com' }, bearer);
      expect(noSubject.body.meta.error).to.equal('subject is required');
    });
  });

  describe('HTTPS', () => {
    it('verifies against the local CA and fails verification without it', async () => {
      const trusted = await get(cio.https.url + '/__admin/health', { ca });
      expect(trusted).to.include('"ok":true');
      const err = await get(cio.https.url + '/__admin/health', {}).then(() => undefined, (e: NodeJS.ErrnoException) => e);
      expect(err?.code).to.match(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    });

    it('reuses the cached CA on the next start', async () => {
      const second = await startCustomerio({ port: 0, httpsPort: 0, tlsDir });
      try {
        expect(fs.readFileSync(path.join(tlsDir, 'ca.pem'), 'utf8')).to.equal(ca);
        expect(await get(second.https.url.replace('127.0.0.1', 'localhost') + '/__admin/health', { ca })).to.include('customerio');
      } finally {
        await second.close();
      }
    });
  });

  describe('faults and reset', () => {
    it('answers the next N requests with an injected 500 in Customer.io\'s error shape', async () => {
      expect((await admin('/faults', { method: 'POST', body: { status: 500, count: 2, match: { path: '/api/v1/customers' } } })).status).to.equal(201);
      const first = await expectRejected(track.identify('user-ada', { plan: 'x' }), 500);
      expect(first.message).to.equal('Internal Server Error');
      await expectRejected(track.identify('user-ada', { plan: 'x' }), 500);
      expect(await track.identify('user-ada', { plan: 'x' })).to.deep.equal({});
      expect((await admin('/faults')).body.faults).to.deep.equal([]);
    });

    it('injects 429 with Retry-After', async () => {
      await admin('/faults', { method: 'POST', body: { status: 429, retryAfter: 7 } });
      const res = await raw('GET', '/v1/customers?email=ada@example.com', undefined, `Bearer ${APP_KEY}`);
      expect(res.status).to.equal(429);
      expect(res.headers.get('retry-after')).to.equal('7');
      expect(res.body).to.deep.equal({ meta: { error: 'Too Many Requests' } });
    });

    it('delays a request by an injected latency and then serves it', async () => {
      await admin('/faults', { method: 'POST', body: { latencyMs: 50, match: { method: 'PUT' } } });
      expect(await track.identify('user-ada', { plan: 'slow' })).to.deep.equal({});
      const [entry] = (await admin('/journal?method=PUT')).body.entries;
      expect(entry.status).to.equal(200);
      expect(entry.fault).to.match(/^#\d+$/);
      expect(((await api.getAttributes('user-ada')) as any).customer.attributes.plan).to.equal('slow');
    });

    it('reset restores the seed', async () => {
      await track.identify('user-temp', { email: 'temp@example.com' });
      await track.destroy('user-ada');
      await admin('/reset', { method: 'POST' });
      await expectRejected(api.getAttributes('user-temp'), 404);
      expect(((await api.getAttributes('user-ada')) as any).customer.attributes).to.include({ first_name: 'Ada', plan: 'pro' });
      expect((await admin('/state')).body.workspace).to.deep.equal({ siteId: SITE, region: 'us', trackApiKey: '***-key', appApiKey: '***-key' });
    });
  });
});

function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}

async function expectRejected(p: Promise<unknown>, status: number): Promise<Error & { statusCode: number }> {
  const err = await p.then(
    () => undefined,
    (e: Error & { statusCode: number }) => e,
  );
  expect(err, `expected HTTP ${status}`).to.be.instanceOf(Error);
  expect(err!.statusCode).to.equal(status);
  return err!;
}

function get(url: string, opts: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ...opts, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}
