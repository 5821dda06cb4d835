/**
 * The QA captures in fixtures/recordings/ (one per seed system, made with `npm run record -- --scenario …`) hold a
 * successful and a refused request for every route of every function, and replay green against a fresh stack
 * through the real CLI path (hosts rewritten, JWTs and API tokens re-minted, webhooks re-signed, ids carried over,
 * diff on) — twice in a row with identical verdicts, because `--reset` puts the stack back to its seed first.
 */
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from '../../emulators/stack/index.ts';
import { functionRoutes } from '../../contracts/support/route-coverage.ts';
import { runReplayCli } from '../../scripts/lib/replay/cli.ts';
import { capturedCalls, coverageGaps, RECORDINGS } from '../../scripts/lib/replay/coverage.ts';
import type { EntryResult } from '../../scripts/lib/replay/runner.ts';
import { call, testStack } from '../helpers/stack.ts';
import { loadSeed } from '../../emulators/customerio/seed.ts';
import { signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';

const CAPTURES = readdirSync(RECORDINGS).filter((f) => f.endsWith('.har')).sort();

describe('recorded QA captures', function () {
  this.timeout(180_000);
  let stack: Stack;
  before(async () => { stack = await testStack(); });
  after(() => stack?.close());

  const replayCli = async (file: string, ...flags: string[]) => {
    let out = '';
    const run = await runReplayCli([join(RECORDINGS, file), '--target', stack.urls.gateway, '--state-dir', stack.stateDir, '--aws', stack.urls.aws,
      '--admin', stack.urls.proxy, '--concurrency', '4', ...flags], { out: (s) => (out += s), err: (s) => (out += s), tty: false });
    return { ...run, out };
  };
  const verdicts = (results: EntryResult[]) => results.map((r) => `${r.entry.index} ${r.entry.method} ${r.entry.url.pathname}: ${r.verdict}`);

  it('hold a successful and a refused request for every route of every function in proxy/functions', async () => {
    const routes = await functionRoutes(stack.proxyEnv);
    expect(routes.length).to.be.greaterThan(20);
    const gaps = coverageGaps(routes, capturedCalls());
    expect(gaps.map((g) => `${g.route}: no ${g.missing.join(', no ')}`), 'routes the captures do not exercise (add requests to scripts/lib/replay/scenarios.ts and re-record)').to.deep.equal([]);
  });

  it('the coverage check names a route no capture exercises, and one exercised only one way', () => {
    const routes = [{ fn: 'mail', method: 'GET', path: '/reports' }, { fn: 'mail', method: 'GET', path: '/nowhere/:id' }];
    const gaps = coverageGaps(routes, [{ method: 'GET', path: '/reports', status: 200, capture: 'x.har' }]);
    expect(gaps).to.deep.equal([
      { route: 'GET /reports (mail)', missing: ['a refused request'] },
      { route: 'GET /nowhere/:id (mail)', missing: ['a successful request', 'a refused request'] },
    ]);
  });

  for (const file of CAPTURES) {
    it(`replays ${file} twice with --reset, green and with identical verdicts`, async () => {
      const first = await replayCli(file, '--reset');
      expect(first.results.length, first.out).to.be.greaterThan(0);
      expect(first.code, first.out).to.equal(0);
      expect(first.out).to.match(/reset to the seed in \d+ ms: .*aws.*packages-database, proxy-functions/);
      const second = await replayCli(file, '--reset');
      expect(second.code, second.out).to.equal(0);
      expect(verdicts(second.results)).to.deep.equal(verdicts(first.results));
    });
  }

  it('without --reset a capture that changes state does not replay the same (the reset is what makes it repeatable)', async () => {
    const fresh = await replayCli('packages.har', '--reset');
    expect(fresh.code, fresh.out).to.equal(0);
    // 461 is restored now: restoring it again answers "package is not deleted".
    const again = await replayCli('packages.har');
    expect(again.code).to.equal(1);
    expect(again.out).to.include('POST /packages/restore');
    const reset = await call(stack.urls.proxy, 'POST', '/__admin/reset');
    expect(reset.status, reset.text).to.equal(200);
    const token = await stack.gateway.mintToken('ada@example.com');
    const status = await call(stack.urls.gateway, 'GET', '/packages/restore?dataset_id=N:dataset:123&package_id=N:package:461', { token });
    expect(status.body).to.deep.include({ state: 'DELETED', restore: null });
  });

  it('refuses --reset against a target that is not on this machine, unless forced', async () => {
    let err = '';
    const run = await runReplayCli([join(RECORDINGS, 'cards.har'), '--target', 'https://api.example.com', '--admin', stack.urls.proxy, '--reset'],
      { out: () => {}, err: (s) => (err += s), tty: false });
    expect(run.code).to.equal(2);
    expect(run.results).to.deep.equal([]);
    expect(err).to.include('--target https://api.example.com is not loopback');
  });

  it('answers the stack\'s reset only on the proxy\'s own port, for POST, never for a request the gateway signed', async () => {
    expect((await call(stack.urls.proxy, 'GET', '/__admin/reset')).status).to.equal(405);
    // What the gateway forwards carries its signature: that is the app's to answer (no such route), never a reset.
    const forwarded = await call(stack.urls.proxy, 'POST', '/__admin/reset', { headers: { signature: 'keyId="gw",signature="x"' } });
    expect(forwarded.status).to.not.equal(200);
    expect(forwarded.body?.ok).to.equal(undefined);
  });

  it('puts the proxy\'s functions back cold: a webhook seen before the reset is not a replay after it', async () => {
    // A replay re-signs a Customer.io event with the current second; two runs within one second send the same bytes.
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ event_id: '01JRESETRESETRESETRESETRES', object_type: 'email', metric: 'delivered', timestamp: ts,
      data: { customer_id: 'reset-check', identifiers: { id: 'reset-check' }, delivery_id: 'dlv-reset' } });
    const send = () => call(stack.urls.gateway, 'POST', '/webhooks/customerio', { body, headers: { 'content-type': 'application/json',
      'x-cio-timestamp': String(ts), 'x-cio-signature': signCustomerioWebhook(loadSeed().workspace.webhookSigningKey, ts, body) } });
    expect((await send()).status).to.equal(200);
    expect((await send()).body?.error?.code).to.equal('webhook_replayed');
    const reset = await call(stack.urls.proxy, 'POST', '/__admin/reset');
    expect(reset.body?.reset).to.include('proxy-functions');
    const again = await send();
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body?.stored).to.equal(true);
  });
});
