/**
 * Child-process entry of the benchmark's load generator: runs one bounded autocannon load against one target and
 * prints `{"requests":n,"seconds":s,"non2xx":n,"errors":n}` on stdout (the caller runs warm-ups as runs of their own). It runs in its own process so that the
 * client never shares an event loop (or a core's time slice) with the servers being measured.
 *   node --import tsx scripts/lib/bench/generator.ts '<LoadSpec JSON>'
 */
import { createRequire } from 'node:module';
import type { LoadSpec, LoadResult } from './load.ts';

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => unknown;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function run(spec: LoadSpec, seconds: number): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon({
      url: spec.url, method: spec.method, headers: spec.headers, body: spec.body,
      connections: spec.connections, pipelining: 1, duration: seconds, timeout: 10,
      // autocannon keeps its sockets open between requests (HTTP/1.1 keep-alive) by design.
    }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const r = await run(spec, spec.seconds);
const out: LoadResult = { requests: r.requests.total, seconds: r.duration, non2xx: r.non2xx, errors: r.errors + r.timeouts };
process.stdout.write(`${JSON.stringify(out)}\n`);
