/**
 * Every client in the stack that keeps connections alive survives its server closing an idle one at the moment the
 * client reuses it (test/core/keep-alive.test.ts shows the race itself): the proxy's single outbound client (every
 * upstream, AWS included), the gateway's forward to the proxy, the QA recorder and the replay runner. Each is made
 * to reuse its pooled connection in the same turn of the event loop as the upstream closes it; each request is
 * answered and reaches the upstream once. Then the same through the real stack, across processes.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HttpRequest } from '@smithy/core/protocols';
import { createHttpClient, UpstreamUnavailable } from '../../proxy/core/http-client.ts';
import { AwsHttpHandler } from '../../proxy/core/aws-http-handler.ts';
import { startGateway } from '../../emulators/gateway/index.ts';
import { DEFAULT_STEPS } from '../../emulators/gateway/steps.ts';
import { startRecorder } from '../../scripts/lib/replay/recorder-proxy.ts';
import { replay } from '../../scripts/lib/replay/runner.ts';
import { IdentityMap } from '../../scripts/lib/replay/identity.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { loadCompareRules } from '../../scripts/lib/replay/rules.ts';
import type { ReplayEntry } from '../../scripts/lib/replay/har.ts';
import { idleCloser, type IdleCloser } from '../helpers/idle-closer.ts';

const turn = () => new Promise((r) => setImmediate(r));

describe("the stack's keep-alive clients: the upstream closes the pooled connection as it is reused", () => {
  let upstream: IdleCloser;
  beforeEach(async () => { upstream = await idleCloser(); });
  afterEach(async () => { await upstream.close(); });

  describe("the proxy's HttpClient", () => {
    const post = (client: ReturnType<typeof createHttpClient>, body: string) =>
      client.send({ upstream: 'test', method: 'POST', url: `${upstream.url}/v1/send`, body, headers: { 'content-type': 'text/plain' } });

    it('answers a POST on a new connection, received once', async () => {
      const client = createHttpClient();
      expect((await post(client, 'first')).status).to.equal(200);
      await turn();
      expect(upstream.closeIdle()).to.equal(1);
      const res = await post(client, 'second');
      expect(res.status).to.equal(200);
      expect(res.json()).to.deep.equal({ n: 2 });
      expect(upstream.received.map((r) => r.body)).to.deep.equal(['first', 'second']);
    });

    it('an AWS call through its SDK handler too', async () => {
      const handler = new AwsHttpHandler(createHttpClient());
      const u = new URL(upstream.url);
      const request = (body: string) => new HttpRequest({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', headers: { 'x-amz-target': 'AmazonSQS.SendMessage', 'content-type': 'application/x-amz-json-1.0' }, body });
      expect((await handler.handle(request('{"first":1}'))).response.statusCode).to.equal(200);
      await turn();
      expect(upstream.closeIdle()).to.equal(1);
      expect((await handler.handle(request('{"second":2}'))).response.statusCode).to.equal(200);
      expect(upstream.received.map((r) => r.body)).to.deep.equal(['{"first":1}', '{"second":2}']);
    });

    it('a POST the upstream read and then dropped stays a 502 upstream_unreachable, sent once', async () => {
      const client = createHttpClient();
      expect((await post(client, 'first')).status).to.equal(200);
      await turn();
      upstream.dropNext();
      const err = await post(client, 'read, then dropped').then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(UpstreamUnavailable);
      expect((err as UpstreamUnavailable).status).to.equal(502);
      expect(upstream.received.map((r) => r.body)).to.deep.equal(['first', 'read, then dropped']);
    });
  });

  it("the gateway's forward to the proxy: answered, forwarded once", async () => {
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-keepalive-'));
    let armed = false;
    const closed: number[] = [];
    // The last step runs just before the forward, in the same turn: the upstream's close is not yet read.
    const closeNow = async () => { if (armed) closed.push(upstream.closeIdle()); };
    const gw = await startGateway({ port: 0, upstream: upstream.url, keyDir, steps: [...DEFAULT_STEPS, closeNow] });
    try {
      const send = (name: string) => fetch(`${gw.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
      expect((await send('first')).status).to.equal(200);
      armed = true;
      const res = await send('second');
      expect(res.status, await res.clone().text()).to.equal(200);
      expect(await res.json()).to.deep.equal({ n: 2 });
      expect(closed).to.deep.equal([1]);
      expect(upstream.received.map((r) => JSON.parse(r.body).name)).to.deep.equal(['first', 'second']);
    } finally {
      await gw.close();
      fs.rmSync(keyDir, { recursive: true, force: true });
    }
  });

  it('the QA recorder: answered, forwarded once', async () => {
    let armed = false;
    const closed: number[] = [];
    const recorder = await startRecorder({
      target: upstream.url,
      // Called as a request arrives; its body (none) is read within the same turn, then it is forwarded.
      arrive: () => {
        if (armed) closed.push(upstream.closeIdle());
        return () => {};
      },
    });
    try {
      expect((await fetch(`${recorder.url}/cards`)).status).to.equal(200);
      armed = true;
      const res = await fetch(`${recorder.url}/cards`);
      expect(res.status, await res.clone().text()).to.equal(200);
      expect(closed).to.deep.equal([1]);
      expect(upstream.received).to.have.length(2);
    } finally {
      await recorder.close();
    }
  });

  it('the replay runner: every entry answered, each sent once', async () => {
    const entry = (index: number): ReplayEntry => ({
      index, method: 'POST', url: new URL(`https://api.example.com/events?i=${index}`), headers: { 'content-type': 'application/json' },
      body: Buffer.from(`{"i":${index}}`), expected: { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(`{"n":${index + 1}}`) }, startedAt: index,
    });
    const redact = new Redactor();
    const closed: number[] = [];
    const results = await replay([entry(0), entry(1), entry(2)], {
      target: upstream.url, concurrency: 1, rules: loadCompareRules(), redact, identities: new IdentityMap(redact, []),
      credentials: { bearer: async () => 'unused' },
      // The next entry is sent in the same turn as this one's result is reported.
      onResult: () => { closed.push(upstream.closeIdle()); },
    });
    expect(results.map((r) => r.error ?? r.verdict)).to.deep.equal(['pass', 'pass', 'pass']);
    expect(closed).to.deep.equal([1, 1, 1]);
    expect(upstream.received.map((r) => r.body)).to.deep.equal(['{"i":0}', '{"i":1}', '{"i":2}']);
  });
});
