/**
 * Requests kept going while something changes underneath (a key rotation): a few serial loops, each sending its
 * request again as soon as the last answer arrived, until stopped. Every answer's status is kept, so a test can
 * assert that none was refused and that requests really ran before, during and after the change.
 */
export interface LoadResult {
  sent: number;
  /** Status → count. */
  statuses: Record<number, number>;
  /** The first few answers that were not the expected status, with their bodies. */
  unexpected: { name: string; status: number; body: string }[];
}

export interface SteadyLoad {
  /** Requests answered so far. */
  count(): number;
  stop(): Promise<LoadResult>;
}

export function steadyLoad(loops: { name: string; send: () => Promise<Response>; expect?: number; pauseMs?: number }[]): SteadyLoad {
  let running = true;
  const result: LoadResult = { sent: 0, statuses: {}, unexpected: [] };
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
      if (status !== (l.expect ?? 200) && result.unexpected.length < 10) result.unexpected.push({ name: l.name, status, body: body.slice(0, 300) });
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
