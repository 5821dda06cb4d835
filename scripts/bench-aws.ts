/**
 * Loopback benchmark (not a test), issue 3 part 9: GET-object throughput of our S3 (through the edge) vs s3rver
 * (and moto_server when on PATH), and DynamoDB GetItem through the edge vs dynalite listening directly.
 * The servers run in this process, one at a time; load comes from a separate process (autocannon, or wrk with
 * BENCH_GENERATOR=wrk) over keep-alive sockets at fixed concurrency for a bounded time after a warm-up, in
 * alternating rounds whose medians are compared. Prints cores, load average, the figures, ratios and the command.
 *   npm run bench:aws -- [--seconds=3] [--connections=16] [--rounds=3] [--object-bytes=4096]
 * Targets: S3 through the edge ≥ 10× s3rver; the edge adds ≤ 10 % to DynamoDB GetItem.
 */
import http from 'node:http';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { startAwsEdge } from '../emulators/aws/edge.ts';
import { chooseGenerator, compareRounds, measure, type Figures, type GeneratorName, type LoadSpec } from './lib/bench/load.ts';
import { OBJECT_BYTES, REGION, getItemTarget, s3ObjectTarget, seedTable, startMoto, type Target } from './lib/bench/targets.ts';

const require = createRequire(import.meta.url);
const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' }, 'object-bytes': { type: 'string', default: String(OBJECT_BYTES) } } });
const SECONDS = Number(args.seconds);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Math.max(1, Number(args.rounds));
const OBJECT_SIZE = Number(args['object-bytes']);

const spec = (t: Target): LoadSpec => ({ ...t, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: 1 });
const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
/** "12,345 req/s [rounds…] 78 µs CPU/req": the CPU figure is this process's, i.e. the server's, per request. */
const show = (f: Figures) => `${fmt(f.rate)} [${f.rates.map((x) => Math.round(x)).join(', ')}] ${f.cpuMicros.toFixed(0)} µs CPU/req`;
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function s3Figures(edgeUrl: string, s3rverUrl: string, generator: GeneratorName): Promise<number> {
  const ours = await s3ObjectTarget(edgeUrl, { accessKeyId: 'test', secretAccessKey: 'test' }, OBJECT_SIZE);
  const theirs = await s3ObjectTarget(s3rverUrl, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, OBJECT_SIZE);
  const r = await compareRounds(spec(ours), spec(theirs), ROUNDS, generator);
  console.log(`S3 GetObject        edge ${show(r.a)}   s3rver ${show(r.b)}`);
  console.log(`                    throughput ratio ${(r.a.rate / r.b.rate).toFixed(1)}× (target ≥ 10×), CPU-per-request ratio ${(r.b.cpuMicros / r.a.cpuMicros).toFixed(1)}×`);
  return r.a.rate;
}

async function motoFigure(edgeRate: number, generator: GeneratorName): Promise<void> {
  // Werkzeug answers "Connection: close" to every request; autocannon then spends its time reconnecting (~5 req/s).
  if (generator !== 'wrk') return console.log('S3 GetObject        moto_server skipped: it closes every connection, which only wrk measures fairly (BENCH_GENERATOR=wrk)');
  const moto = await startMoto();
  if (typeof moto === 'string') return console.log(`S3 GetObject        moto_server skipped: ${moto}`);
  try {
    // moto_server is another process: only its rate is comparable here, not this process's CPU time.
    const { rate } = await measure(spec(await s3ObjectTarget(moto.endpoint, { accessKeyId: 'test', secretAccessKey: 'test' }, OBJECT_SIZE)), generator);
    console.log(`S3 GetObject        moto_server ${fmt(rate)}   edge/moto ${(edgeRate / rate).toFixed(1)}×`);
  } finally {
    moto.proc.kill();
  }
}

async function dynamoFigures(edgeUrl: string, dynaliteUrl: string, generator: GeneratorName): Promise<void> {
  await seedTable(edgeUrl);
  await seedTable(dynaliteUrl);
  const r = await compareRounds(spec(await getItemTarget(edgeUrl)), spec(await getItemTarget(dynaliteUrl)), ROUNDS, generator);
  // Overhead as extra time per request: direct rate / edge rate − 1 (and the same from CPU time per request).
  const overhead = (r.b.rate / r.a.rate - 1) * 100;
  const cpuOverhead = (r.a.cpuMicros / r.b.cpuMicros - 1) * 100;
  console.log(`DynamoDB GetItem    edge ${show(r.a)}   dynalite direct ${show(r.b)}`);
  console.log(`                    edge overhead ${overhead.toFixed(1)} % by throughput (target ≤ 10 %), ${cpuOverhead.toFixed(1)} % by CPU per request`);
}

async function main(): Promise<void> {
  const generator = chooseGenerator();
  console.log(`command: npm run bench:aws -- --seconds=${SECONDS} --connections=${CONNECTIONS} --rounds=${ROUNDS} --object-bytes=${OBJECT_SIZE}${process.env.BENCH_GENERATOR ? `   (BENCH_GENERATOR=${process.env.BENCH_GENERATOR})` : ''}`);
  console.log(`machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown cpu'}), load average ${load()}, node ${process.version}`);
  console.log(`load: ${generator} in a child process, ${CONNECTIONS} keep-alive connections, 1 s warm-up + ${SECONDS} s per round, median of ${ROUNDS} alternating rounds; ${OBJECT_SIZE}-byte object`);
  const edge = await startAwsEdge({ port: 0, region: REGION, credentials: { test: 'test' } });
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-s3rver-'));
  const S3rver = require('s3rver') as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const dynalite = (require('dynalite') as (o: object) => http.Server)({ createTableMs: 0 });
  try {
    const { port: s3rverPort } = await s3rver.run();
    await new Promise<void>((r) => dynalite.listen(0, '127.0.0.1', () => r()));
    const dynaliteUrl = `http://127.0.0.1:${(dynalite.address() as { port: number }).port}`;
    const edgeRate = await s3Figures(edge.url, `http://127.0.0.1:${s3rverPort}`, generator);
    await motoFigure(edgeRate, generator);
    await dynamoFigures(edge.url, dynaliteUrl, generator);
    console.log(`load average after: ${load()}`);
  } finally {
    await edge.close();
    await s3rver.close().catch(() => {});
    dynalite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
