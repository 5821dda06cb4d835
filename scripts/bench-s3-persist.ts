/**
 * Persistence benchmark (not a test), issue 13 finding 5: what a write costs with AWS_PERSIST_DIR when the bucket
 * already holds many objects, and what starting on a large directory costs in time and memory.
 *   npm run bench:s3-persist -- [--objects=30000] [--puts=300] [--concurrency=16] [--big-gib=2] [--big-files=8]
 * 1. Seeds a bucket of `objects` 1 KiB objects in the earlier on-disk layout (one manifest plus a file per body;
 *    the current code migrates it on first start by renaming files), starts the server in a child process, then
 *    times `puts` sequential PUTs of 1 KiB (p50/p99) and the same number from `concurrency` clients.
 * 2. Starts a server on a directory holding `big-gib` GiB of bodies in `big-files` sparse files: start-up time and
 *    peak RSS (VmHWM); the run gives up after 120 s.
 * Prints the machine, load average, the figures and the command. The same script ran at the commit before the
 * journal gives the "before" figures in README.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';

const { values: args } = parseArgs({ options: {
  objects: { type: 'string', default: '30000' }, puts: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '16' },
  'big-gib': { type: 'string', default: '2' }, 'big-files': { type: 'string', default: '8' },
} });
const OBJECTS = Number(args.objects);
const PUTS = Number(args.puts);
const CONCURRENCY = Number(args.concurrency);
const BIG_GIB = Number(args['big-gib']);
const BIG_FILES = Number(args['big-files']);
const SERVER = fileURLToPath(new URL('./lib/bench/s3-persist-server.ts', import.meta.url));
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/** A directory in the earlier layout: buckets/<name>/manifest.json and blobs/<id> (what both versions can read). */
function seedManifestLayout(dir: string, count: number, size: (i: number) => number, sparse: boolean): void {
  const root = path.join(dir, 'buckets', 'bench');
  fs.mkdirSync(path.join(root, 'blobs'), { recursive: true });
  const versions = [];
  const body = Buffer.alloc(1024, 'x');
  const etag = `"${createHash('md5').update(body).digest('hex')}"`;
  for (let i = 0; i < count; i++) {
    const id = `B${String(i).padStart(8, '0')}`;
    const file = path.join(root, 'blobs', id);
    if (sparse) {
      fs.closeSync(fs.openSync(file, 'w'));
      fs.truncateSync(file, size(i));
    } else fs.writeFileSync(file, body);
    versions.push({ id, key: `seed/${String(i).padStart(8, '0')}`, versionId: 'null', deleteMarker: false, lastModified: Date.now(), etag, headers: { contentType: 'binary/octet-stream' }, metadata: {} });
  }
  fs.writeFileSync(path.join(root, 'manifest.json'), JSON.stringify({ name: 'bench', region: 'us-east-1', created: Date.now(), versioning: 'Unversioned', versions }));
}

interface Started { child: ChildProcess; url: string; ms: number }

async function startServer(dir: string, timeoutMs = 120_000): Promise<Started | string> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const line = await new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    readline.createInterface({ input: child.stdout! }).once('line', (l) => (clearTimeout(timer), resolve(l)));
    child.once('exit', (code, signal) => (clearTimeout(timer), resolve(`exited ${signal ?? code}`)));
  });
  if (!line.startsWith('ready ')) {
    const peak = peakRss(child);
    child.kill('SIGKILL');
    return `${line} after ${((performance.now() - t0) / 1000).toFixed(1)} s (peak RSS ${peak})`;
  }
  return { child, url: line.slice(6), ms: performance.now() - t0 };
}

/** Peak resident memory of a process (VmHWM), in MiB. */
function peakRss(child: ChildProcess): string {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]);
    return `${(kb / 1024).toFixed(0)} MiB`;
  } catch {
    return 'unknown';
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function putLatency(url: string): Promise<string> {
  const s3 = new S3Client({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
  const body = Buffer.alloc(1024, 'y');
  try {
    for (let i = 0; i < 20; i++) await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `warm/${i}`, Body: body }));
    const times: number[] = [];
    for (let i = 0; i < PUTS; i++) {
      const t = performance.now();
      // Half new keys, half overwrites of seeded ones (the overwrite is what lost bodies before).
      await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: i % 2 ? `new/${i}` : `seed/${String(i).padStart(8, '0')}`, Body: body }));
      times.push(performance.now() - t);
    }
    const t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < PUTS) await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: `conc/${next++}`, Body: body }));
    }));
    const rate = PUTS / ((performance.now() - t) / 1000);
    return `sequential p50 ${pct(times, 50).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms; ${CONCURRENCY} clients ${rate.toFixed(0)} PUT/s`;
  } finally {
    s3.destroy();
  }
}

async function main(): Promise<void> {
  console.log(`command: npm run bench:s3-persist -- --objects=${OBJECTS} --puts=${PUTS} --concurrency=${CONCURRENCY} --big-gib=${BIG_GIB} --big-files=${BIG_FILES}`);
  console.log(`machine: ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${load()}, node ${process.version}`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-s3-persist-'));
  try {
    const many = path.join(base, 'many');
    seedManifestLayout(many, OBJECTS, () => 1024, false);
    const first = await startServer(many);
    if (typeof first === 'string') throw new Error(`server on ${OBJECTS} objects: ${first}`);
    console.log(`${OBJECTS} objects   first start ${first.ms.toFixed(0)} ms, peak RSS ${peakRss(first.child)}`);
    console.log(`${OBJECTS} objects   PUT 1 KiB: ${await putLatency(first.url)}`);
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const again = await startServer(many);
    if (typeof again !== 'string') {
      console.log(`${OBJECTS + 2 * PUTS} objects   restart ${again.ms.toFixed(0)} ms, peak RSS ${peakRss(again.child)}`);
      again.child.kill('SIGTERM');
    } else console.log(`restart: ${again}`);

    const big = path.join(base, 'big');
    const each = Math.floor((BIG_GIB * 2 ** 30) / BIG_FILES);
    seedManifestLayout(big, BIG_FILES, () => each, true);
    const started = await startServer(big);
    if (typeof started === 'string') console.log(`${BIG_GIB} GiB in ${BIG_FILES} bodies   not ready: ${started}`);
    else {
      console.log(`${BIG_GIB} GiB in ${BIG_FILES} bodies   start ${started.ms.toFixed(0)} ms, peak RSS ${peakRss(started.child)}`);
      started.child.kill('SIGTERM');
    }
    console.log(`load average after: ${load()}`);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

await main();
