/**
 * `npm run bench:replay [-- --entries 20000 --users 200 --concurrency 64]`: generates a HAR of Customer.io traffic
 * (signed-in events, identifies, anonymous events, refused spoofs) and replays it against the local stack with the
 * diff on, printing entries/s. The stack runs in a child process (as `npm start` would), so the replayer and the
 * stack each have a core, as they would on a 2-core CI runner. Two more runs put the figure in context: the same HAR
 * against the architecture's floor (the stack's three HTTP hops, JWT check, RSA signature and its verification on
 * bare node:http — scripts/lib/bench/replay-floor.ts), the most any implementation of this stack could reach on the
 * machine; and against a minimal responder giving the stack's answers, the replay engine's own rate.
 */
import { spawn } from 'node:child_process';
import { Session } from 'node:inspector';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localCredentials } from './lib/replay/credentials.ts';
import { parseHar } from './lib/replay/har.ts';
import { IdentityMap } from './lib/replay/identity.ts';
import { Redactor } from './lib/replay/redaction.ts';
import { loadCompareRules } from './lib/replay/rules.ts';
import { replay } from './lib/replay/runner.ts';
import { seededEmails, seededSecretValues } from './lib/replay/seeds.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const json = (v: unknown) => ({ mimeType: 'application/json', text: JSON.stringify(v) });
const ok = { status: 200, headers: [{ name: 'content-type', value: 'application/json; charset=utf-8' }], content: json({}) };

/** A recorded-looking entry per request: placeholders for users, redacted JWTs, the answers the stack gives. */
function generate(entries: number, users: number, redact: Redactor): object {
  const out = [];
  const t0 = Date.parse('2025-06-01T10:00:00Z');
  for (let i = 0; i < entries; i++) {
    const user = redact.emailPlaceholder(`bench-${i % users}@example.test`);
    const other = redact.emailPlaceholder(`bench-${(i + 1) % users}@example.test`);
    const kind = i % 10;
    const auth = [{ name: 'authorization', value: 'Bearer [REDACTED]' }, { name: 'content-type', value: 'application/json' }];
    const base = { startedDateTime: new Date(t0 + i).toISOString(), _identity: kind === 9 ? undefined : user };
    const path = (who: string, rest: string) => `https://api.gatehouse.example/customers/${encodeURIComponent(who)}${rest}`;
    if (kind < 6) out.push({ ...base, request: { method: 'POST', url: path(user, '/events'), headers: auth, postData: json({ name: 'item_viewed', data: { n: i } }) }, response: ok });
    else if (kind < 8) out.push({ ...base, request: { method: 'PUT', url: path(user, '/attributes'), headers: auth, postData: json({ plan: 'pro' }) }, response: ok });
    else if (kind === 8) out.push({ ...base, request: { method: 'POST', url: path(other, '/events'), headers: auth, postData: json({ name: 'spoof' }) }, response: { status: 403, headers: ok.headers, content: json({ error: { code: 'identity_mismatch', message: 'an authorized user may only access their own profile' } }) } });
    else out.push({ ...base, request: { method: 'POST', url: 'https://api.gatehouse.example/events', headers: auth.slice(1), postData: json({ name: 'app_opened', anonymous_id: `device-${i % users}` }) }, response: ok });
  }
  return { log: { version: '1.2', creator: { name: 'gatehouse-bench' }, entries: out } };
}

