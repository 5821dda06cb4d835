/**
 * Upstream fixtures in use: the Customer.io routes' core cases run in playback mode (the proxy's HttpClient answers
 * from fixtures/upstream/customerio, no fake started), and every recorded upstream interaction is checked against
 * the provider pact it belongs to — a fixture the pact does not allow fails.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayKeys } from '../../emulators/gateway/index.ts';
import type { Listening } from '../../emulators/shared/emulator.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { staticSecrets } from '../../proxy/secrets/chain.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { checkFixtures, providerPacts } from '../../scripts/lib/replay/pact-check.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { loadCompareRules } from '../../scripts/lib/replay/rules.ts';
import { seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import { UPSTREAM_FIXTURES, loadUpstreamFixtures, playbackClient, type UpstreamInteraction } from '../../scripts/lib/replay/upstream.ts';
import { gatewaySigner } from '../helpers/signed.ts';
import { serveApp } from '../helpers/serve.ts';

const ADA = 'ada@example.com';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const redact = new Redactor(undefined, seededSecretValues());
const vaultSeed = JSON.parse(readFileSync(new URL('../../fixtures/vault/seed.json', import.meta.url), 'utf8')).secrets['secret/gatehouse/customerio'];

describe('Customer.io routes in playback mode (no fakes)', () => {
  let server: Listening;
  let sign: ReturnType<typeof gatewaySigner>;
  const sent: string[] = [];

  before(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-playback-'));
    const keys = loadGatewayKeys({ keyDir: join(stateDir, 'gateway'), env: {} });
    sign = gatewaySigner(stateDir);
    const http = playbackClient(loadUpstreamFixtures('customerio'), redact, loadCompareRules());
    http.onExchange((x) => sent.push(`${x.request.method} ${new URL(x.request.url).pathname} ${x.response?.status ?? 'no fixture'}`));
    const app = await buildCustomerioApp({
      env: { CIO_TRACK_API_BASE_URL: 'http://track.playback.invalid/api/v1/', CIO_APP_API_BASE_URL: 'http://app.playback.invalid/v1/', CIO_ALLOWED_BROADCAST_IDS: '7' },
      http, log: silentLogger(),
      // Placeholder keys: fixtures hold no credentials, and playback does not compare them.
      secrets: staticSecrets({ CIO_SITE_ID: 'playback-site', CIO_API_KEY: 'playback-key', CIO_APP_API_KEY: 'playback-app-key', ANON_ID_SALT: vaultSeed.ANON_ID_SALT, API_GATEWAY_PUBLIC_KEY: keys.signingPublicKeyPem }),
    });
    server = await serveApp(app);
  });
  after(() => server?.close());
  beforeEach(() => { sent.length = 0; });

  const call = async (r: { method: string; path: string; query?: string; json?: unknown; email?: string }) => {
    const s = sign(r);
    // node:http, not fetch: the signature covers the Host header, which fetch would replace.
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(`${server.url}${s.path}${s.query ? `?${s.query}` : ''}`, { method: s.method, headers: s.headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(s.body);
    });
  };

  it('tracks a signed-in user\'s event (the fixture answers the ULID-stamped Track call)', async () => {
    const res = await call({ method: 'POST', path: `/customers/${ADA}/events`, json: { name: 'item_purchased', data: { price: 29.99 } }, email: ADA });
    expect(res.status).to.equal(200);
    expect(sent).to.deep.equal(['POST /api/v1/customers/ada%40example.com/events 200']);
  });

  it('identifies the user and registers a device', async () => {
    expect((await call({ method: 'PUT', path: `/customers/${ADA}/attributes`, json: { plan: 'premium' }, email: ADA })).status).to.equal(200);
    expect((await call({ method: 'PUT', path: `/customers/${ADA}/devices`, json: { device: { id: 'fcm-token-ada-pixel', platform: 'android' } }, email: ADA })).status).to.equal(200);
  });

  it('tracks an anonymous event under the salted hash the fixture recorded', async () => {
    expect((await call({ method: 'POST', path: '/events', json: { name: 'app_opened', anonymous_id: 'device-1' } })).status).to.equal(200);
    expect(sent).to.deep.equal(['POST /api/v1/events 200']);
  });

  it('passes the recorded activities and broadcast answers through', async () => {
    const acts = await call({ method: 'GET', path: `/customers/${ADA}/activities`, query: 'limit=10', email: ADA });
    expect(acts.status).to.equal(200);
    expect(acts.body.activities.length).to.be.greaterThan(0);
    expect(acts.body.activities[0].id).to.match(ULID);
    const trig = await call({ method: 'POST', path: '/campaigns/7/triggers', json: { data: { headline: 'Hello' } }, email: ADA });
    expect(trig).to.deep.include({ status: 200, body: { id: 1 } });
  });

  it('refuses someone else\'s profile before any upstream call', async () => {
    const res = await call({ method: 'POST', path: '/customers/grace@example.com/events', json: { name: 'x' }, email: ADA });
    expect(res.status).to.equal(403);
    expect(sent).to.deep.equal([]);
  });

  it('fails loudly (502 upstream_unreachable) for a call no fixture recorded', async () => {
    const res = await call({ method: 'POST', path: `/customers/${ADA}/events`, json: { name: 'never_recorded' }, email: ADA });
    expect(res.status).to.equal(502);
    expect(res.body.error.code).to.equal('upstream_unreachable');
    expect(sent).to.deep.equal(['POST /api/v1/customers/ada%40example.com/events no fixture']);
  });
});

describe('upstream fixtures against the provider pacts', () => {
  const providers = readdirSync(UPSTREAM_FIXTURES).sort();

  for (const provider of providers) {
    it(`every ${provider} fixture is an interaction its pact allows`, function () {
      const pacts = providerPacts(provider);
      // Customer.io and Extend have provider pacts; Mailgun and Vault fixtures are recorded but no pact describes
      // those upstreams yet, so their check is pending (listed, not silently dropped) until one lands.
      if (pacts.length === 0) {
        console.log(`    (${provider}: no provider pact in contracts/pacts/ — fixture check pending)`);
        this.skip();
      }
      const fixtures = loadUpstreamFixtures(provider);
      expect(fixtures.length).to.be.greaterThan(0);
      const bad = checkFixtures(fixtures, pacts.flatMap((p) => p.interactions), redact).filter((r) => !r.allowedBy);
      expect(bad.map((b) => `${b.fixture.request.method} ${b.fixture.request.path}: ${b.problems.join('; ')}`)).to.deep.equal([]);
    });
  }

  describe('a fixture the pact does not allow fails the check', () => {
    const interactions = providerPacts('customerio').flatMap((p) => p.interactions);
    const event = loadUpstreamFixtures('customerio').find((f) => f.request.method === 'POST' && f.request.path.endsWith('/events') && f.request.path.includes('customers'))!;
    const tamper = (edit: (f: UpstreamInteraction) => void) => {
      const f = structuredClone(event);
      edit(f);
      return checkFixtures([f], interactions, redact)[0];
    };

    it('accepts the recorded event itself', () => {
      expect(tamper(() => {}).allowedBy).to.equal('a customer event with an idempotency id');
    });

    it('rejects a body key the pact does not send, a non-ULID id and a Bearer where Track uses Basic', () => {
      expect(tamper((f) => { (f.request.body as Record<string, unknown>).ssn = '[REDACTED]'; }).problems.join()).to.include('$.ssn: not in the pact');
      expect(tamper((f) => { (f.request.body as Record<string, unknown>).id = 'not-a-ulid'; }).problems.join()).to.include('$.id');
      expect(tamper((f) => { f.request.headers.authorization = 'Bearer [REDACTED]'; }).problems.join()).to.include('header authorization');
    });

    it('rejects another user\'s path (the pact names its user)', () => {
      expect(tamper((f) => { f.request.path = f.request.path.replace(/user-[0-9a-f]{8}/, 'user-00000000'); }).allowedBy).to.equal(undefined);
    });
  });
});
