/**
 * Load generation for the benchmarks, always from a separate process: autocannon (an npm dev dependency) by
 * default, or Debian's `wrk` when it is on PATH and asked for (`BENCH_GENERATOR=wrk`), which costs less CPU per
 * request on a small machine. Keep-alive sockets, fixed concurrency, bounded duration, a warm-up before counting.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One target and how hard to drive it. */
export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  non2xx: number;
  errors: number;
}

export type GeneratorName = 'autocannon' | 'wrk';

/** autocannon unless `wrk` is wanted and present; the benchmark must run with npm packages alone. */
export function chooseGenerator(wanted = process.env.BENCH_GENERATOR): GeneratorName {
  if (wanted === 'wrk' && spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0) return 'wrk';
  return 'autocannon';
}

export interface Measurement {
  /** Requests per second the target sustained. */
  rate: number;
  /** CPU time of this process per request: the server's cost when the server runs here (as in bench-aws). */
  cpuMicros: number;
}

/**
 * Warm up, then measure; throws when any answer was not 2xx, so a failing server never "wins". The warm-up is a
 * run of its own so this process's CPU time is counted over the measured requests only.
 */
export async function measure(spec: LoadSpec, generator: GeneratorName): Promise<Measurement> {
  const run = generator === 'wrk' ? runWrk : runAutocannon;
  if (spec.warmupSeconds > 0) checked(spec, await run({ ...spec, seconds: spec.warmupSeconds, warmupSeconds: 0 }));
  const cpu = process.cpuUsage();
  const r = checked(spec, await run({ ...spec, warmupSeconds: 0 }));
  const used = process.cpuUsage(cpu);
  return { rate: r.requests / r.seconds, cpuMicros: (used.user + used.system) / r.requests };
}

function checked(spec: LoadSpec, r: LoadResult): LoadResult {
  if (r.non2xx || r.errors) throw new Error(`${spec.method} ${spec.url}: ${r.non2xx} non-2xx answers and ${r.errors} errors out of ${r.requests}`);
  if (!r.requests) throw new Error(`${spec.method} ${spec.url}: no request completed`);
  return r;
}

const GENERATOR = fileURLToPath(new URL('./generator.ts', import.meta.url));

function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', GENERATOR, JSON.stringify(spec)], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`load generator failed: ${stderr || err.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as LoadResult);
    });
  });
}

/** wrk takes method, headers and body from a Lua script; its summary lines give the counts. */
function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'request.lua');
  const lines = [`wrk.method = ${JSON.stringify(spec.method)}`];
  for (const [k, v] of Object.entries(spec.headers ?? {})) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  if (spec.body !== undefined) lines.push(`wrk.body = ${JSON.stringify(spec.body)}`);
  writeFileSync(script, `${lines.join('\n')}\n`);
  const wrk = (seconds: number) => new Promise<string>((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${spec.connections}`, `-d${seconds}s`, '-s', script, spec.url], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)));
  });
  const run = async (): Promise<LoadResult> => {
    const out = await wrk(spec.seconds);
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
    const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(out);
    if (!m) throw new Error(`unreadable wrk output: ${out}`);
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return {
      requests: Number(m[1]),
      seconds: Number(m[2]) / (m[3] === 'ms' ? 1000 : 1),
      non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
      errors: socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    };
  };
  return run().finally(() => rmSync(dir, { recursive: true, force: true }));
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export interface Figures {
  /** Median rate and median CPU per request over the rounds. */
  rate: number;
  cpuMicros: number;
  rates: number[];
}

const figures = (ms: Measurement[]): Figures => ({ rate: median(ms.map((m) => m.rate)), cpuMicros: median(ms.map((m) => m.cpuMicros)), rates: ms.map((m) => m.rate) });

/** Medians of `rounds` alternating runs (a, b, a, b, …) so background load on a shared machine hits both alike. */
export async function compareRounds(a: LoadSpec, b: LoadSpec, rounds: number, generator: GeneratorName): Promise<{ a: Figures; b: Figures }> {
  const aRuns: Measurement[] = [], bRuns: Measurement[] = [];
  for (let i = 0; i < rounds; i++) {
    aRuns.push(await measure(a, generator));
    bRuns.push(await measure(b, generator));
  }
  return { a: figures(aRuns), b: figures(bRuns) };
}