async function bench(): Promise<void> {
  const entries = arg('entries', 20_000);
  const users = arg('users', 200);
  const concurrency = arg('concurrency', 64);
  const redact = new Redactor(undefined, seededSecretValues());
  const file = join(mkdtempSync(join(tmpdir(), 'bench-har-')), 'bench.har');
  writeFileSync(file, JSON.stringify(generate(entries, users, redact)));
  process.stdout.write(`generated ${entries} entries (${users} users) in ${file}\n`);
  const stack = await run('--serve', file, redact, concurrency);
  // --stack-only skips the two reference runs (profiling the stack); the figure that counts is the stack's.
  const only = process.argv.includes('--stack-only');
  const floor = only ? undefined : await run('--serve-floor', file, redact, concurrency);
  const engine = only ? undefined : await run('--serve-responder', file, redact, concurrency);
  const cpu = (r: RunResult) => `CPU per entry: server ${r.serverCpuMs.toFixed(2)} ms (event loop ${r.serverLoopMs.toFixed(2)} ms), replayer ${r.replayerCpuMs.toFixed(2)} ms`;
  process.stdout.write(`against the stack (gateway → proxy → fake Customer.io, diff on): ${stack.rate.toFixed(0)} entries/s in ${stack.seconds.toFixed(1)} s, ${stack.bad} differences; ${cpu(stack)}\n`);
  if (floor) process.stdout.write(`against the architecture's floor (3 bare node:http hops + RSA):  ${floor.rate.toFixed(0)} entries/s in ${floor.seconds.toFixed(1)} s, ${floor.bad} differences; ${cpu(floor)}\n`);
  if (engine) process.stdout.write(`replay engine alone (minimal responder, diff on):             ${engine.rate.toFixed(0)} entries/s in ${engine.seconds.toFixed(1)} s, ${engine.bad} differences; ${cpu(engine)}\n`);
  process.stdout.write(`${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  process.stdout.write(`command: npm run bench:replay -- --entries ${entries} --users ${users} --concurrency ${concurrency}\n`);
  process.exitCode = stack.bad || floor?.bad || engine?.bad ? 1 : 0;
}

interface RunResult {
  rate: number;
  seconds: number;
  bad: number;
  /** CPU milliseconds per entry spent by the server process and by this (replaying) process. */
  serverCpuMs: number;
  /** Of which on the server's event-loop thread (the rest is libuv's pool, e.g. the gateway's RSA signatures). */
  serverLoopMs: number;
  replayerCpuMs: number;
}

async function run(mode: string, file: string, redact: Redactor, concurrency: number): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = lineReader(child);
  const info = JSON.parse(await lines.next()) as { gateway: string; stateDir: string };
  // CPU time is what the machine's other load cannot distort: ask the child for its own before and after.
  const childCpu = async () => { child.stdin!.write('cpu\n'); return JSON.parse(await lines.next()) as { cpuMicros: number; loopMicros: number }; };
  try {
    // A stack pays PGlite's first start in the background; measure once it is quiet.
    if (mode === '--serve') await new Promise((r) => setTimeout(r, 8000));
    const parsed = parseHar(await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8')), 'bench.har');
    const [server0, self0] = [await childCpu(), process.cpuUsage()];
    const t0 = performance.now();
    const results = await replay(parsed, {
      target: info.gateway, concurrency, rules: loadCompareRules(), redact,
      identities: new IdentityMap(redact, seededEmails()), credentials: localCredentials({ stateDir: info.stateDir }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const server1 = await childCpu();
    const bad = results.filter((r) => r.verdict !== 'pass');
    if (bad.length) process.stdout.write(`${mode}: first difference #${bad[0].entry.index} ${bad[0].error ?? JSON.stringify(bad[0].diffs[0])}\n`);
    const perEntry = (micros: number) => micros / 1000 / results.length;
    return { rate: results.length / seconds, seconds, bad: bad.length, serverCpuMs: perEntry(server1.cpuMicros - server0.cpuMicros), serverLoopMs: perEntry(server1.loopMicros - server0.loopMicros), replayerCpuMs: perEntry(self.user + self.system) };
  } finally {
    child.stdin!.end();
  }
}

/** The child's stdout as a queue of lines. */
function lineReader(child: ReturnType<typeof spawn>): { next(): Promise<string> } {
  const ready: string[] = [];
  const waiting: { resolve(line: string): void; reject(e: Error): void }[] = [];
  let buf = '';
  child.stdout!.on('data', (c) => {
    buf += c;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w.resolve(line);
      else ready.push(line);
    }
  });
  child.on('exit', (code) => { for (const w of waiting.splice(0)) w.reject(new Error(`server exited with ${code}`)); });
  return {
    next: () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))),
  };
}

/**
 * Child side: answer each "cpu" line on stdin with the CPU time of this process and every process it started (the
 * stack's supervisor forks one process per service: the gateway, the proxy and the fakes do their work there);
 * exit when stdin closes. With BENCH_CPU_PROF=<dir>, the span between the first and second query (the replay) is
 * written there as a V8 CPU profile of this process (open it in Chrome DevTools).
 */
