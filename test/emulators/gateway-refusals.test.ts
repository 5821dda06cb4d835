/**
 * The gateway's refusals (emulators/gateway/refusals.ts, admin.ts): every request it answered itself — a JWT, an API
 * key, a usage plan, a request target it routes nowhere, a proxy that did not answer — listed and streamed over SSE
 * with the check that stopped it, redacted as the recorder redacts; a forwarded request never; a stream resumes after
 * Last-Event-ID. The wire answers to the mobile client stay as they were.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { startGateway, type Gateway, type GatewayRefusal } from '../../emulators/gateway/index.ts';

const CRM_KEY = 'local-crm-api-key-000000000000000000000000';
const DISABLED_KEY = 'local-disabled-api-key-0000000000000000000';
const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;
const newId = () => [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

interface Event { id: string; event: string; data: GatewayRefusal }

/** An SSE subscription that collects events; `until` waits (with a deadline) for a condition over them. */
function subscribe(url: string, headers: Record<string, string> = {}) {
  const events: Event[] = [];
  let res: http.IncomingMessage | undefined;
  const req = http.get(url, { headers });
  const opened = new Promise<http.IncomingMessage>((resolve, reject) => req.on('response', (r) => resolve((res = r))).on('error', reject));
  let buf = '';
  void opened.then((r) => r.setEncoding('utf8').on('data', (c: string) => {
    buf += c;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      if (field('data')) events.push({ id: field('id')!, event: field('event')!, data: JSON.parse(field('data')!) });
    }
  }));
  return {
    events,
    opened,
    async until<T>(what: string, find: () => T | undefined, ms = 20_000): Promise<T> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => e.data.path))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => {
      req.destroy();
      res?.destroy();
    },
  };
}

/** A raw request line the fetch API cannot send (asterisk-form). */
function rawRequest(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = '';
    s.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text)).on('error', reject);
  });
}

