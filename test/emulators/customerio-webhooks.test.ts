/**
 * The fake Customer.io's reporting webhooks: what it reports for sends, broadcasts, metrics and subscription
 * changes, signed as Customer.io signs, and delivered with Customer.io's retry policy (backlog in order, hold
 * after the listed statuses, backoff after 5xx and timeouts, give up after the retry period).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startCustomerio, type RunningCustomerio } from '../../emulators/customerio/index.ts';
import { verifyCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { memoryReplayCache } from '../../proxy/auth/mailgun-webhook.ts';
import { eventually } from '../helpers/steady-load.ts';

const SITE = 'local-fake-site-id';
const TRACK = 'Basic ' + Buffer.from(`${SITE}:local-fake-track-api-key`).toString('base64');
const APP = 'Bearer local-fake-app-api-key';
const SIGNING_KEY = 'local-fake-cio-webhook-signing-key';

interface Received { headers: http.IncomingHttpHeaders; raw: Buffer; body: any; at: number }

/** A webhook receiver whose answers a test scripts: a status per request in order (then 200), or 'hang'. */
async function receiver() {
  const received: Received[] = [];
  const script: (number | 'hang')[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString()), at: Date.now() });
      const next = script.shift() ?? 200;
      if (next === 'hang') return; // never answered: the sender's timeout must fire
      res.writeHead(next, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    script,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}