function serveCpuQueries(onEnd: () => void): void {
  const profile = process.env.BENCH_CPU_PROF ? cpuProfiler(process.env.BENCH_CPU_PROF) : undefined;
  let buf = '';
  let queries = 0;
  process.stdin.on('data', async (c) => {
    buf += c;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      buf = buf.slice(i + 1);
      const tree = processTreeCpuMicros(process.pid);
      const u = process.cpuUsage();
      if (profile) await (++queries === 1 ? profile.start() : profile.stop());
      // Without /proc (not Linux): this process alone.
      process.stdout.write(JSON.stringify(tree ?? { cpuMicros: u.user + u.system, loopMicros: NaN }) + '\n');
    }
  });
  process.stdin.on('end', onEnd);
}

/**
 * CPU of `root` and all its descendants (Linux /proc, clock ticks of 10 ms): in total, and on their main threads
 * alone (the event loops; the rest is libuv's pool, e.g. the gateway's RSA signatures). Undefined without /proc.
 */
function processTreeCpuMicros(root: number): { cpuMicros: number; loopMicros: number } | undefined {
  const stat = (path: string) => {
    try {
      const fields = readFileSync(path, 'utf8').split(') ')[1].split(' ');
      return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
    } catch {
      return undefined;
    }
  };
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const s = stat(`/proc/${pid}/stat`);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  let cpu = 0;
  let loop = 0;
  for (const queue = [root]; queue.length;) {
    const pid = queue.pop()!;
    cpu += stat(`/proc/${pid}/stat`)?.ticks ?? 0;
    loop += stat(`/proc/${pid}/task/${pid}/stat`)?.ticks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return { cpuMicros: cpu * 10_000, loopMicros: loop * 10_000 };
}

function cpuProfiler(dir: string): { start(): Promise<void>; stop(): Promise<void> } {
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (e, r) => (e ? reject(e) : resolve(r))));
  return {
    start: async () => { await post('Profiler.enable'); await post('Profiler.start'); },
    stop: async () => {
      const { profile } = await post('Profiler.stop') as { profile: object };
      writeFileSync(join(dir, `stack-${process.pid}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

if (process.argv.includes('--serve-floor')) {
  // Child: the architecture's floor, with a gateway key pair of its own (the replayer mints JWTs from the same dir).
  const { startFloorChain } = await import('./lib/bench/replay-floor.ts');
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const chain = await startFloorChain(join(stateDir, 'gateway'));
  process.stdout.write(JSON.stringify({ gateway: chain.url, stateDir }) + '\n');
  serveCpuQueries(() => void chain.close().then(() => process.exit(0)));
} else if (process.argv.includes('--serve-responder')) {
  // Child: answers as the stack does for this HAR (403 when the JWT's user is not the path's), at almost no cost.
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const jwt = String(req.headers.authorization ?? '').split('.')[1];
      const email = jwt ? JSON.parse(Buffer.from(jwt, 'base64url').toString()).email : undefined;
      const inPath = /^\/customers\/([^/]+)\//.exec(req.url ?? '')?.[1];
      const refused = email && inPath && decodeURIComponent(inPath) !== email;
      res.writeHead(refused ? 403 : 200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(refused ? JSON.stringify({ error: { code: 'identity_mismatch', message: 'an authorized user may only access their own profile' } }) : '{}');
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(JSON.stringify({ gateway: `http://127.0.0.1:${(server.address() as { port: number }).port}`, stateDir: mkdtempSync(join(tmpdir(), 'gatehouse-bench-')) }) + '\n');
  });
  serveCpuQueries(() => process.exit(0));
} else if (process.argv.includes('--serve')) {
  // Child: the stack on free ports, announced as one JSON line.
  const { startStack } = await import('../emulators/stack/index.ts');
  const { silentLogger } = await import('../proxy/core/log.ts');
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log: silentLogger() });
  process.stdout.write(JSON.stringify({ gateway: stack.gateway.url, stateDir }) + '\n');
  serveCpuQueries(() => void stack.close().then(() => process.exit(0)));
} else {
  await bench();
}
