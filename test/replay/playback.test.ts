/**
 * Upstream fixtures in use: the Customer.io routes' core cases run in playback mode (the proxy's HttpClient answers
 * from fixtures/upstream/customerio, no fake started), and every recorded upstream interaction is checked against
 * the provider pact it belongs to — a fixture the pact does not allow fails.
 */
import { expect } from 'chai';
import { mkdtempSync, readdirSync } from 'node:fs';
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
import { loadSeed, seedSecrets } from '../../emulators/vault/seed.ts';
import { gatewaySigner } from '../helpers/signed.ts';
import { serveApp } from '../helpers/serve.ts';

const ADA = 'ada@example.com';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const redact = new Redactor(undefined, seededSecretValues());
const vaultSeed = seedSecrets(loadSeed())['secret/gatehouse/customerio'].data as Record<string, string>;

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
      secrets: staticSecrets({ CIO_SITE_ID: 'playback-site', CIO_API_KEY: 'playback-key', CIO_APP_API_KEY: 'playback-app-key', ANON_ID_SALT: vaultSeed.ANON_ID_SALT, PII_SALT: vaultSeed.PII_SALT, CIO_WEBHOOK_SIGNING_KEY: vaultSeed.CIO_WEBHOOK_SIGNING_KEY, API_GATEWAY_PUBLIC_KEY: keys.signingPublicKeyPem }),
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
      // Every upstream has a provider pact now, so a folder without one is a hole in the check, not a pending item.
      expect(pacts.map((p) => p.file), `fixtures/upstream/${provider}/ has no provider pact in contracts/pacts/ (add a consumer pact in contracts/consumer/${provider}/)`).to.not.be.empty;
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

  it('checks the Mailgun and Vault fixtures for real (each has a provider pact, so nothing is pending)', () => {
    for (const provider of ['mailgun', 'vault']) expect(providerPacts(provider), provider).to.have.length.greaterThan(0);
  });

  describe('a Mailgun fixture the pact does not allow fails the check', () => {
    const interactions = providerPacts('mailgun').flatMap((p) => p.interactions);
    const send = loadUpstreamFixtures('mailgun').find((f) => f.request.method === 'POST' && f.request.path.endsWith('/messages'))!;
    const tamper = (edit: (f: UpstreamInteraction, form: URLSearchParams) => void) => {
      const f = structuredClone(send);
      const form = new URLSearchParams(f.request.body as string);
      edit(f, form);
      f.request.body = form.toString();
      return checkFixtures([f], interactions, redact)[0];
    };

    it('accepts the recorded send itself, field by field', () => {
      // The refused-key interaction sends the same request (only the state differs), so either may allow it.
      expect(tamper(() => {}).allowedBy).to.be.oneOf(['a message to one recipient with its campaign tag and variables', 'a message sent with a key Mailgun refuses']);
    });

    it('rejects a form field the pact does not send, and a missing one', () => {
      expect(tamper((_f, form) => form.append('o:tracking', 'yes')).problems.join()).to.include('$.o:tracking: not in the pact');
      expect(tamper((_f, form) => form.delete('v:campaign_type')).problems.join()).to.include('$.v:campaign_type: missing');
    });

    it('rejects a second recipient without recipient-variables, a campaign type the schema does not know and a Bearer key', () => {
      expect(tamper((_f, form) => form.append('to', 'user-00000000@redacted.invalid')).allowedBy).to.equal(undefined);
      expect(tamper((_f, form) => form.set('v:campaign_type', 'promo')).problems.join()).to.include('$.v:campaign_type');
      expect(tamper((f) => { f.request.headers.authorization = 'Bearer [REDACTED]'; }).problems.join()).to.include('header authorization');
    });

    it('rejects a batch (recipient-variables, reply-to) with fewer than two recipients', () => {
      const res = tamper((_f, form) => {
        form.set('h:Reply-To', 'user-00000000@redacted.invalid');
        form.set('recipient-variables', '{}');
      });
      expect(res.allowedBy).to.equal(undefined);
      expect(res.problems.join()).to.include('$.to: expected at least 2 items, got 1');
    });

    it('rejects another sending domain', () => {
      expect(tamper((f) => { f.request.path = '/v3/sandbox.gatehouse.local/messages'; }).problems.join()).to.include('path');
    });
  });

  describe('a Vault fixture the pact does not allow fails the check', () => {
    const interactions = providerPacts('vault').flatMap((p) => p.interactions);
    const fixtures = loadUpstreamFixtures('vault');
    const read = fixtures.find((f) => f.request.method === 'GET')!;
    const login = fixtures.find((f) => f.request.path === '/v1/auth/approle/login')!;
    const tamper = (fx: UpstreamInteraction, edit: (f: UpstreamInteraction) => void) => {
      const f = structuredClone(fx);
      edit(f);
      return checkFixtures([f], interactions, redact)[0];
    };

    it('accepts the recorded login and KV v2 read themselves', () => {
      expect(tamper(login, () => {}).allowedBy).to.match(/^an AppRole login/);
      expect(tamper(read, () => {}).allowedBy).to.equal('a KV v2 read of the proxy\'s secret with its token');
    });

    it('rejects a read without X-Vault-Token', () => {
      expect(tamper(read, (f) => { delete f.request.headers['x-vault-token']; }).problems.join()).to.include('header x-vault-token is missing');
    });

    it('rejects a read of another path (KV v1, metadata, another secret)', () => {
      for (const path of ['/v1/kv/gatehouse/customerio', '/v1/secret/metadata/gatehouse/customerio', '/v1/secret/data/gatehouse/payroll']) {
        expect(tamper(read, (f) => { f.request.path = path; }).allowedBy, path).to.equal(undefined);
      }
    });

    it('rejects a login body key the pact does not send', () => {
      expect(tamper(login, (f) => { (f.request.body as Record<string, unknown>).policies = '[REDACTED]'; }).problems.join()).to.include('$.policies: not in the pact');
    });
  });
});