describe('fake Customer.io reporting webhooks', function () {
  this.timeout(30_000);
  let cio: RunningCustomerio;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let tlsDir: string;

  const api = (method: string, p: string, body: unknown, auth = APP) =>
    fetch(cio.http.url + p, { method, headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const adminCall = (method: string, p: string, body?: unknown) =>
    fetch(`${cio.http.url}/__admin${p}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
  const metrics = () => hook.received.map((r) => `${r.body.object_type}:${r.body.metric}`);
  const sendEmail = async (email = 'ada@example.com') => (await api('POST', '/v1/send/email', { transactional_message_id: 1, identifiers: { email }, to: email, subject: 'Hi' })).body.delivery_id as string;

  before(async () => {
    tlsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cio-hooks-tls-'));
    cio = await startCustomerio({ port: 0, httpsPort: 0, tlsDir });
  });
  after(async () => {
    await cio?.close();
    fs.rmSync(tlsDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    hook = await receiver();
    await adminCall('POST', '/reset');
    const put = await adminCall('PUT', '/webhooks', { url: hook.url, metrics: null, timeoutMs: 4000, firstRetryMs: 100, maxRetryMs: 1000, holdMs: 300, giveUpMs: 7 * 86_400_000 });
    expect(put.status).to.equal(200);
  });
  afterEach(() => hook.close());

  describe('what it reports', () => {
    it('a transactional email: sent then delivered, signed over the exact body with the workspace key', async () => {
      const deliveryId = await sendEmail();
      await eventually(() => hook.received.length >= 2);
      expect(metrics()).to.deep.equal(['email:sent', 'email:delivered']);
      const replays = memoryReplayCache();
      for (const r of hook.received) {
        const verdict = verifyCustomerioWebhook(r.headers as Record<string, string>, r.raw, { keys: [SIGNING_KEY], now: Date.now(), maxAgeSeconds: 60, replays });
        expect(verdict.ok, JSON.stringify(verdict)).to.equal(true);
        expect(r.headers['content-type']).to.equal('application/json');
      }
      const sent = hook.received[0].body;
      expect(sent.event_id).to.match(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(sent.event_id).not.to.equal(hook.received[1].body.event_id);
      expect(sent.timestamp).to.be.a('number');
      expect(sent.data).to.deep.include({ customer_id: 'user-ada', delivery_id: deliveryId, transactional_message_id: 1, recipient: 'ada@example.com', subject: 'Hi' });
      expect(sent.data.identifiers).to.deep.include({ id: 'user-ada', email: 'ada@example.com' });
    });

    it('a send to a suppressed person: dropped, with a failure message', async () => {
      await api('POST', '/v1/send/email', { transactional_message_id: 1, identifiers: { email: 'linus@example.com' }, to: 'linus@example.com' });
      await eventually(() => hook.received.length >= 1);
      expect(metrics()).to.deep.equal(['email:dropped']);
      expect(hook.received[0].body.data.failure_message).to.be.a('string');
    });

    it('metrics reported to the Track API, and one emitted through the admin API (a bounce), for a known delivery', async () => {
      const id = await sendEmail();
      expect((await api('POST', '/api/v1/metrics', { delivery_id: id, metric: 'clicked', href: 'https://example.com/a' }, '')).status).to.equal(200);
      const emit = await adminCall('POST', '/webhooks/emit', { delivery_id: id, metric: 'bounced', reason: '550 mailbox unavailable' });
      expect(emit.status).to.equal(202);
      await eventually(() => hook.received.length >= 4);
      expect(metrics()).to.deep.equal(['email:sent', 'email:delivered', 'email:clicked', 'email:bounced']);
      expect(hook.received[2].body.data.href).to.equal('https://example.com/a');
      expect(hook.received[3].body.data).to.include({ delivery_id: id, failure_message: '550 mailbox unavailable' });
      expect((await adminCall('POST', '/webhooks/emit', { delivery_id: 'nope', metric: 'bounced' })).status).to.equal(404);
      expect((await adminCall('POST', '/webhooks/emit', { delivery_id: id, metric: 'exploded' })).status).to.equal(400);
    });

    it('a person unsubscribing or resubscribing (attribute unsubscribed): customer events', async () => {
      await api('PUT', '/api/v1/customers/user-grace', { unsubscribed: true }, TRACK);
      await api('PUT', '/api/v1/customers/user-grace', { unsubscribed: false }, TRACK);
      await eventually(() => hook.received.length >= 2);
      expect(metrics()).to.deep.equal(['customer:unsubscribed', 'customer:subscribed']);
      expect(hook.received[0].body.data).to.deep.include({ customer_id: 'user-grace', email_address: 'grace@example.com' });
    });

    it('a broadcast trigger: an email per person it reaches, with the broadcast id', async () => {
      expect((await api('POST', '/v1/campaigns/7/triggers', { emails: ['ada@example.com', 'linus@example.com'], data: { week: 1 } })).status).to.equal(200);
      await eventually(() => hook.received.length >= 2);
      expect(metrics()).to.deep.equal(['email:sent', 'email:delivered']);
      expect(hook.received[0].body.data).to.include({ broadcast_id: 7, recipient: 'ada@example.com' });
    });

    it('only the metrics the endpoint subscribed to', async () => {
      await adminCall('PUT', '/webhooks', { metrics: ['bounced'] });
      const id = await sendEmail();
      await adminCall('POST', '/webhooks/emit', { delivery_id: id, metric: 'bounced' });
      await eventually(() => hook.received.length >= 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(metrics()).to.deep.equal(['email:bounced']);
    });

    it('nothing for deletes and suppressions, and nothing without an endpoint', async () => {
      await api('DELETE', '/api/v1/customers/user-ada', undefined, TRACK);
      await api('POST', '/api/v1/customers/user-grace/suppress', undefined, TRACK);
      await adminCall('PUT', '/webhooks', { url: null });
      await sendEmail('grace2@example.com');
      await new Promise((r) => setTimeout(r, 100));
      expect(hook.received).to.deep.equal([]);
      expect((await adminCall('GET', '/webhooks')).body.backlog).to.deep.equal([]);
    });
  });

  describe('how it delivers', () => {
    it('retries a 5xx with backoff, each attempt signed afresh, holding later events behind it in order', async () => {
      hook.script.push(503, 503);
      await sendEmail();
      await eventually(() => hook.received.length >= 4);
      expect(metrics()).to.deep.equal(['email:sent', 'email:sent', 'email:sent', 'email:delivered']);
      const attempts = (await adminCall('GET', '/webhooks')).body.attempts;
      expect(attempts.map((a: any) => [a.metric, a.outcome, a.retryInMs ?? null])).to.deep.equal([['sent', 503, 100], ['sent', 503, 200], ['sent', 200, null], ['delivered', 200, null]]);
      expect(hook.received[2].at - hook.received[0].at).to.be.at.least(290);
      expect(hook.received[0].body.event_id).to.equal(hook.received[2].body.event_id);
    });

    it('holds after a status Customer.io names (500, 4xx, 429): the first retry waits the hold time', async () => {
      hook.script.push(500);
      await sendEmail();
      await eventually(() => hook.received.length >= 3);
      const [first] = (await adminCall('GET', '/webhooks')).body.attempts;
      expect(first).to.include({ outcome: 500, retryInMs: 300 });
      expect(hook.received[1].at - hook.received[0].at).to.be.at.least(290);
    });

    it('treats an answer slower than the timeout as a failure and retries', async () => {
      await adminCall('PUT', '/webhooks', { timeoutMs: 200 });
      hook.script.push('hang');
      await sendEmail();
      await eventually(() => hook.received.length >= 3);
      const attempts = (await adminCall('GET', '/webhooks')).body.attempts;
      expect(attempts[0]).to.include({ outcome: 'timeout', retryInMs: 100 });
      expect(attempts.slice(1).map((a: any) => a.outcome)).to.deep.equal([200, 200]);
    });

    it('retries a refused connection (held), and delivers once the endpoint is up', async () => {
      const port = Number(new URL(hook.url).port);
      await hook.close();
      await sendEmail();
      await eventually(async () => (await adminCall('GET', '/webhooks')).body.attempts.length >= 1);
      expect((await adminCall('GET', '/webhooks')).body.attempts[0]).to.include({ outcome: 'ECONNREFUSED', retryInMs: 300 });
      const back = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
      await new Promise<void>((r) => back.listen(port, '127.0.0.1', () => r()));
      try {
        await eventually(async () => ((await adminCall('GET', '/webhooks')).body.delivered >= 2 ? true : undefined));
      } finally {
        back.closeAllConnections();
        back.close();
      }
    });

    it('gives up on an event still failing after the retry period and moves on to the next', async () => {
      // 503 at 0 ms (retry in 100), 503 at ~100 ms: the next retry would end past 150 ms, so the event is dropped.
      await adminCall('PUT', '/webhooks', { giveUpMs: 150 });
      hook.script.push(503, 503);
      await sendEmail();
      await eventually(async () => ((await adminCall('GET', '/webhooks')).body.delivered >= 1 ? true : undefined));
      const state = (await adminCall('GET', '/webhooks')).body;
      expect(state.gaveUp).to.equal(1);
      expect(hook.received.at(-1)!.body.metric).to.equal('delivered');
    });

    it('a reset drops the backlog but keeps the endpoint', async () => {
      hook.script.push(503, 503, 503);
      await adminCall('PUT', '/webhooks', { firstRetryMs: 60_000 });
      await sendEmail();
      await eventually(() => hook.received.length >= 1);
      expect((await adminCall('GET', '/webhooks')).body.backlog).to.have.length(2);
      await adminCall('POST', '/reset');
      const after = (await adminCall('GET', '/webhooks')).body;
      expect(after).to.include({ url: hook.url });
      expect(after.backlog).to.deep.equal([]);
    });

    it('refuses bad settings with 400', async () => {
      expect((await adminCall('PUT', '/webhooks', { url: 'ftp://x' })).status).to.equal(400);
      expect((await adminCall('PUT', '/webhooks', { holdMs: -1 })).status).to.equal(400);
      expect((await adminCall('PUT', '/webhooks', { metrics: 'bounced' })).status).to.equal(400);
    });
  });
});
