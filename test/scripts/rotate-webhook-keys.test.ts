/**
 * `npm run rotate:mailgun-webhook-key` and `rotate:customerio-webhook-key` against a running stack while webhooks
 * keep arriving, signed by the fakes with whatever key they hold at that instant (they switch at once when the key
 * is regenerated): no webhook is refused, the proxy ends on the new key alone, and the old key is then refused.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Stack } from '../../emulators/stack/index.ts';
import { signWebhook } from '../../emulators/mailgun/webhooks.ts';
import { signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { admin, testStack } from '../helpers/stack.ts';
import { eventually, expectNoRefusal, steadyLoad } from '../helpers/steady-load.ts';
import { auditLines, runScript } from '../helpers/run-script.ts';

const CRM_KEY = 'local-crm-api-key-000000000000000000000000';
const MAILGUN_API_KEY = 'key-gatehouse-local-0000000000000000';

const vaultData = async (stack: Stack, path: string) =>
  (await (await fetch(`${stack.urls.vault}/v1/secret/data/${path}`, { headers: { 'x-vault-token': 'root' } })).json() as { data: { data: Record<string, string> } }).data.data;

const refusals = async (stack: Stack, since: string) =>
  ((await admin(stack.urls.proxy, `/audit?action=webhook.signature_refused&since=${encodeURIComponent(since)}`)).entries as unknown[]);

describe('webhook signing key rotation', function () {
  this.timeout(120_000);
  let stack: Stack;
  before(async () => (stack = await testStack({ SECRET_REFRESH_SECONDS: '1', SECRET_REFRESH_MIN_INTERVAL_MS: '200' })));
  after(() => stack?.close());

  it('Mailgun: every webhook verifies while Mailgun regenerates its key; the old key is refused afterwards', async () => {
    const gw = stack.urls.gateway;
    const mailgun = stack.urls.mailgun;
    const since = new Date().toISOString();
    const auth = { authorization: `Basic ${Buffer.from(`api:${MAILGUN_API_KEY}`).toString('base64')}` };
    const accountKey = async () => ((await (await fetch(`${mailgun}/v5/accounts/http_signing_key`, { headers: auth })).json()) as { http_signing_key: string }).http_signing_key;
    /** A webhook as Mailgun sends it, signed with the key Mailgun holds at this instant (an event the proxy acknowledges without storing). */
    const webhook = async (key?: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = randomBytes(25).toString('hex');
      const body = { signature: { timestamp, token, signature: signWebhook(key ?? (await accountKey()), timestamp, token) }, 'event-data': { id: token, event: 'stored', recipient: 'linus@example.com', timestamp: Date.now() / 1000, message: { headers: { 'message-id': `${token}@mg.gatehouse.local` } } } };
      return fetch(`${gw}/webhooks/mailgun`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    };
    const oldKey = await accountKey();
    await fetch(`${mailgun}/__admin/webhooks`, { method: 'DELETE' }).catch(() => undefined);
    const load = steadyLoad([
      { name: 'mailgun-signed', send: () => webhook() },
      // Real sends: the fake Mailgun posts their delivery webhooks to the gateway on its own.
      { name: 'send-mail', pauseMs: 50, send: () => fetch(`${gw}/send-mail`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': CRM_KEY }, body: JSON.stringify({ to: ['linus@example.com'], subject: 'Rotation', html: '<p>x</p>', text: 'x', from: 'reports@mg.gatehouse.local', campaign: { name: 'rotation', type: 'newsletter' } }) }) },
    ]);
    await eventually(() => load.count() > 20);
    // Vault answers the rotation's writes 1.5 s late, so for that long after Mailgun switched, the store still holds
    // only the old key: webhooks signed meanwhile must wait for the write (the announced rotation), not be refused.
    await admin(stack.urls.vault, '/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 1500, count: 3, match: { method: 'POST', path: '/v1/secret/data/gatehouse/mail' } }) });
    const run = await runScript('scripts/rotate-mailgun-webhook-key.ts', ['--propagation-seconds', '2', '--overlap-seconds', '2'],
      { VAULT_ADDR: stack.urls.vault, VAULT_TOKEN: 'root', SECRET_STORE: 'vault', MAILGUN_API_BASE_URL: mailgun });
    const finished = load.count();
    await eventually(() => load.count() > finished + 40);
    const result = await load.stop();

    expect(run.code, run.stderr).to.equal(0);
    expectNoRefusal(result);
    const newKey = await accountKey();
    expect(newKey).not.to.equal(oldKey);
    // Mailgun's own deliveries: every attempt answered 200 (none rejected with 406).
    const calls = ((await admin(mailgun, '/webhooks')).calls as { status?: number; outcome: string }[]);
    expect(calls.length).to.be.greaterThan(0);
    expect(calls.filter((c) => c.status !== 200)).to.deep.equal([]);
    expect(await refusals(stack, since)).to.deep.equal([]);

    const stored = await vaultData(stack, 'gatehouse/mail');
    expect(stored.MAILGUN_WEBHOOK_SIGNING_KEY).to.equal(newKey);
    expect(stored).not.to.have.property('MAILGUN_WEBHOOK_SIGNING_KEY_PREVIOUS');
    expect(stored).not.to.have.property('MAILGUN_WEBHOOK_SIGNING_KEY_ROTATING_UNTIL');
    expect(await eventually(async () => (await webhook(oldKey)).status === 406)).to.equal(true);
    expect((await webhook()).status).to.equal(200);
    const lines = auditLines(run.stdout);
    expect(lines.map((l) => `${l.action} ${l.resource} ${l.outcome}`)).to.deep.equal(Array(6).fill('secret.rotate secret:MAILGUN_WEBHOOK_SIGNING_KEY success'));
    for (const k of [oldKey, newKey, MAILGUN_API_KEY]) expect(run.stdout + run.stderr).not.to.include(k);
  });

  it('Customer.io: every reporting webhook verifies while the signing key is regenerated; the old key is refused afterwards', async () => {
    const gw = stack.urls.gateway;
    const cio = stack.urls.customerio;
    const since = new Date().toISOString();
    const oldKey = (await vaultData(stack, 'gatehouse/customerio')).CIO_WEBHOOK_SIGNING_KEY;
    const jwt = await stack.gateway.mintToken('ada@example.com');
    await admin(cio, '/reset', { method: 'POST' });
    // Each transactional email makes the fake post `sent` and `delivered` webhooks, signed when posted.
    const load = steadyLoad([{ name: 'send-email', pauseMs: 20, send: () => fetch(`${gw}/send/email`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` }, body: JSON.stringify({ transactional_message_id: 1, identifiers: { email: 'ada@example.com' } }) }) }]);
    await eventually(() => load.count() > 10);
    await admin(stack.urls.vault, '/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 1500, count: 3, match: { method: 'POST', path: '/v1/secret/data/gatehouse/customerio' } }) });
    const run = await runScript('scripts/rotate-customerio-webhook-key.ts', ['--customerio', cio, '--propagation-seconds', '2', '--overlap-seconds', '2'],
      { VAULT_ADDR: stack.urls.vault, VAULT_TOKEN: 'root', SECRET_STORE: 'vault' });
    const finished = load.count();
    await eventually(() => load.count() > finished + 20);
    const result = await load.stop();

    expect(run.code, run.stderr).to.equal(0);
    expectNoRefusal(result);
    const hooks = await eventually(async () => {
      const h = await admin(cio, '/webhooks');
      return h.backlog.length === 0 ? h : undefined;
    });
    expect(hooks?.attempts.length).to.be.greaterThan(20);
    expect(hooks?.attempts.filter((a: { outcome: number | string }) => a.outcome !== 200)).to.deep.equal([]);
    expect(await refusals(stack, since)).to.deep.equal([]);

    const stored = await vaultData(stack, 'gatehouse/customerio');
    expect(stored.CIO_WEBHOOK_SIGNING_KEY).to.be.a('string').and.not.equal(oldKey);
    expect(stored).not.to.have.property('CIO_WEBHOOK_SIGNING_KEY_PREVIOUS');
    const body = JSON.stringify({ event_id: 'after-rotation', object_type: 'email', metric: 'opened', timestamp: Math.floor(Date.now() / 1000), data: {} });
    const post = (key: string) => {
      const ts = Math.floor(Date.now() / 1000);
      return fetch(`${gw}/webhooks/customerio`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cio-timestamp': String(ts), 'x-cio-signature': signCustomerioWebhook(key, ts, body) }, body });
    };
    expect(await eventually(async () => (await post(oldKey)).status === 401)).to.equal(true);
    expect((await post(stored.CIO_WEBHOOK_SIGNING_KEY)).status).to.equal(200);
    expect(auditLines(run.stdout).map((l) => `${l.resource} ${l.outcome}`)).to.deep.equal(Array(6).fill('secret:CIO_WEBHOOK_SIGNING_KEY success'));
  });
});
