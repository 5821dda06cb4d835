/**
 * POST /webhooks/customerio end to end: the fake Customer.io posts its reporting webhooks through the gateway to
 * the proxy, which verifies them over the raw bytes, stores each event once in DynamoDB and suppresses people who
 * unsubscribed or whose email bounced or was marked spam; forged, stale and replayed posts are refused and audited;
 * a storage outage is retried by the fake until the event is stored.
 */
import { expect } from 'chai';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Stack } from '../../emulators/stack/index.ts';
import { seedAws } from '../../emulators/aws/seed.ts';
import { loadSeed } from '../../emulators/customerio/seed.ts';
import { signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { subjectRef, type AuditLine } from '../../proxy/core/audit.ts';
import { cardsAwsClients, type CardsAws } from '../../proxy/routes/cards/aws.ts';
import { admin, call, testStack } from '../helpers/stack.ts';
import { vaultWriter } from '../../proxy/secrets/store-writer.ts';
import { eventually } from '../helpers/steady-load.ts';

const KEY = loadSeed().workspace.webhookSigningKey;
const PREVIOUS_KEY = 'previous-local-cio-webhook-key';
const TABLE = 'gatehouse-customerio-webhook-events';


describe('POST /webhooks/customerio', function () {
  this.timeout(60_000);
  let stack: Stack;
  let gw: string;
  let cio: string;
  let jwt: string;
  let aws: CardsAws;

  before(async () => {
    // A rotation overlap: the previous key is still accepted beside the current one (from Vault).
    stack = await testStack({ CIO_WEBHOOK_SIGNING_KEY_PREVIOUS: PREVIOUS_KEY });
    gw = stack.urls.gateway;
    cio = stack.urls.customerio;
    jwt = await stack.gateway.mintToken('ada@example.com');
    aws = cardsAwsClients(stack.proxyEnv);
  });
  after(() => stack?.close());
  beforeEach(() => admin(cio, '/reset', { method: 'POST' }));

  const events = async () => ((await aws.ddb.send(new ScanCommand({ TableName: TABLE }))).Items ?? []) as Record<string, any>[];
  const person = async (id: string) => (await admin(cio, `/people/${encodeURIComponent(id)}`)) as { suppressed: boolean; deleted: boolean };
  const audits = async (action: string, since: string) =>
    ((await (await fetch(`${stack.urls.proxy}/__admin/audit?action=${action}&since=${encodeURIComponent(since)}`)).json()) as { entries: AuditLine[] }).entries;
  const sendEmail = async () => {
    const res = await call(gw, 'POST', '/send/email', { token: jwt, json: { transactional_message_id: 1, identifiers: { email: 'ada@example.com' } } });
    expect(res.status, res.text).to.equal(200);
    return res.body.delivery_id as string;
  };
  /** Post a body as Customer.io would, signed with `key` at `ts` (defaults: the workspace key, now). */
  const post = (body: string, o: { key?: string; ts?: number; signature?: string } = {}) => {
    const ts = o.ts ?? Math.floor(Date.now() / 1000);
    return call(gw, 'POST', '/webhooks/customerio', { body, headers: { 'content-type': 'application/json', 'x-cio-timestamp': String(ts), 'x-cio-signature': o.signature ?? signCustomerioWebhook(o.key ?? KEY, ts, body) } });
  };
  const event = (id: string, metric = 'opened', extra: Record<string, unknown> = {}) =>
    JSON.stringify({ event_id: id, object_type: 'email', metric, timestamp: Math.floor(Date.now() / 1000), data: { customer_id: 'user-grace', identifiers: { id: 'user-grace', email: 'grace@example.com' }, delivery_id: 'd-1', ...extra } });

  describe('from the fake Customer.io, through the gateway', () => {
    it('stores the sent and delivered events of a transactional email, once each', async () => {
      const deliveryId = await sendEmail();
      const stored = (await eventually(async () => {
        const mine = (await events()).filter((e) => e.deliveryId === deliveryId);
        return mine.length >= 2 ? mine : undefined;
      })) ?? [];
      expect(stored.map((e) => e.metric).sort()).to.deep.equal(['delivered', 'sent']);
      expect(stored[0]).to.include({ objectType: 'email', customer: 'ada@example.com' });
      expect(stored[0].expiresAt).to.be.greaterThan(stored[0].receivedAt);
      // Each delivered (a slow first answer under load may have been retried: still stored once).
      const hooks = await admin(cio, '/webhooks');
      expect(hooks.delivered).to.equal(2);
      expect(new Set(hooks.attempts.filter((a: { outcome: number }) => a.outcome === 200).map((a: { eventId: string }) => a.eventId)).size).to.equal(2);
      expect(stored).to.have.length(2);
    });

    it('suppresses the person at Customer.io when their email bounces, and audits it without their address', async () => {
      const since = new Date().toISOString();
      const deliveryId = await sendEmail();
      await admin(cio, '/webhooks/emit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delivery_id: deliveryId, metric: 'bounced', reason: '550' }) });
      await eventually(async () => ((await person('ada@example.com')).suppressed ? true : undefined));
      const [line] = (await eventually(() => audits('webhook.suppress', since).then((l) => (l.length ? l : undefined)))) ?? [];
      expect(line).to.include({ actor: 'customerio-webhook', resource: `customer:${subjectRef('ada@example.com')}`, outcome: 'success' });
      expect(JSON.stringify(line)).not.to.include('ada@');
    });

    it('suppresses a person who unsubscribed (the app set unsubscribed: true)', async () => {
      expect((await call(gw, 'PUT', '/customers/ada@example.com/attributes', { token: jwt, json: { unsubscribed: true } })).status).to.equal(200);
      await eventually(async () => ((await person('ada@example.com')).suppressed ? true : undefined));
    });

    it('does not suppress anyone for an open, a click, or a push bounce (a dead device, not a refusal)', async () => {
      const res = await call(gw, 'POST', '/send/push', { token: jwt, json: { transactional_message_id: 2, identifiers: { email: 'ada@example.com' } } });
      await admin(cio, '/webhooks/emit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delivery_id: res.body.delivery_id, metric: 'bounced' }) });
      const id = await sendEmail();
      await admin(cio, '/webhooks/emit', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delivery_id: id, metric: 'clicked', href: 'https://x' }) });
      await eventually(async () => ((await events()).some((e) => e.deliveryId === id && e.metric === 'clicked') ? true : undefined));
      expect((await events()).some((e) => e.objectType === 'push' && e.metric === 'bounced')).to.equal(true);
      expect(await person('ada@example.com')).to.include({ suppressed: false });
    });

    it('loses nothing when storage fails: 503, the fake retries, and the event is stored once the table is back', async () => {
      await aws.ddb.send(new DeleteTableCommand({ TableName: TABLE }));
      try {
        const deliveryId = await sendEmail();
        await eventually(async () => ((await admin(cio, '/webhooks')).attempts.some((a: { outcome: number }) => a.outcome === 503) ? true : undefined));
      } finally {
        await seedAws(stack.proxyEnv.AWS_ENDPOINT_URL!, { accessKeyId: 'test', secretAccessKey: 'test' }, stack.proxyEnv.AWS_REGION!);
      }
      await admin(cio, '/webhooks/retry', { method: 'POST' });
      const stored = (await eventually(async () => ((await events()).length >= 2 ? events() : undefined))) ?? [];
      expect(stored.map((e) => e.metric).sort()).to.deep.equal(['delivered', 'sent']);
    });
  });

  describe('refusals', () => {
    it('refuses a forged signature with 401, stores nothing, and audits it', async () => {
      const since = new Date().toISOString();
      const res = await post(event('01J0FORGEDFORGEDFORGEDFORG'), { key: 'not-the-key' });
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('webhook_bad_signature');
      expect((await events()).some((e) => e.eventId === '01J0FORGEDFORGEDFORGEDFORG')).to.equal(false);
      expect((await audits('webhook.signature_refused', since))[0]).to.deep.include({ resource: 'route:POST /webhooks/customerio', outcome: 'denied', details: { code: 'webhook_bad_signature', status: 401 } });
    });

    it('refuses a stale timestamp and missing headers with 401', async () => {
      const stale = await post(event('01J0STALESTALESTALESTALEST'), { ts: Math.floor(Date.now() / 1000) - 3600 });
      expect(stale.status).to.equal(401);
      expect(stale.body.error.code).to.equal('webhook_stale');
      const bare = await call(gw, 'POST', '/webhooks/customerio', { body: event('01J0BAREBAREBAREBAREBAREBAR'), headers: { 'content-type': 'application/json' } });
      expect(bare.status).to.equal(401);
      expect(bare.body.error.code).to.equal('webhook_malformed');
    });

    it('refuses a replay of the same signed request, and audits it', async () => {
      const since = new Date().toISOString();
      const body = event('01J0REPLAYREPLAYREPLAYREPL');
      const ts = Math.floor(Date.now() / 1000);
      expect((await post(body, { ts })).status).to.equal(200);
      const again = await post(body, { ts });
      expect(again.status).to.equal(401);
      expect(again.body.error.code).to.equal('webhook_replayed');
      expect(await audits('webhook.replay_refused', since)).to.have.length(1);
    });

    it('verifies the raw bytes: unusual whitespace signed as sent verifies; the same JSON re-serialised does not', async () => {
      const spaced = `{ "event_id" : "01J0SPACEDSPACEDSPACEDSPAC",\n  "object_type": "email", "metric": "opened", "timestamp": ${Math.floor(Date.now() / 1000)}, "data": {} }`;
      const ts = Math.floor(Date.now() / 1000);
      const signature = signCustomerioWebhook(KEY, ts, spaced);
      expect((await post(JSON.stringify(JSON.parse(spaced)), { ts, signature })).status).to.equal(401);
      expect((await post(spaced, { ts, signature })).status).to.equal(200);
    });
  });

  describe('what is stored', () => {
    it('once per event_id: a retry with a fresh signature is acknowledged and not stored again', async () => {
      const first = await post(event('01J0TWICETWICETWICETWICETW'));
      expect(first.body).to.deep.equal({ received: true, stored: true, suppressed: false });
      await new Promise((r) => setTimeout(r, 1100)); // a new second: a new timestamp, a new signature
      const second = await post(event('01J0TWICETWICETWICETWICETW'));
      expect(second.status).to.equal(200);
      expect(second.body).to.deep.equal({ received: true, stored: false, suppressed: false });
      expect((await events()).filter((e) => e.eventId === '01J0TWICETWICETWICETWICETW')).to.have.length(1);
    });

    it('only the event\'s summary: no message content, no data fields beyond the identifier it is about', async () => {
      await post(event('01J0SUMMARYSUMMARYSUMMARYS', 'opened', { subject: 'Your secret', recipient: 'grace@example.com', ssn: '1' }));
      const [item] = (await events()).filter((e) => e.eventId === '01J0SUMMARYSUMMARYSUMMARYS');
      expect(Object.keys(item).sort()).to.deep.equal(['customer', 'deliveryId', 'eventId', 'expiresAt', 'metric', 'objectType', 'receivedAt', 'timestamp']);
    });

    it('acknowledges a verified body that is not a reporting event without storing it (refusing would stall the queue)', async () => {
      const res = await post(JSON.stringify({ hello: 'test ping' }));
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ received: true, stored: false, suppressed: false });
    });

    it('acknowledges an event whose timestamp no store can hold (2^53, 1e300) without storing it, not a 503 retry loop (found by npm run fuzz)', async () => {
      for (const timestamp of [9007199254740992, 1e300]) {
        const res = await post(JSON.stringify({ ...JSON.parse(event(`01JTS${timestamp}`.slice(0, 26))), timestamp }));
        expect(res.status, res.text).to.equal(200);
        expect(res.body).to.deep.equal({ received: true, stored: false, suppressed: false });
      }
    });

    it('picks up a key rotated in the store on the first webhook signed with it, without a cold start', async () => {
      const vault = vaultWriter({ addr: stack.proxyEnv.VAULT_ADDR!, token: 'root' });
      const before = await vault.read('gatehouse/customerio');
      try {
        expect((await post(event('01J0R0TATEDR0TATEDR0TATEDR'), { key: 'rotated-webhook-key' })).status).to.equal(401);
        await new Promise((r) => setTimeout(r, 1100)); // the chain starts at most one store read a second
        const now = await vault.read('gatehouse/customerio');
        await vault.write('gatehouse/customerio', { ...now!.data, CIO_WEBHOOK_SIGNING_KEY: 'rotated-webhook-key' }, now);
        const res = await post(event('01J0R0TATEDR0TATEDR0TATEDR'), { key: 'rotated-webhook-key' });
        expect(res.status, res.text).to.equal(200);
      } finally {
        const now = await vault.read('gatehouse/customerio');
        await vault.write('gatehouse/customerio', before!.data, now);
        vault.close();
      }
    });

    it('accepts the previous signing key during a rotation overlap', async () => {
      const res = await post(event('01J0PREVIOUSPREVIOUSPREVIO'), { key: PREVIOUS_KEY });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.stored).to.equal(true);
    });
  });
});
