/**
 * `npm run rotate:customerio-keys` against a running stack with Track and App API calls flowing through the
 * gateway: the proxy moves to the new keys with no cold start and no refused request — on its refresh interval
 * (Customer.io never sees the old key after it was deleted), and on Customer.io's 401 when the old key is deleted
 * before the proxy re-read the secret (then it re-reads once and retries).
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { admin, testStack } from '../helpers/stack.ts';
import { eventually, expectNoRefusal, steadyLoad } from '../helpers/steady-load.ts';
import { auditLines, runScript } from '../helpers/run-script.ts';

const SEEDED = { CIO_SITE_ID: 'local-fake-site-id', CIO_API_KEY: 'local-fake-track-api-key', CIO_APP_API_KEY: 'local-fake-app-api-key' };

async function rotateUnderLoad(stack: Stack, args: string[], env: Record<string, string> = {}) {
  const gw = stack.urls.gateway;
  const token = await stack.gateway.mintToken('ada@example.com');
  await admin(stack.urls.customerio, '/journal', { method: 'DELETE' });
  const load = steadyLoad([
    { name: 'track', send: () => fetch(`${gw}/customers/ada@example.com/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'rotating' }) }) },
    { name: 'track-anonymous', send: () => fetch(`${gw}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rotating', anonymous_id: 'device-9' }) }) },
    { name: 'app', send: () => fetch(`${gw}/customers/ada@example.com/activities`, { headers: { authorization: `Bearer ${token}` } }) },
  ]);
  await eventually(() => load.count() > 20);
  const started = load.count();
  const run = await runScript('scripts/rotate-customerio-keys.ts', ['--customerio', stack.urls.customerio, ...args], { VAULT_ADDR: stack.urls.vault, VAULT_TOKEN: 'root', SECRET_STORE: 'vault', ...env });
  const finished = load.count();
  await eventually(() => load.count() > finished + 100);
  const result = await load.stop();
  expect(run.code, run.stderr).to.equal(0);
  expectNoRefusal(result);
  expect(finished - started, 'requests during the rotation').to.be.greaterThan(10);
  const journal = (await admin(stack.urls.customerio, '/journal')).entries as { path: string; status: number }[];
  return { run, journal: journal.filter((e) => e.path.startsWith('/api/v1') || e.path.startsWith('/v1')) };
}

const storedKeys = async (stack: Stack) =>
  (await (await fetch(`${stack.urls.vault}/v1/secret/data/gatehouse/customerio`, { headers: { 'x-vault-token': 'root' } })).json() as { data: { data: Record<string, string> } }).data.data;

describe('rotate:customerio-keys', function () {
  this.timeout(120_000);

  describe('picked up on the refresh interval', () => {
    let stack: Stack;
    before(async () => (stack = await testStack({ SECRET_REFRESH_SECONDS: '1', SECRET_REFRESH_MIN_INTERVAL_MS: '200' })));
    after(() => stack?.close());

    it('moves the proxy to new Track and App keys: no refused request, and Customer.io never sees a deleted key', async () => {
      // Six refresh intervals: the proxies re-read the secret long before the old keys go, even on a loaded machine.
      const { run, journal } = await rotateUnderLoad(stack, ['--propagation-seconds', '6']);
      expect(journal.filter((e) => e.status === 401)).to.deep.equal([]);
      const now = await storedKeys(stack);
      for (const [k, v] of Object.entries(SEEDED)) expect(now[k], k).to.be.a('string').and.not.equal(v);
      expect(now.ANON_ID_SALT).to.equal('local-fake-anon-id-salt');
      // The old pair and key are gone from the fake; the stack's Customer.io calls now use the new ones.
      const creds = await admin(stack.urls.customerio, '/api-keys');
      expect(creds.track.map((k: { siteId: string }) => k.siteId)).to.deep.equal([now.CIO_SITE_ID]);
      expect(creds.app).to.have.length(1);
      const lines = auditLines(run.stdout);
      expect(lines.map((l) => `${l.action} ${l.outcome} ${l.details.step}`)).to.deep.equal([
        'secret.rotate success create a new Tracking API key (Site ID + API key) in Customer.io',
        'secret.rotate success create a new App API key in Customer.io',
        'secret.rotate success write them to Vault secret/gatehouse/customerio as a new version',
        'secret.rotate success wait for every proxy to re-read the secret',
        'secret.rotate success delete the old Tracking API key in Customer.io',
        'secret.rotate success delete the old App API key in Customer.io',
      ]);
      expect(lines.every((l) => l.resource === 'secret:CIO_SITE_ID,CIO_API_KEY,CIO_APP_API_KEY')).to.equal(true);
      for (const v of [now.CIO_API_KEY, now.CIO_APP_API_KEY, SEEDED.CIO_API_KEY, SEEDED.CIO_APP_API_KEY]) expect(run.stdout + run.stderr).not.to.include(v);
    });
  });

  describe('picked up on Customer.io refusing the old key', () => {
    let stack: Stack;
    // No refresh interval: only a 401 makes the proxy re-read the secret.
    before(async () => (stack = await testStack({ SECRET_REFRESH_SECONDS: '0', SECRET_REFRESH_MIN_INTERVAL_MS: '200' })));
    after(() => stack?.close());

    it('re-reads the secret once on a 401 and retries with the new key: no refused request, no cold start', async () => {
      const { journal } = await rotateUnderLoad(stack, ['--propagation-seconds', '0']);
      const refused = journal.filter((e) => e.status === 401);
      expect(refused.length, 'the old key was deleted under the proxy').to.be.greaterThan(0);
      expect(journal.at(-1)!.status).to.equal(200);
      const pickups = (await admin(stack.urls.proxy, '/audit?action=secret.load')).entries.filter((l: { details?: { changed?: boolean } }) => l.details?.changed);
      expect(pickups.map((l: { details: { refresh: string } }) => l.details.refresh)).to.satisfy((r: string[]) => r.some((x) => /^Customer\.io (track|app) API answered 401$/.test(x)));
    });
  });
});
