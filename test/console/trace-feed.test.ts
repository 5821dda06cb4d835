/**
 * The console's trace feed (emulators/console/traces.ts) with a real gateway: a refusal streamed by the gateway
 * becomes a row of its own, stopped at the gateway; after the feed lets go and follows again it gets only what it
 * missed (resumed after the last id, no row twice); rows from both streams are kept newest first by arrival time;
 * a refusal the proxy has a record of (its span is the proxy record's parent) is not a second row.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { startGateway, type Gateway } from '../../emulators/gateway/index.ts';
import { EventHub } from '../../emulators/console/events.ts';
import { StackClient } from '../../emulators/console/stack-client.ts';
import { isRefused, TraceFeed, type ProxyTrace, type RefusedRow } from '../../emulators/console/traces.ts';

async function until<T>(what: string, find: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const proxyRecord = (over: Partial<ProxyTrace>): ProxyTrace => ({
  seq: 1, traceId: 'c'.repeat(32), spanId: '1'.repeat(16), traceOrigin: 'continued', requestId: 'req-1', time: new Date().toISOString(), function: 'customerio',
  method: 'POST', path: '/events', route: '/events', status: 200, ms: 3, upstream: [],
  request: { headers: {}, body: { bytes: 0 }, query: '' }, response: { headers: {}, body: { bytes: 2, text: '{}' } }, ...over,
});

describe('console trace feed: requests the gateway refused (issue 17)', function () {
  this.timeout(60_000);
  let keyDir: string;
  let upstream: Listening;
  let gw: Gateway;
  let feed: TraceFeed;

  before(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trace-feed-'));
    // Stands in for the proxy: answers requests, and has no trace stream (404), as a proxy outside the stack.
    upstream = await listen(http.createServer((req, res) => req.resume().on('end', () => res.writeHead(req.url?.startsWith('/__admin') ? 404 : 200).end())), 0);
    gw = await startGateway({ port: 0, upstream: upstream.url, keyDir });
    feed = new TraceFeed(new StackClient({ gateway: gw.url, proxy: upstream.url }), new EventHub());
  });
  after(async () => {
    feed?.stop();
    await gw?.close();
    await upstream?.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  const refusedRows = () => feed.list(500).filter(isRefused);

  it('turns each refusal into a row stopped at the gateway, and resumes after the last one it saw', async () => {
    await fetch(`${gw.url}/events`); // forwarded: never a refusal
    const first = await fetch(`${gw.url}/send-mail`, { method: 'POST', body: '{}' });
    expect(first.status).to.equal(403);
    feed.watch(true);
    const row = await until('the refusal sent before the feed followed', () => refusedRows()[0]);
    expect(row).to.deep.include({ stoppedAt: 'gateway', method: 'POST', path: '/send-mail', status: 403, upstream: [] });
    expect(row.gateway).to.deep.include({ refusedBy: 'api_key', reason: 'this route requires an x-api-key header and none was sent' });
    expect(row.gateway.hop).to.deep.include({ apiKey: { verdict: 'forbidden' } });

    const old = await gw.mintToken('grace@example.com', -10);
    await fetch(`${gw.url}/customers/me/events`, { headers: { authorization: `Bearer ${old}` } });
    await until('the live refusal', () => (refusedRows().length === 2 ? true : undefined));
    expect(refusedRows()[0].gateway).to.deep.include({ refusedBy: 'jwt', reason: 'the token has expired' });
    expect(refusedRows()[0].gateway.request.headers.authorization).to.equal('Bearer [REDACTED]');

    // Let go, miss one, follow again: only the missed one comes, once.
    feed.stop();
    await fetch(`${gw.url}/reports`, { headers: { 'x-api-key': 'not-a-key-of-this-gateway-00000' } });
    feed.watch(true);
    await until('the missed refusal', () => (refusedRows().length >= 3 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300)); // any duplicate would have arrived with it
    expect(refusedRows().map((r) => r.path)).to.deep.equal(['/reports', '/customers/me/events', '/send-mail']);
    expect(feed.status).to.match(/this proxy keeps no trace records/);
  });

  it('keeps rows newest first by arrival whichever stream brought them, and a refusal the proxy has is not a row', () => {
    const t = (s: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + s * 1000).toISOString();
    feed.add(proxyRecord({ time: t(1), parentId: 'a'.repeat(16), path: '/one' }));
    feed.add(proxyRecord({ time: t(3), path: '/three' }));
    const late = feed.addRefusal({ seq: 1, time: t(2), spanId: 'b'.repeat(16), method: 'GET', path: '/two', query: '', status: 401, ms: 1, refusedBy: 'jwt', reason: 'x', request: { headers: {} }, response: { headers: {}, body: '' } });
    expect(late).to.not.equal(undefined);
    const twice = feed.addRefusal({ seq: 2, time: t(1), spanId: 'a'.repeat(16), method: 'POST', path: '/one', query: '', status: 502, ms: 1, refusedBy: 'proxy_unreachable', reason: 'x', request: { headers: {} }, response: { headers: {}, body: '' } });
    expect(twice, 'the proxy has this request').to.equal(undefined);
    expect(feed.list(3).map((r) => r.path)).to.deep.equal(['/three', '/two', '/one']);
    expect((feed.list(3)[1] as RefusedRow).stoppedAt).to.equal('gateway');
  });
});
