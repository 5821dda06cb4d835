/**
 * API keys and usage plans at the gateway, as API Gateway applies them: only on the configured routes, 403 for a
 * missing/unknown/disabled key, 429 over the plan's rate or quota. A frozen clock keeps the token bucket exact.
 */
import { expect } from 'chai';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { startGateway, DEFAULT_STEPS, type Gateway } from '../../emulators/gateway/index.ts';
import { checkApiKey } from '../../emulators/gateway/steps.ts';
import { ApiKeyStore, apiKeyCheck, loadApiKeys } from '../../emulators/gateway/api-keys.ts';
import { call } from '../helpers/stack.ts';

const CRM = 'local-crm-api-key-000000000000000000000000';
const PARTNER = 'local-partner-api-key-00000000000000000000';
const DISABLED = 'local-disabled-api-key-0000000000000000000';

describe('gateway API keys and usage plans', () => {
  let upstream: Listening;
  let seen: http.IncomingHttpHeaders[] = [];
  let now = Date.parse('2026-03-02T10:00:00Z');
  let gw: Gateway;
  let fixtureGw: Gateway;

  before(async () => {
    upstream = await listen(http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    }), 0);
    const keyDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-apikeys-')), 'gateway');
    const store = new ApiKeyStore(loadApiKeys(), () => now);
    gw = await startGateway({ port: 0, upstream: upstream.url, keyDir, steps: [apiKeyCheck(store), ...DEFAULT_STEPS.filter((s) => s !== checkApiKey)] });
    fixtureGw = await startGateway({ port: 0, upstream: upstream.url, keyDir });
  });
  after(async () => {
    await gw?.close();
    await fixtureGw?.close();
    await upstream?.close();
  });
  beforeEach(() => { seen = []; now += 86_400_000; });

  it('refuses a missing key with 403 {"message":"Forbidden"} and never forwards', async () => {
    const res = await call(fixtureGw.url, 'POST', '/send-mail', { json: {} });
    expect(res.status).to.equal(403);
    expect(res.body).to.deep.equal({ message: 'Forbidden' });
    expect(res.headers.get('x-amzn-errortype')).to.equal('ForbiddenException');
    expect(seen).to.have.length(0);
  });

  it('refuses an unknown and a disabled key alike', async () => {
    for (const key of ['not-a-key-but-long-enough-123', DISABLED]) {
      const res = await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': key } });
      expect(res.status).to.equal(403);
      expect(res.body).to.deep.equal({ message: 'Forbidden' });
    }
  });

  it('forwards with a valid key, without passing the key on', async () => {
    const res = await call(gw.url, 'GET', '/send-mail/abc', { headers: { 'x-api-key': CRM } });
    expect(res.status).to.equal(200);
    expect(seen).to.have.length(1);
    expect(seen[0]['x-api-key']).to.equal(undefined);
    expect(seen[0].signature).to.be.a('string');
  });

  it('leaves routes without a key requirement alone', async () => {
    const res = await call(fixtureGw.url, 'POST', '/events', { json: { name: 'x' } });
    expect(res.status).to.equal(200);
  });

  it('answers 429 Too Many Requests past the burst, and refills at the plan\'s rate', async () => {
    // crm-trickle: burstLimit 2, rateLimit 1/s.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } })).status);
    expect(statuses).to.deep.equal([200, 200, 429]);
    const limited = await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } });
    expect(limited.body).to.deep.equal({ message: 'Too Many Requests' });
    now += 1000;
    expect((await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } })).status).to.equal(200);
  });

  it('answers 429 Limit Exceeded once the daily quota is used, and resets the next day', async () => {
    // crm-trickle: 5 per DAY.
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      now += 2000; // keep the bucket full: only the quota may refuse
      statuses.push((await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } })).status);
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 429]);
    const over = await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } });
    expect(over.body).to.deep.equal({ message: 'Limit Exceeded' });
    now += 86_400_000;
    expect((await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } })).status).to.equal(200);
  });

  it('counts keys separately', async () => {
    for (let i = 0; i < 2; i++) await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } });
    expect((await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': PARTNER } })).status).to.equal(429);
    expect((await call(gw.url, 'GET', '/reports', { headers: { 'x-api-key': CRM } })).status).to.equal(200);
  });
});
