/**
 * Requests kept going while something changes underneath (a key rotation): a few serial loops, each sending its
 * request again as soon as the last answer arrived, until stopped. Every answer's status is kept, so a test can
 * assert that none was refused or failed and that requests really ran before, during and after the change.
 *
 * Answers other than the expected status are sorted, so a failure says what went wrong: a refusal of credentials
 * (401, 403, 406, or the proxy's `upstream_auth_failed`) is what a rotation must never cause; a transport failure (a
 * connection reset or refused on the way: 502/504 `upstream_unreachable`/`upstream_timeout`, the gateway's bare 502,
 * a fetch that failed) is what the stack must not cause either — a kept-alive connection a server closed is replaced
 * before it is written to (proxy/core/keep-alive.ts); anything else is unexpected.
 */
import { expect } from 'chai';

export interface Answer { name: string; status: number; body: string }

export interface LoadResult {
  sent: number;
  /** Status → count. */
  statuses: Record<number, number>;
  /** Credentials refused (first few). */
  refused: Answer[];
  /** Connections that failed on the way (first few). */
  transport: Answer[];
  /** Any other answer than the expected status (first few). */
  unexpected: Answer[];
}

const TRANSPORT_CODES = /"code":"(upstream_unreachable|upstream_timeout)"/;

function classify(a: Answer): 'refused' | 'transport' | 'unexpected' {
  if ([401, 403, 406].includes(a.status) || /"code":"upstream_auth_failed"/.test(a.body)) return 'refused';
  if (a.status === 0 || ((a.status === 502 || a.status === 504) && (TRANSPORT_CODES.test(a.body) || a.body === '{"message":"Bad Gateway"}'))) return 'transport';
  return 'unexpected';
}

export interface SteadyLoad {
  /** Requests answered so far. */
  count(): number;
  stop(): Promise<LoadResult>;
}

export function steadyLoad(loops: { name: string; send: () => Promise<Response>; expect?: number; pauseMs?: number }[]): SteadyLoad {
  let running = true;
  const result: LoadResult = { sent: 0, statuses: {}, refused: [], transport: [], unexpected: [] };
  const runs = loops.map(async (l) => {
    while (running) {
      let status = 0;
      let body = '';
      try {
        const res = await l.send();
        status = res.status;
        body = await res.text();
      } catch (e) {
        body = (e as Error).message;
      }
      result.sent++;
      result.statuses[status] = (result.statuses[status] ?? 0) + 1;
      if (status !== (l.expect ?? 200)) {
        const a = { name: l.name, status, body: body.slice(0, 300) };
        const kind = classify(a);
        if (result[kind].length < 10) result[kind].push(a);
      }
      if (l.pauseMs) await new Promise((r) => setTimeout(r, l.pauseMs));
    }
  });
  return {
    count: () => result.sent,
    async stop() {
      running = false;
      await Promise.all(runs);
      return result;
    },
  };
}

/** Poll until `check` is truthy or the deadline passes (then the last value is returned for the assertion). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (!last && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await check();
  }
  return last;
}

/** What every rotation test asserts of its load: nothing refused, no connection failed, nothing else unexpected. */
export function expectNoRefusal(r: LoadResult): void {
  expect(r.refused, JSON.stringify(r.refused)).to.deep.equal([]);
  expect(r.transport, `of ${r.sent} requests, these failed on the way: ${JSON.stringify(r.transport)}`).to.deep.equal([]);
  expect(r.unexpected, JSON.stringify(r.unexpected)).to.deep.equal([]);
}
