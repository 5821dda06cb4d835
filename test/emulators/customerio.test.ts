/**
 * The fake Customer.io beyond what one client method shows: validation wording, HTTPS, faults, reset, metrics and
 * the journal. Each customerio-node method is tested on its own in customerio-track-client/-api-client.test.ts.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { APIClient, SendEmailRequest, SendPushRequest, TrackClient } from 'customerio-node';
import { startCustomerio } from '../../emulators/customerio/index.ts';
import { APP_KEY, basic, expectRejected, SITE, startCioHarness, TRACK_KEY, type CioHarness } from '../helpers/customerio.ts';

describe('fake Customer.io (Track API v1 + App API v1)', () => {
  let h: CioHarness;
  let track: TrackClient;
  let api: APIClient;
  const raw = (method: string, p: string, body?: unknown, auth = basic(SITE, TRACK_KEY)) => h.raw(method, p, body, auth);
  const admin = (p: string, init?: { method?: string; body?: unknown }) => h.admin(p, init);
  const trackClient = (site = SITE, key = TRACK_KEY) => h.track(site, key);
  const apiClient = (key = APP_KEY) => h.api(key);

  before(async () => {
    h = await startCioHarness();
    track = h.track();
    api = h.api();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const activities = async (id: string, query = '') => ((await api.request.get(`${h.cio.https.url}/v1/customers/${id}/activities${query}`)) as any).activities as any[];

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

    it('ignores events for a suppressed person but still answers 200', async () => {
      expect(await track.track('user-linus', { name: 'login' })).to.deep.equal({});
      expect((await admin('/state')).body.events).to.have.length(0);
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
      const plain = new TrackClient(SITE, TRACK_KEY, { url: `${h.cio.http.url}/api/v1`, port: h.cio.http.port, protocol: 'http:', agent: new http.Agent() });
      await plain.identify('user-http', { email: 'http@example.com' });
      expect(((await api.getCustomersByEmail('http@example.com')) as any).results).to.have.length(1);
    });
  });

  describe('Track API routes customerio-node does not call', () => {
    it('GET /api/v1/accounts/region names the region and the Track URL', async () => {
      expect((await raw('GET', '/api/v1/accounts/region')).body).to.deep.equal({ url: 'https://track.customer.io', region: 'us', environment_id: 1 });
      expect((await raw('GET', '/api/v1/accounts/region', undefined, basic(SITE, 'wrong'))).status).to.equal(401);
    });

    it('adds people to a manual segment and removes them, by id, email or cio_id', async () => {
      const exportOf = async (segment: number) => ((await api.createCustomersExport({ segment: { id: segment } } as any)) as any).export.total;
      expect(await exportOf(4)).to.equal(1);
      expect((await raw('POST', '/api/v1/segments/4/add_customers', { ids: ['user-grace', 'ignored@example.com'] })).status).to.equal(200);
      expect(await exportOf(4)).to.equal(2);
      await raw('POST', '/api/v1/segments/4/remove_customers?id_type=email', { ids: ['ada@example.com'] });
      // Ada is a member by id, not by email: removing her email changes nothing.
      expect(await exportOf(4)).to.equal(2);
      const ada = (await admin('/people/user-ada')).body;
      await raw('POST', '/api/v1/segments/5/remove_customers', { ids: ['user-ada'] });
      await raw('POST', '/api/v1/segments/5/add_customers?id_type=cio_id', { ids: [ada.cioId] });
      expect(await exportOf(5)).to.equal(2);
    });

    it('refuses an unknown segment with 404, an empty or oversized id list and a bad id_type with 400', async () => {
      expect((await raw('POST', '/api/v1/segments/99/add_customers', { ids: ['user-ada'] })).body).to.deep.equal({ meta: { error: 'segment 99 not found' } });
      expect((await raw('POST', '/api/v1/segments/4/add_customers', { ids: [] })).body.meta.error).to.equal('ids must be a non-empty array');
      expect((await raw('POST', '/api/v1/segments/4/add_customers', { ids: Array.from({ length: 1001 }, (_, i) => `u${i}`) })).body.meta.error).to.equal('ids cannot hold more than 1000 customer ids');
      expect((await raw('POST', '/api/v1/segments/4/add_customers?id_type=phone', { ids: ['x'] })).body.meta.error).to.equal('id_type must be one of: id, email, cio_id');
    });
  });

  describe('App API', () => {
    it('accepts a send to a suppressed person but does not deliver it', async () => {
      const sent = (await api.sendEmail(new SendEmailRequest({ to: 'linus@example.com', identifiers: { id: 'user-linus' }, transactional_message_id: 1 }))) as any;
      const [delivery] = (await admin('/deliveries')).body.deliveries;
      expect(delivery).to.include({ deliveryId: sent.delivery_id, suppressed: true });
    });

    it('pages activities with next', async () => {
      for (const name of ['a', 'b', 'c']) await track.track('user-ada', { name });
      const first = (await api.request.get(`${h.cio.https.url}/v1/customers/user-ada/activities?type=event&limit=2`)) as any;
      expect(first.activities.map((a: any) => a.name)).to.deep.equal(['c', 'b']);
      const second = (await api.request.get(`${h.cio.https.url}/v1/customers/user-ada/activities?type=event&limit=2&start=${first.next}`)) as any;
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
      const trusted = await get(h.cio.https.url + '/__admin/health', { ca: h.ca });
      expect(trusted).to.include('"ok":true');
      const err = await get(h.cio.https.url + '/__admin/health', {}).then(() => undefined, (e: NodeJS.ErrnoException) => e);
      expect(err?.code).to.match(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/);
    });

    it('reuses the cached CA on the next start', async () => {
      const second = await startCustomerio({ port: 0, httpsPort: 0, tlsDir: h.tlsDir });
      try {
        expect(fs.readFileSync(path.join(h.tlsDir, 'ca.pem'), 'utf8')).to.equal(h.ca);
        expect(await get(second.https.url.replace('127.0.0.1', 'localhost') + '/__admin/health', { ca: h.ca })).to.include('customerio');
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
