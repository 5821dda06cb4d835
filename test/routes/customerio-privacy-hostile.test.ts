/**
 * Hostile and unlucky input on the privacy routes and the fake's webhook admin: garbage and deep bodies (signed
 * and not), oversized headers, a client hanging up mid-body, identifiers built to slip past the identity check.
 * Every answer is a 4xx/2xx with a JSON body; the proxy keeps serving.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Stack } from '../../emulators/stack/index.ts';
import { loadSeed } from '../../emulators/customerio/seed.ts';
import { signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { exchange } from '../../scripts/lib/fuzz/client.ts';
import { admin, call, testStack } from '../helpers/stack.ts';

const KEY = loadSeed().workspace.webhookSigningKey;

describe('privacy routes under hostile input', function () {
  this.timeout(60_000);
  let stack: Stack;
  let gw: string;
  let jwt: string;

  before(async () => {
    stack = await testStack();
    gw = stack.urls.gateway;
    jwt = await stack.gateway.mintToken('ada@example.com');
  });
  after(() => stack?.close());

  const signedPost = (body: Buffer | string, extra: Record<string, string> = {}) => {
    const ts = Math.floor(Date.now() / 1000);
    return call(gw, 'POST', '/webhooks/customerio', { body, headers: { 'content-type': 'application/json', 'x-cio-timestamp': String(ts), 'x-cio-signature': signCustomerioWebhook(KEY, ts, body), ...extra } });
  };
  const stillServing = async () => expect((await call(gw, 'POST', `/customers/ada@example.com/unsuppress`, { token: jwt })).status).to.equal(200);

  it('answers garbage, signed or not, without a 5xx: unsigned 401, signed but not an event 200 ignored', async () => {
    for (let i = 0; i < 20; i++) {
      const body = randomBytes(1 + (i * 97) % 4000);
      const unsigned = await call(gw, 'POST', '/webhooks/customerio', { body, headers: { 'content-type': 'application/octet-stream', 'x-cio-timestamp': '1', 'x-cio-signature': randomBytes(32).toString('hex') } });
      expect(unsigned.status).to.equal(401);
      expect(unsigned.body.error.code).to.match(/^webhook_/);
      const signed = await signedPost(body);
      expect(signed.status).to.equal(200);
      expect(signed.body).to.deep.equal({ received: true, stored: false, suppressed: false });
    }
    await stillServing();
  });

  it('a signed body nested 5,000 deep, or with an event whose fields are the wrong types, is acknowledged and not stored', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect((await signedPost(deep)).status).to.be.oneOf([200, 400]);
    const wrong = JSON.stringify({ event_id: { $gt: '' }, object_type: ['email'], metric: 7, timestamp: 'now', data: 'x' });
    expect((await signedPost(wrong)).body).to.deep.equal({ received: true, stored: false, suppressed: false });
    const hugeId = JSON.stringify({ event_id: 'x'.repeat(100_000), object_type: 'email', metric: 'opened', timestamp: 1, data: {} });
    expect((await signedPost(hugeId)).body.stored).to.equal(false);
    await stillServing();
  });

  it('refuses oversized or malformed signature headers as malformed (401), not as an error', async () => {
    for (const [ts, sig] of [['9'.repeat(5000), 'a'.repeat(64)], ['1', 'a'.repeat(8000)], ['-1', 'a'.repeat(64)], ['1e9', 'a'.repeat(64)], [' ', ' ']]) {
      const res = await call(gw, 'POST', '/webhooks/customerio', { body: '{}', headers: { 'content-type': 'application/json', 'x-cio-timestamp': ts, 'x-cio-signature': sig } });
      expect(res.status, `${ts.slice(0, 10)} ${sig.slice(0, 10)}`).to.equal(401);
    }
  });

  it('keeps serving when a client hangs up mid-body', async () => {
    const u = new URL(gw);
    const body = JSON.stringify({ event_id: '01E4C4CT6YDC7Y5M7FE1GWWPQJ', padding: 'x'.repeat(50_000) });
    const head = `POST /webhooks/customerio HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nx-cio-timestamp: 1\r\nx-cio-signature: ${'a'.repeat(64)}\r\n\r\n`;
    for (let i = 0; i < 5; i++) {
      const o = await exchange({ host: u.hostname, port: Number(u.port) }, { bytes: Buffer.from(head + body), hangUpAfter: head.length + 1000 * (i + 1) });
      expect(o.kind).to.equal('none');
    }
    await stillServing();
  });

  it('cannot reach someone else\'s profile by spelling: encoded slashes, case, spaces, dots, a cio_ id', async () => {
    for (const id of ['grace%40example.com', 'ADA%40example.com%2F..%2Fgrace%40example.com', '%20ada%40example.com', 'cio_a3000002', 'ada@example.com.', 'x'.repeat(2000)]) {
      const res = await call(gw, 'DELETE', `/customers/${id}`, { token: jwt });
      expect(res.status, id.slice(0, 40)).to.be.oneOf([403, 404]);
    }
    // Upper case names the same person (emails compare case-insensitively), so it is allowed.
    expect((await call(gw, 'POST', '/customers/ADA%40EXAMPLE.COM/unsuppress', { token: jwt })).status).to.equal(200);
    expect((await admin(stack.urls.customerio, '/people/grace%40example.com')).deleted).to.equal(false);
  });

  it('the fake\'s webhook admin refuses bad input with 400 and keeps its settings', async () => {
    const cio = stack.urls.customerio;
    const put = (body: string) => fetch(`${cio}/__admin/webhooks`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body });
    for (const bad of ['{"url":"javascript:alert(1)"}', '{"timeoutMs":1e308}', '{"metrics":[1,2]}', '{"giveUpMs":-5}', '[' .repeat(200) + ']'.repeat(200)]) {
      expect((await put(bad)).status, bad.slice(0, 30)).to.equal(400);
    }
    const emit = await fetch(`${cio}/__admin/webhooks/emit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ delivery_id: { $ne: 1 }, metric: 'bounced' }) });
    expect(emit.status).to.equal(400);
    expect((await admin(cio, '/webhooks')).url).to.equal(`${gw}/webhooks/customerio`);
  });
});
