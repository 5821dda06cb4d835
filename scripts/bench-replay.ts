/**
 * `npm run bench:replay [-- --entries 20000 --users 200 --concurrency 64]`: generates a HAR of Customer.io traffic
 * (signed-in events, identifies, anonymous events, refused spoofs) and replays it against the local stack with the
 * diff on, printing entries/s. The stack runs in a child process (as `npm start` would), so the replayer and the
 * stack each have a core, as they would on a 2-core CI runner. A second run replays the same HAR against a minimal
 * responder giving the stack's answers, so the replay engine's own rate is known apart from the stack's.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  // --stack-only skips the engine-alone run (profiling the stack); the figure that counts is the stack's.
  const engine = process.argv.includes('--stack-only') ? { rate: 0, seconds: 0, bad: 0 } : await run('--serve-responder', file, redact, concurrency);
  process.stdout.write(`against the stack (gateway → proxy → fake Customer.io, diff on): ${stack.rate.toFixed(0)} entries/s in ${stack.seconds.toFixed(1)} s, ${stack.bad} differences\n`);
  process.stdout.write(`replay engine alone (minimal responder, diff on):             ${engine.rate.toFixed(0)} entries/s in ${engine.seconds.toFixed(1)} s, ${engine.bad} differences\n`);
  process.stdout.write(`command: npm run bench:replay -- --entries ${entries} --users ${users} --concurrency ${concurrency}\n`);
  process.exitCode = stack.bad || engine.bad ? 1 : 0;
}

async function run(mode: string, file: string, redact: Redactor, concurrency: number): Promise<{ rate: number; seconds: number; bad: number }> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the stack process there (open it in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', fileURLToPath(import.meta.url), mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const info = await new Promise<{ gateway: string; stateDir: string }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c) => { buf += c; if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0])); });
    child.on('exit', (code) => reject(new Error(`stack exited with ${code}`)));
  });
  try {
    // A stack pays PGlite's first start in the background; measure once it is quiet.
    if (mode === '--serve') await new Promise((r) => setTimeout(r, 8000));
    const parsed = parseHar(await import('node:fs').then((fs) => fs.readFileSync(file, 'utf8')), 'bench.har');
    const t0 = performance.now();
    const results = await replay(parsed, {
      target: info.gateway, concurrency, rules: loadCompareRules(), redact,
      identities: new IdentityMap(redact, seededEmails()), credentials: localCredentials({ stateDir: info.stateDir }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const bad = results.filter((r) => r.verdict !== 'pass');
    if (bad.length) process.stdout.write(`${mode}: first difference #${bad[0].entry.index} ${bad[0].error ?? JSON.stringify(bad[0].diffs[0])}\n`);
    return { rate: results.length / seconds, seconds, bad: bad.length };
  } finally {
    child.stdin!.end();
  }
}

if (process.argv.includes('--serve-responder')) {
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
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
} else if (process.argv.includes('--serve')) {
  // Child: the stack on free ports, announced as one JSON line.
  const { startStack } = await import('../emulators/stack/index.ts');
  const { silentLogger } = await import('../proxy/core/log.ts');
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log: silentLogger() });
  process.stdout.write(JSON.stringify({ gateway: stack.gateway.url, stateDir }) + '\n');
  process.stdin.on('end', () => stack.close().then(() => process.exit(0)));
  process.stdin.resume();
} else {
  await bench();
}
