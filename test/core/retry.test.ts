/**
 * Retry with backoff and the circuit breaker, over real loopback HTTP with a scripted upstream and a fake clock
 * (sleeps advance it instead of waiting).
 */
import { expect } from 'chai';
import http from 'node:http';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { createHttpClient } from '../../proxy/core/http-client.ts';
import { withRetry, DEFAULT_RETRY } from '../../proxy/core/retry.ts';
import { CircuitBreaker, CircuitOpen } from '../../proxy/core/breaker.ts';
import type { Clock } from '../../proxy/core/types.ts';

function fakeClock(start = Date.parse('2026-03-01T00:00:00Z')): Clock & { slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; } };
}

describe('retry and circuit breaker', () => {
  let server: Listening;
  /** What the upstream answers next: a status (with optional headers), or 'drop' to cut the connection. */
  let script: (number | 'drop' | [number, Record<string, string>])[] = [];
  let hits = 0;
  const client = createHttpClient({ timeoutMs: 2000 });

  before(async () => {
    server = await listen(http.createServer((req, res) => {
      hits++;
      const next = script.shift() ?? 200;
      if (next === 'drop') return req.socket.destroy();
      const [status, headers] = Array.isArray(next) ? next : [next, {}];
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ status }));
    }), 0);
  });
  after(() => server.close());
  beforeEach(() => { script = []; hits = 0; });

  const send = () => client.send({ upstream: 'test', method: 'POST', url: `${server.url}/x`, body: '{}' });

  it('retries 503 and 429 with 1 s then 2 s waits and returns the success', async () => {
    script = [503, 429];
    const clock = fakeClock();
    const res = await withRetry(send, { clock });
    expect(res.status).to.equal(200);
    expect(hits).to.equal(3);
    expect(clock.slept).to.deep.equal([1000, 2000]);
  });

  it('stops after 3 attempts and returns the last failure', async () => {
    script = [500, 502, 504, 200];
    const clock = fakeClock();
    const res = await withRetry(send, { clock });
    expect(res.status).to.equal(504);
    expect(hits).to.equal(DEFAULT_RETRY.attempts);
  });

  it('waits what Retry-After asks instead of the backoff', async () => {
    script = [[429, { 'retry-after': '7' }]];
    const clock = fakeClock();
    expect((await withRetry(send, { clock })).status).to.equal(200);
    expect(clock.slept).to.deep.equal([7000]);
  });

  it('does not wait for a Retry-After beyond the cap: the 429 comes back at once', async () => {
    script = [[429, { 'retry-after': '3600' }]];
    const clock = fakeClock();
    expect((await withRetry(send, { clock })).status).to.equal(429);
    expect(hits).to.equal(1);
  });

  it('never retries a 4xx other than 429', async () => {
    script = [400];
    expect((await withRetry(send, { clock: fakeClock() })).status).to.equal(400);
    expect(hits).to.equal(1);
  });

  it('retries a dropped connection, then throws the network error when every attempt fails', async () => {
    script = ['drop', 200];
    expect((await withRetry(send, { clock: fakeClock() })).status).to.equal(200);
    script = ['drop', 'drop', 'drop'];
    hits = 0;
    const err = await withRetry(send, { clock: fakeClock() }).then(() => undefined, (e) => e);
    expect(err).to.have.property('code', 'upstream_unreachable');
    expect(hits).to.equal(3);
  });

  it('opens after the threshold, refuses with 503 + Retry-After, half-opens after the cool-down, closes on success', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ name: 'test', failureThreshold: 3, coolDownMs: 10_000, clock });
    const call = () => breaker.run(send, (r) => r.status >= 500);
    script = [500, 500, 500];
    for (let i = 0; i < 3; i++) expect((await call()).status).to.equal(500);
    expect(breaker.state).to.equal('open');
    hits = 0;
    const refused = await call().then(() => undefined, (e) => e);
    expect(refused).to.be.instanceOf(CircuitOpen);
    expect(refused.status).to.equal(503);
    expect(refused.headers['retry-after']).to.equal('10');
    expect(hits).to.equal(0);
    await clock.sleep(10_000);
    expect(breaker.state).to.equal('half-open');
    script = [500];
    expect((await call()).status).to.equal(500);
    expect(breaker.state, 'a failed trial re-opens').to.equal('open');
    await clock.sleep(10_000);
    expect((await call()).status).to.equal(200);
    expect(breaker.state).to.equal('closed');
  });

  it('lets one trial through while half-open and refuses the others', async () => {
    const clock = fakeClock();
    const breaker = new CircuitBreaker({ name: 'test', failureThreshold: 1, coolDownMs: 1000, clock });
    script = [500];
    await breaker.run(send, (r) => r.status >= 500);
    await clock.sleep(1000);
    const [a, b] = await Promise.allSettled([breaker.run(send), breaker.run(send)]);
    expect(a.status).to.equal('fulfilled');
    expect(b.status).to.equal('rejected');
  });
});
