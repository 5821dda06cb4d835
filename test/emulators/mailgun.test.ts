/**
 * The fake Mailgun beyond one client method: what it captures, its webhook dispatch and retries, raw requests,
 * faults. Each mailgun.js method is tested on its own in mailgun-<area>-client.test.ts.
 */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { DOMAIN, FROM, type Json, KEY, type MailgunClient as Client, quiet, type Receiver, SIGNING_KEY, startMailgunHarness, startReceiver, type MailgunHarness } from '../helpers/mailgun.ts';

const complete = { from: FROM, to: 'a@example.com', subject: 'Hi', text: 'Body' };

describe('emulators/mailgun', () => {
  let h: MailgunHarness;
  let mg: MailgunHarness['mg'];
  let client: Client;

  const auth = (key = KEY) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
  const admin = (path: string, init: RequestInit = {}): Promise<Json> => h.admin(path, init);
  const postForm = (path: string, body: URLSearchParams, key = KEY) =>
    fetch(`${mg.url}${path}`, { method: 'POST', headers: { authorization: auth(key), 'content-type': 'application/x-www-form-urlencoded' }, body });
  const message = (id: string) => admin(`/messages/${encodeURIComponent(id)}`);
  const send = (extra: Json = {}) => client.messages.create(DOMAIN, { from: FROM, to: ['alice@example.com'], subject: 'Hello', text: 'Hi there', ...extra } as any);
  /** Poll the outgoing-webhook journal until `done` holds (bounded, no timing assertion). */
  async function webhookCalls(done: (calls: Json[]) => boolean): Promise<Json[]> {
    for (let i = 0; i < 200; i++) {
      const { calls } = await admin('/webhooks');
      if (done(calls)) return calls;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('webhook calls did not settle');
  }

  before(async () => {
    h = await startMailgunHarness();
    mg = h.mg;
    client = h.client;
  });
  after(() => h.close());
  beforeEach(() => admin('/reset', { method: 'POST' }));

  describe('sending with mailgun.js', () => {
    it('queues a simple message and stores html and text apart', async () => {
      const res = await send({ html: '<p>Hi there</p>' });
      expect(res.status).to.equal(200);
      expect(res.message).to.equal('Queued. Thank you.');
      expect(res.id).to.match(/^<\d{14}\.[0-9a-f]+@mg\.gatehouse\.local>$/);
      const m = await message(res.id!);
      expect(m).to.include({ from: FROM, subject: 'Hello', text: 'Hi there', html: '<p>Hi there</p>' });
      expect(m.recipients.map((r: Json) => r.recipient)).to.deep.equal(['alice@example.com']);
    });

    it('keeps cc, bcc, h: headers, v: variables, o:tag and o:tracking', async () => {
      const res = await send({
        cc: 'Carol <carol@example.com>',
        bcc: ['dave@example.com'],
        'h:Reply-To': 'support@gatehouse.local',
        'v:campaign-id': 'fin-2025-08',
        'o:tag': ['financial', 'august'],
        'o:tracking': true,
      });
      const m = await message(res.id!);
      expect(m.cc).to.deep.equal(['Carol <carol@example.com>']);
      expect(m.bcc).to.deep.equal(['dave@example.com']);
      expect(m.headers).to.deep.equal({ 'Reply-To': 'support@gatehouse.local' });
      expect(m.variables).to.deep.equal({ 'campaign-id': 'fin-2025-08' });
      expect(m.tags).to.deep.equal(['financial', 'august']);
      expect(m.options.tracking).to.equal('yes');
      expect(m.recipients.map((r: Json) => `${r.kind}:${r.recipient}`)).to.deep.equal(['to:alice@example.com', 'cc:carol@example.com', 'bcc:dave@example.com']);
    });

    it('renders %recipient.x% per recipient in a batch send', async () => {
      const res = await send({
        to: ['alice@example.com', 'Bob <bob@example.com>'],
        subject: 'Statement for %recipient.name%',
        text: 'Hi %recipient.name%, your payout is %recipient.payout%.',
        'recipient-variables': JSON.stringify({ 'alice@example.com': { name: 'Alice', payout: 10 }, 'bob@example.com': { name: 'Bob', payout: 20 } }),
      });
      const m = await message(res.id!);
      expect(m.recipients.map((r: Json) => [r.recipient, r.subject, r.text])).to.deep.equal([
        ['alice@example.com', 'Statement for Alice', 'Hi Alice, your payout is 10.'],
        ['bob@example.com', 'Statement for Bob', 'Hi Bob, your payout is 20.'],
      ]);
      const accepted = m.events.filter((e: Json) => e.event === 'accepted');
      expect(accepted.map((e: Json) => e.message.headers.to)).to.deep.equal(['alice@example.com', 'Bob <bob@example.com>']);
    });

    it('captures attachments with filename, content type, size and bytes', async () => {
      const bytes = Buffer.from('month,payout\n2025-08,123.45\n');
      const res = await send({ attachment: [{ filename: 'report.csv', data: bytes, contentType: 'text/csv' }] });
      const m = await message(res.id!);
      expect(m.attachments).to.deep.equal([{ index: 0, filename: 'report.csv', contentType: 'text/csv', size: bytes.length }]);
      const raw = await fetch(`${mg.url}/__admin/messages/${encodeURIComponent(res.id!)}/attachments/0`);
      expect(Buffer.from(await raw.arrayBuffer()).equals(bytes)).to.equal(true);
    });
  });

  describe('events', () => {
    it('lists events with filters and follows paging links through the client', async () => {
      for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) await send({ to });
      const first = await quiet(() => client.events.get(DOMAIN, { event: 'accepted', ascending: 'yes', limit: 2 } as any));
      expect(first.items.map((e: Json) => e.recipient)).to.deep.equal(['a@example.com', 'b@example.com']);
      const second = await quiet(() => client.events.get(DOMAIN, { page: first.pages.next.page } as any));
      expect(second.items.map((e: Json) => e.recipient)).to.deep.equal(['c@example.com']);
      const third = await quiet(() => client.events.get(DOMAIN, { page: second.pages.next.page } as any));
      expect(third.items).to.deep.equal([]);
      const back = await quiet(() => client.events.get(DOMAIN, { page: second.pages.previous.page } as any));
      expect(back.items.map((e: Json) => e.recipient)).to.deep.equal(['a@example.com', 'b@example.com']);
    });

    it('filters by recipient and message-id, newest first by default', async () => {
      const one = await send({ to: 'a@example.com' });
      await send({ to: 'b@example.com' });
      const byRecipient = await quiet(() => client.events.get(DOMAIN, { recipient: 'b@example.com' } as any));
      expect(byRecipient.items.map((e: Json) => e.event)).to.deep.equal(['delivered', 'accepted']);
      const byId = await quiet(() => client.events.get(DOMAIN, { 'message-id': one.id!.slice(1, -1) } as any));
      expect(byId.items.every((e: Json) => e.recipient === 'a@example.com')).to.equal(true);
      expect(byId.items).to.have.length(2);
    });

    it('records a failed event with the suppression reason for a bounced recipient', async () => {
      await send({ to: ['bounced@example.com', 'alice@example.com'] });
      const res = await fetch(`${mg.url}/v3/${DOMAIN}/events?event=failed`, { headers: { authorization: auth() } });
      const { items } = (await res.json()) as Json;
      expect(items).to.have.length(1);
      expect(items[0]).to.deep.include({ recipient: 'bounced@example.com', severity: 'permanent', reason: 'suppress-bounce' });
      expect(items[0]['delivery-status']).to.deep.include({ code: 605, description: 'Not delivering to previously bounced address' });
    });

    it('limits events to the begin/end range', async () => {
      await send();
      const now = Math.ceil(Date.now() / 1000);
      const query = async (q: string) => {
        const res = await fetch(`${mg.url}/v3/${DOMAIN}/events?${q}`, { headers: { authorization: auth() } });
        return ((await res.json()) as Json).items.map((e: Json) => e.event);
      };
      expect(await query(`begin=${now - 60}&end=${now + 60}`)).to.deep.equal(['accepted', 'delivered']);
      expect(await query(`begin=${now + 60}&ascending=yes`)).to.deep.equal([]);
      expect(await query(`begin=${encodeURIComponent(new Date((now + 60) * 1000).toUTCString())}&end=${now - 60}`)).to.deep.equal(['delivered', 'accepted']);
    });

    it('rejects a limit above 300', async () => {
      const res = await fetch(`${mg.url}/v3/${DOMAIN}/events?limit=301`, { headers: { authorization: auth() } });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as Json).message).to.match(/limit/);
    });
  });

  describe('raw requests', () => {
    it('accepts an urlencoded body with repeated and comma-separated to', async () => {
      const body = new URLSearchParams([
        ['from', FROM],
        ['to', 'a@example.com, "Doe, B" <b@example.com>'],
        ['to', 'c@example.com'],
        ['subject', 'Hi'],
        ['html', '<b>x</b>'],
      ]);
      const res = await postForm(`/v3/${DOMAIN}/messages`, body);
      expect(res.status).to.equal(200);
      const { id } = (await res.json()) as Json;
      const m = await message(id);
      expect(m.recipients.map((r: Json) => r.recipient)).to.deep.equal(['a@example.com', 'b@example.com', 'c@example.com']);
      expect(m.text).to.equal(null);
    });

    it('answers a wrong or missing key with 401 and the text "Forbidden"', async () => {
      const wrong = await postForm(`/v3/${DOMAIN}/messages`, new URLSearchParams({ from: FROM }), 'key-wrong');
      expect(wrong.status).to.equal(401);
      expect(await wrong.text()).to.equal('Forbidden');
      const none = await fetch(`${mg.url}/v3/${DOMAIN}/events`);
      expect(none.status).to.equal(401);
    });

    it('answers a multipart body cut off inside a file part with 400 and keeps serving (it stopped the process; found by npm run fuzz)', async () => {
      const body = '--b\r\nContent-Disposition: form-data; name="from"\r\n\r\na@b.c\r\n--b\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhalf a fi';
      const res = await fetch(`${mg.url}/v3/${DOMAIN}/messages`, { method: 'POST', headers: { authorization: auth(), 'content-type': 'multipart/form-data; boundary=b' }, body });
      expect(res.status).to.equal(400);
      expect((await res.json()).message).to.match(/invalid multipart body/);
      expect((await fetch(`${mg.url}/__admin/health`)).status).to.equal(200);
    });

    it('answers an unknown domain with 404 and Mailgun\'s message', async () => {
      const res = await postForm('/v3/nope.example/messages', new URLSearchParams({ from: FROM, to: 'a@example.com', subject: 's', text: 't' }));
      expect(res.status).to.equal(404);
      expect(await res.json()).to.deep.equal({ message: 'Domain not found: nope.example' });
    });

    const missing: Array<[string, Record<string, string>, string]> = [
      ['from', { ...complete, from: '' }, "'from' parameter is missing"],
      ['to', { ...complete, to: '' }, "'to' parameter is missing"],
      ['subject', { ...complete, subject: '' }, "'subject' parameter is missing"],
      ['text and html', { ...complete, text: '' }, "Need at least one of 'text' or 'html' parameters specified"],
      ['a valid to', { ...complete, to: 'not-an-address' }, "'to' parameter is not a valid address. please check documentation"],
      ['valid recipient-variables', { ...complete, 'recipient-variables': '{oops' }, "'recipient-variables' parameter is not a valid JSON"],
    ];
    for (const [what, fields, expected] of missing) {
      it(`rejects a message without ${what}`, async () => {
        const res = await postForm(`/v3/${DOMAIN}/messages`, new URLSearchParams(fields));
        expect(res.status).to.equal(400);
        expect(await res.json()).to.deep.equal({ message: expected });
      });
    }

    it('accepts 1,000 recipients and rejects 1,001', async () => {
      const list = (n: number) => Array.from({ length: n }, (_, i) => `r${i}@example.com`).join(',');
      const ok = await postForm(`/v3/${DOMAIN}/messages`, new URLSearchParams({ ...complete, to: list(1000) }));
      expect(ok.status).to.equal(200);
      const tooMany = await postForm(`/v3/${DOMAIN}/messages`, new URLSearchParams({ ...complete, to: list(1001) }));
      expect(tooMany.status).to.equal(400);
      expect(await tooMany.json()).to.deep.equal({ message: 'Too many recipients, max is 1000' });
    });

    it('keeps the API key out of the journal', async () => {
      await send();
      const { entries } = await admin('/journal');
      expect(entries[0].headers.authorization).to.equal('Basic ***');
      expect(JSON.stringify(entries)).not.to.include(KEY);
      expect(JSON.stringify(await admin('/state'))).not.to.include(SIGNING_KEY);
    });
  });

  describe('webhooks', () => {
    let receiver: Receiver;
    afterEach(() => receiver?.close());

    it('posts a signed delivered event that verifies with the signing key', async () => {
      receiver = await startReceiver();
      await client.webhooks.create(DOMAIN, 'delivered', receiver.url, false);
      const sent = await send();
      await webhookCalls((c) => c.length === 1);
      const [body] = receiver.bodies;
      const { timestamp, token, signature } = body.signature;
      expect(token).to.have.length(50);
      expect(signature).to.equal(createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex'));
      expect(body['event-data']).to.deep.include({ event: 'delivered', recipient: 'alice@example.com' });
      expect(body['event-data'].message.headers['message-id']).to.equal(sent.id!.slice(1, -1));
    });

    it('regenerates the account\'s signing key through the client: the next webhook is signed with the new key only', async () => {
      expect(await client.accountManagement.getWebhookSigningKey()).to.deep.include({ http_signing_key: SIGNING_KEY });
      const regenerated = await client.accountManagement.createWebhookSigningKey();
      const key = (regenerated as unknown as { http_signing_key: string }).http_signing_key; // the typings omit it; the README documents it
      expect(key).to.match(/^[0-9a-f]{32}$/).and.not.equal(SIGNING_KEY);
      expect(await client.accountManagement.getWebhookSigningKey()).to.deep.include({ http_signing_key: key });
      receiver = await startReceiver();
      await client.webhooks.create(DOMAIN, 'delivered', receiver.url, false);
      await send();
      await webhookCalls((c) => c.length === 1);
      const { timestamp, token, signature } = receiver.bodies[0].signature;
      expect(signature).to.equal(createHmac('sha256', key).update(timestamp + token).digest('hex'));
      expect((await fetch(`${mg.url}/v5/accounts/http_signing_key`)).status).to.equal(401);
      await admin('/reset', { method: 'POST' });
      expect(await client.accountManagement.getWebhookSigningKey()).to.deep.include({ http_signing_key: SIGNING_KEY });
    });

    it('posts permanent_fail for a suppressed recipient and retries until a 2xx', async () => {
      receiver = await startReceiver([500, 503, 200]);
      await client.webhooks.create(DOMAIN, 'permanent_fail', receiver.url, false);
      await send({ to: 'complained@example.com' });
      const calls = await webhookCalls((c) => c.some((x) => x.outcome === 'delivered'));
      expect(calls.map((c) => [c.attempt, c.status, c.outcome])).to.deep.equal([
        [1, 500, 'retrying'],
        [2, 503, 'retrying'],
        [3, 200, 'delivered'],
      ]);
      expect(receiver.bodies[0]['event-data']).to.deep.include({ event: 'failed', reason: 'suppress-complaint' });
    });

    it('does not retry a receiver that answers 406', async () => {
      receiver = await startReceiver([406]);
      await client.webhooks.create(DOMAIN, 'accepted', receiver.url, false);
      await send();
      const calls = await webhookCalls((c) => c.length > 0 && !c.some((x) => x.outcome === 'retrying'));
      expect(calls.map((c) => [c.status, c.outcome])).to.deep.equal([[406, 'rejected']]);
      expect((await admin('/webhooks')).busy).to.equal(false);
      expect(receiver.bodies).to.have.length(1);
    });

    it('does not retry the delivered webhook, as Mailgun documents', async () => {
      receiver = await startReceiver([500]);
      await client.webhooks.create(DOMAIN, 'delivered', receiver.url, false);
      await send();
      const calls = await webhookCalls((c) => c.length > 0);
      expect(calls.map((c) => [c.status, c.outcome])).to.deep.equal([[500, 'failed']]);
    });

    it('holds deliveries for the configured delay and drops them on reset', async () => {
      receiver = await startReceiver();
      await admin('/webhooks/settings', { method: 'POST', body: JSON.stringify({ delayMs: 60_000 }) });
      await client.webhooks.create(DOMAIN, 'accepted', receiver.url, false);
      await send();
      const pending = await admin('/webhooks');
      expect(pending).to.deep.include({ calls: [], busy: true });
      await admin('/reset', { method: 'POST' });
      expect(await admin('/webhooks')).to.deep.include({ calls: [], busy: false });
      expect((await admin('/webhooks/settings')).delayMs).to.equal(0);
      expect(receiver.bodies).to.have.length(0);
    });

    it('fires opened when the admin API triggers an open', async () => {
      receiver = await startReceiver();
      await client.webhooks.create(DOMAIN, 'opened', receiver.url, false);
      const sent = await send();
      const res = await admin(`/messages/${encodeURIComponent(sent.id!)}/events`, { method: 'POST', body: JSON.stringify({ event: 'opened' }) });
      expect(res.events.map((e: Json) => e.event)).to.deep.equal(['opened']);
      await webhookCalls((c) => c.length === 1);
      expect(receiver.bodies[0]['event-data']).to.deep.include({ event: 'opened', recipient: 'alice@example.com' });
    });

    it('puts a hard bounce triggered through the admin API on the bounce list', async () => {
      const sent = await send({ to: 'gone@example.com' });
      await admin(`/messages/${encodeURIComponent(sent.id!)}/events`, { method: 'POST', body: JSON.stringify({ event: 'failed' }) });
      const got = (await client.suppressions.get(DOMAIN, 'bounces', 'gone@example.com')) as any;
      expect(got.address).to.equal('gone@example.com');
    });
  });

  describe('faults', () => {
    it('answers an injected 429 with Retry-After in Mailgun\'s shape, then recovers', async () => {
      await admin('/faults', { method: 'POST', body: JSON.stringify({ status: 429, retryAfter: 7, match: { path: `/v3/${DOMAIN}/messages` } }) });
      const res = await postForm(`/v3/${DOMAIN}/messages`, new URLSearchParams(complete));
      expect(res.status).to.equal(429);
      expect(res.headers.get('retry-after')).to.equal('7');
      expect(await res.json()).to.deep.equal({ message: 'Too many requests' });
      expect((await send()).status).to.equal(200);
    });

    it('surfaces an injected 503 to the client and a dropped connection to fetch', async () => {
      await admin('/faults', { method: 'POST', body: JSON.stringify({ status: 503 }) });
      const err = await send().catch((e) => e);
      expect(err.status).to.equal(503);
      await admin('/faults', { method: 'POST', body: JSON.stringify({ drop: true }) });
      const dropped = await postForm(`/v3/${DOMAIN}/messages`, new URLSearchParams(complete)).catch((e: Error) => e);
      expect(dropped).to.be.instanceOf(Error);
      expect((await admin('/messages')).messages).to.have.length(0);
    });
  });

});
