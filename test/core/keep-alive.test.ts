/**
 * The keep-alive close race (issue 13: no request may fail because of the stack itself): a server closes an idle
 * kept-alive connection at the moment a client reuses it. Reproduced without timing luck — the server closes the
 * connection in the same turn of the event loop as the client reuses it, or (with the server's real
 * keepAliveTimeout) while the client's thread is blocked — first against Node's own agent, which fails, then
 * against keep-alive.ts, which sends the request on a new connection, and never sends a request the server read.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { CLIENT_IDLE_MS, fetchKeptAlive, keepAliveAgent, sendKeptAlive, SERVER_KEEP_ALIVE_MS } from '../../proxy/core/keep-alive.ts';
import { listen } from '../../emulators/shared/emulator.ts';
import { idleCloser, type IdleCloser } from '../helpers/idle-closer.ts';

const turn = () => new Promise((r) => setImmediate(r));

/** One exchange with Node's http.request on `agent`: the status and body, or the error's code. */
function nodeRequest(url: string, agent: http.Agent, method = 'POST', body = 'payload'): Promise<{ status?: number; body?: string; error?: string; reused: boolean }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent, headers: { 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, body: text, reused: req.reusedSocket }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code, reused: req.reusedSocket }));
    req.end(body);
  });
}

async function keptAlive(url: string, agent: http.Agent, body = 'payload'): Promise<{ status?: number; body?: string; error?: string }> {
  try {
    const res = await sendKeptAlive({ url: new URL(url), method: 'POST', agent, body: Buffer.from(body), headers: { 'content-length': String(Buffer.byteLength(body)) } });
    let text = '';
    for await (const c of res) text += c;
    return { status: res.statusCode, body: text };
  } catch (e) {
    return { error: (e as NodeJS.ErrnoException).code };
  }
}

describe('keep-alive: a server closes an idle connection as the client reuses it', () => {
  let upstream: IdleCloser;
  beforeEach(async () => { upstream = await idleCloser(); });
  afterEach(async () => { await upstream.close(); });

  it("fails Node's own keep-alive agent with ECONNRESET, a request the server never saw (the race)", async () => {
    const agent = new http.Agent({ keepAlive: true });
    expect((await nodeRequest(upstream.url, agent)).status).to.equal(200);
    await turn();
    expect(upstream.closeIdle()).to.equal(1);
    const second = await nodeRequest(upstream.url, agent);
    expect(second).to.deep.equal({ error: 'ECONNRESET', reused: true });
    expect(upstream.received).to.have.length(1);
    agent.destroy();
  });

  it('sendKeptAlive sends a POST found on a closed connection on a new one: one answer, received once', async () => {
    const agent = keepAliveAgent('http:');
    expect((await keptAlive(upstream.url, agent, 'first')).status).to.equal(200);
    await turn();
    expect(upstream.closeIdle()).to.equal(1);
    expect(await keptAlive(upstream.url, agent, 'second')).to.deep.equal({ status: 200, body: '{"n":2}' });
    expect(upstream.received.map((r) => r.body)).to.deep.equal(['first', 'second']);
    agent.destroy();
  });

  it('replaces every closed connection in the pool, not only the first', async () => {
    const agent = keepAliveAgent('http:');
    // Three connections at once, all back in the pool, all closed by the server.
    expect((await Promise.all([1, 2, 3].map((i) => keptAlive(upstream.url, agent, `warm ${i}`)))).map((r) => r.status)).to.deep.equal([200, 200, 200]);
    await turn();
    expect(upstream.closeIdle()).to.equal(3);
    expect((await keptAlive(upstream.url, agent, 'after')).status).to.equal(200);
    expect(upstream.received.filter((r) => r.body === 'after')).to.have.length(1);
    agent.destroy();
  });

  it("Node's fetch fails the same way; fetchKeptAlive (the stack's control-plane calls) answers, received once", async () => {
    const fetched = () => fetch(upstream.url, { method: 'POST', body: 'by fetch' }).then((r) => r.status, (e: Error & { cause?: { code?: string } }) => e.cause?.code);
    expect(await fetched()).to.equal(200);
    await turn();
    expect(upstream.closeIdle()).to.equal(1);
    expect(await fetched()).to.equal('UND_ERR_SOCKET');
    const kept = () => fetchKeptAlive(upstream.url, { method: 'POST', body: 'by fetchKeptAlive', headers: { 'content-type': 'text/plain' } });
    expect((await kept()).status).to.equal(200);
    await turn();
    expect(upstream.closeIdle()).to.equal(1);
    const res = await kept();
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/json');
    expect(await res.json()).to.deep.equal({ n: 3 });
    expect(upstream.received.map((r) => r.body)).to.deep.equal(['by fetch', 'by fetchKeptAlive', 'by fetchKeptAlive']);
  });

  it('never sends again a request the server read and then dropped without answering', async () => {
    const agent = keepAliveAgent('http:');
    expect((await keptAlive(upstream.url, agent, 'first')).status).to.equal(200);
    await turn();
    upstream.dropNext();
    expect(await keptAlive(upstream.url, agent, 'read, then dropped')).to.deep.equal({ error: 'ECONNRESET' });
    expect(upstream.received.map((r) => r.body)).to.deep.equal(['first', 'read, then dropped']);
    agent.destroy();
  });

  it('ends the exchange when its signal aborts while it waits to write, without sending it', async () => {
    const agent = keepAliveAgent('http:');
    expect((await keptAlive(upstream.url, agent, 'first')).status).to.equal(200);
    await turn();
    const abort = new AbortController();
    const pending = sendKeptAlive({ url: new URL(upstream.url), method: 'POST', agent, body: Buffer.from('never'), signal: abort.signal });
    abort.abort();
    const err = await pending.then(() => undefined, (e: Error) => e);
    expect(err?.name).to.equal('AbortError');
    await turn();
    expect(upstream.received).to.have.length(1);
    agent.destroy();
  });
});