describe('gateway refusals: listed and streamed for the console (issue 17)', function () {
  this.timeout(60_000);
  let keyDir: string;
  let upstream: Listening;
  let gw: Gateway;

  before(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-refusals-'));
    upstream = await listen(http.createServer((req, res) => {
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    }), 0);
    gw = await startGateway({ port: 0, upstream: upstream.url, keyDir });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  it('streams each refusal with the check that stopped it, redacted, and never a forwarded request', async () => {
    const sub = subscribe(`${gw.url}/__admin/refusals/stream`);
    try {
      const res = await sub.opened;
      expect(res.headers['content-type']).to.match(/^text\/event-stream/);
      const forwarded = [newId(), newId(), newId()];
      const token = await gw.mintToken('ada@example.com');
      expect((await fetch(`${gw.url}/events`, { method: 'POST', headers: { traceparent: traceparent(forwarded[0]) }, body: '{}' })).status).to.equal(200);
      expect((await fetch(`${gw.url}/customers/me/events`, { headers: { traceparent: traceparent(forwarded[1]), authorization: `Bearer ${token}` } })).status).to.equal(200);
      expect((await fetch(`${gw.url}/send-mail`, { method: 'POST', headers: { traceparent: traceparent(forwarded[2]), 'x-api-key': CRM_KEY }, body: '{}' })).status).to.equal(200);

      const expired = newId();
      const old = await gw.mintToken('bob@example.com', -10);
      const r401 = await fetch(`${gw.url}/customers/me/events?token=${old}`, { headers: { traceparent: traceparent(expired), authorization: `Bearer ${old}` } });
      // The wire answer is API Gateway's, as before.
      expect(r401.status).to.equal(401);
      expect(await r401.json()).to.deep.equal({ message: 'Unauthorized' });
      const noKey = newId();
      expect((await fetch(`${gw.url}/send-mail`, { method: 'POST', headers: { traceparent: traceparent(noKey) }, body: '{}' })).status).to.equal(403);
      const disabled = newId();
      expect((await fetch(`${gw.url}/send-mail`, { method: 'POST', headers: { traceparent: traceparent(disabled), 'x-api-key': DISABLED_KEY }, body: '{}' })).status).to.equal(403);

      const byTrace = (id: string) => () => sub.events.find((e) => e.data.traceId === id)?.data;
      const jwt = await sub.until('the expired JWT', byTrace(expired));
      expect(jwt).to.deep.include({ method: 'GET', path: '/customers/me/events', status: 401, refusedBy: 'jwt', reason: 'the token has expired' });
      expect(jwt.hop?.jwt).to.deep.equal({ refused: 'the token has expired' });
      expect(jwt.hop).to.not.have.property('signature');
      expect(jwt.request.headers.authorization).to.equal('Bearer [REDACTED]');
      expect(decodeURIComponent(jwt.query)).to.equal('token=[REDACTED]');
      expect(jwt.response.headers['www-authenticate']).to.contain('expired');
      expect(jwt.response.body).to.equal('{"message":"Unauthorized"}');
      expect(jwt.ms).to.be.a('number');
      expect(JSON.stringify(sub.events), 'no JWT anywhere').to.not.contain(old).and.not.contain(token);

      const missing = await sub.until('the request without an API key', byTrace(noKey));
      expect(missing).to.deep.include({ status: 403, refusedBy: 'api_key', reason: 'this route requires an x-api-key header and none was sent' });
      const off = await sub.until('the disabled key', byTrace(disabled));
      expect(off).to.deep.include({ refusedBy: 'api_key', reason: 'API key k-disabled-local is disabled' });
      expect(off.hop?.apiKey).to.deep.include({ keyId: 'k-disabled-local', verdict: 'forbidden' });
      expect(off.request.headers['x-api-key']).to.equal('[REDACTED]');
      expect(JSON.stringify(sub.events), 'no API key value anywhere').to.not.contain(DISABLED_KEY);

      // The forwarded ones came before and are not in the stream (the proxy's own trace has them).
      for (const id of forwarded) expect(sub.events.map((e) => e.data.traceId)).to.not.include(id);
      expect(sub.events.map((e) => e.event)).to.deep.equal(['refusal', 'refusal', 'refusal']);
      expect(sub.events.map((e) => Number(e.id))).to.deep.equal(sub.events.map((e) => e.data.seq));
    } finally {
      sub.close();
    }
  });

  it('resumes after Last-Event-ID (or ?after=) with what it missed, oldest first; an id from an earlier run gets all', async () => {
    const first = newId();
    await fetch(`${gw.url}/reports`, { headers: { traceparent: traceparent(first) } });
    const [seen] = (await (await fetch(`${gw.url}/__admin/refusals?trace=${first}`)).json()).refusals as GatewayRefusal[];
    expect(seen.refusedBy).to.equal('api_key');
    const missed = [newId(), newId()];
    for (const id of missed) await fetch(`${gw.url}/reports/x`, { headers: { traceparent: traceparent(id), 'x-api-key': 'not-a-key-of-this-gateway-00000' } });

    for (const headers of [{ 'last-event-id': String(seen.seq) }, {}] as Record<string, string>[]) {
      const sub = subscribe(`${gw.url}/__admin/refusals/stream${'last-event-id' in headers ? '' : `?after=${seen.seq}`}`, headers);
      try {
        await sub.until('both missed refusals', () => (sub.events.length >= 2 ? true : undefined));
        expect(sub.events.map((e) => e.data.traceId)).to.deep.equal(missed);
        expect(sub.events[0].data.reason).to.equal('the x-api-key header names no key of this gateway');
      } finally {
        sub.close();
      }
    }
    const fresh = subscribe(`${gw.url}/__admin/refusals/stream`, { 'last-event-id': '999999999' });
    try {
      await fresh.until('every kept refusal', () => (fresh.events.some((e) => e.data.traceId === missed[1]) ? true : undefined));
      expect(fresh.events.map((e) => e.data.traceId)).to.include(first);
    } finally {
      fresh.close();
    }
  });

  it('lists a request target it routes nowhere and a proxy that did not answer; a reset empties the list but keeps counting', async () => {
    const reply = await rawRequest(gw.port, 'OPTIONS * HTTP/1.1');
    expect(reply).to.match(/^HTTP\/1\.1 400 /);
    const { refusals } = (await (await fetch(`${gw.url}/__admin/refusals?limit=1`)).json()) as { refusals: GatewayRefusal[] };
    expect(refusals).to.have.length(1);
    expect(refusals[0]).to.deep.include({ method: 'OPTIONS', path: '*', status: 400, refusedBy: 'request_target' });

    // A gateway whose proxy is not there: a port that was free a moment ago.
    const gone = await listen(http.createServer(), 0);
    await gone.close();
    const orphan = await startGateway({ port: 0, upstream: gone.url, keyDir });
    try {
      const id = newId();
      const res = await fetch(`${orphan.url}/events`, { headers: { traceparent: traceparent(id) } });
      expect(res.status).to.equal(502);
      const [r] = (await (await fetch(`${orphan.url}/__admin/refusals?trace=${id}`)).json()).refusals as GatewayRefusal[];
      expect(r).to.deep.include({ status: 502, refusedBy: 'proxy_unreachable' });
      expect(r.reason).to.match(/^the proxy did not answer: /);
    } finally {
      await orphan.close();
    }

    const before = refusals[0].seq;
    expect((await fetch(`${gw.url}/__admin/reset`, { method: 'POST' })).status).to.equal(200);
    expect((await (await fetch(`${gw.url}/__admin/refusals`)).json()).refusals).to.deep.equal([]);
    await fetch(`${gw.url}/send-mail`, { method: 'POST', body: '{}' });
    const [next] = (await (await fetch(`${gw.url}/__admin/refusals`)).json()).refusals as GatewayRefusal[];
    expect(next.seq).to.equal(before + 1);
  });

  it('answers a bad filter with a 400 naming it', async () => {
    for (const q of ['refusals?trace=nope', 'refusals?limit=0', 'refusals?limit=x']) {
      const res = await fetch(`${gw.url}/__admin/${q}`);
      expect(res.status, q).to.equal(400);
      expect((await res.json()).error).to.match(/trace|limit/);
    }
    const res = await fetch(`${gw.url}/__admin/refusals/stream?after=-1`);
    expect(res.status).to.equal(400);
    expect((await res.json()).error).to.match(/after/);
  });
});