describe("keep-alive: the server's real keepAliveTimeout fires while the client's thread is blocked", function () {
  this.timeout(60_000);

  /**
   * The server runs in a worker thread with keepAliveTimeout 2 s (it announces `timeout=2` and closes after 3 s,
   * Node's 1 s buffer); this thread blocks until the worker saw its idle connection close, then sends at once — as a
   * process held up by synchronous work does, its idle-socket timer unable to run.
   */
  async function blockedClient(send: (url: string) => Promise<{ status?: number; error?: string }>, warm: (url: string) => Promise<unknown>) {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(`
      const http = require('node:http');
      const { workerData, parentPort } = require('node:worker_threads');
      const shared = workerData;
      const server = http.createServer((req, res) => { req.resume(); req.on('end', () => { Atomics.add(shared, 1, 1); res.end('ok'); }); });
      server.keepAliveTimeout = 2000;
      server.on('connection', (s) => s.on('close', () => { Atomics.store(shared, 0, 1); Atomics.notify(shared, 0); }));
      server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
    `, { eval: true, workerData: shared });
    try {
      const port = await new Promise<number>((r) => worker.once('message', r));
      const url = `http://127.0.0.1:${port}/`;
      await warm(url);
      await turn();
      // Blocked here, this thread's timers cannot run and the FIN stays unread until the request is made.
      expect(Atomics.wait(shared, 0, 0, 30_000), 'the server closed the idle connection').to.equal('ok');
      const result = await send(url);
      return { result, requests: Atomics.load(shared, 1) };
    } finally {
      await worker.terminate();
    }
  }

  it("Node's own agent: ECONNRESET", async () => {
    const agent = new http.Agent({ keepAlive: true });
    const { result, requests } = await blockedClient((url) => nodeRequest(url, agent), (url) => nodeRequest(url, agent));
    expect(result).to.deep.equal({ error: 'ECONNRESET', reused: true });
    expect(requests).to.equal(1);
    agent.destroy();
  });

  it('sendKeptAlive on keepAliveAgent: answered on a new connection, received once', async () => {
    const agent = keepAliveAgent('http:');
    const { result, requests } = await blockedClient((url) => keptAlive(url, agent), (url) => keptAlive(url, agent));
    expect(result).to.deep.equal({ status: 200, body: 'ok' });
    expect(requests).to.equal(2);
    agent.destroy();
  });
});

describe('keepAliveAgent: idle sockets leave the pool before the server closes them', () => {
  /** The idle timeout the agent set on its pooled socket after an answer with these headers. */
  async function pooledTimeout(agent: http.Agent, keepAliveHeader?: string): Promise<number | undefined> {
    const server = http.createServer((_req, res) => res.writeHead(200, keepAliveHeader ? { 'keep-alive': keepAliveHeader } : {}).end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    let socket: Socket | undefined;
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ port, host: '127.0.0.1', agent }, (res) => { res.resume(); res.on('end', resolve); });
      req.on('socket', (s) => (socket = s));
      req.on('error', reject);
    });
    await turn();
    const timeout = socket!.timeout;
    agent.destroy();
    server.closeAllConnections();
    server.close();
    return timeout;
  }

  it(`after ${CLIENT_IDLE_MS} ms when the server announces nothing, 1 s before the time it announces when sooner`, async () => {
    expect(await pooledTimeout(keepAliveAgent('http:'))).to.equal(CLIENT_IDLE_MS);
    expect(await pooledTimeout(keepAliveAgent('http:'), 'timeout=3')).to.equal(2000);
    expect(await pooledTimeout(keepAliveAgent('http:'), 'timeout=60')).to.equal(CLIENT_IDLE_MS);
  });

  it("and from a server of the stack (listen(): `Keep-Alive: timeout=5`), 1 s before it", async () => {
    const server = await listen((_req, res) => res.end('ok'), 0);
    const agent = keepAliveAgent('http:');
    const res = await sendKeptAlive({ url: new URL(server.url), agent });
    res.resume();
    await new Promise((r) => res.on('end', r));
    expect(res.headers['keep-alive']).to.equal('timeout=5');
    await turn();
    expect(Object.values(agent.freeSockets).flat().map((s) => s!.timeout)).to.deep.equal([SERVER_KEEP_ALIVE_MS - 1000]);
    agent.destroy();
    await server.close();
  });

  it("where Node's own Agent with keepAlive and no timeout never lets an idle socket go, even with the server's hint", async () => {
    expect(await pooledTimeout(new http.Agent({ keepAlive: true }), 'timeout=5')).to.equal(0);
  });
});
