/**
 * `npm run fuzz -- [--surface NAME[,NAME…]] [--count N] [--seed S] [--concurrency C] [--case N] [--list]`
 *
 * Starts the stack as `npm start` does (own process, free ports, fresh state), then throws seeded malformed HTTP at
 * every surface over raw sockets and prints, per surface, requests, answers by status class, requests left
 * unanswered, 5xx with examples, error answers outside the promised shape, deaths and p99. Exit code 1 when any
 * target is missed (a death, a 5xx, an off-shape error, a request forwarded where nothing may go). `--case N`
 * rebuilds one case of one surface and shows its bytes and the answer.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { exchange } from './lib/fuzz/client.ts';
import { makeCase } from './lib/fuzz/generator.ts';
import { runCampaign, withFuzzTarget } from './lib/fuzz/campaign.ts';
import { endpointOf } from './lib/fuzz/surfaces.ts';

const USAGE = 'usage: npm run fuzz -- [--surface NAME[,NAME…]] [--count N] [--seed S] [--concurrency C] [--case N] [--list]';

const { values } = parseArgs({
  options: {
    surface: { type: 'string', multiple: true },
    count: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    case: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
  strict: true,
});

const count = Number(values.count);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error(USAGE);
  process.exit(2);
}
const seed = values.seed ?? randomBytes(4).toString('hex');
const wanted = values.surface?.flatMap((s) => s.split(',')) ?? [];

const t0 = performance.now();
process.stderr.write('fuzz: starting the stack…\n');
const exitCode = await withFuzzTarget(async (target, surfaces, ctx, creds) => {
  const unknown = wanted.filter((w) => !surfaces.some((s) => s.name === w));
  if (values.list || unknown.length) {
    if (unknown.length) console.error(`unknown surface(s): ${unknown.join(', ')}`);
    console.log(surfaces.map((s) => s.name).join('\n'));
    return unknown.length ? 2 : 0;
  }
  if (values.case !== undefined) {
    if (wanted.length !== 1) throw new Error('--case needs exactly one --surface');
    const surface = surfaces.find((s) => s.name === wanted[0])!;
    const c = await makeCase(surface, seed, Number(values.case), ctx);
    const bytes = c.request.bytes;
    const headEnd = bytes.indexOf('\r\n\r\n');
    const part = (b: Buffer) => JSON.stringify(b.subarray(0, 2048).toString('latin1')) + (b.length > 2048 ? ` … (${b.length} bytes)` : '');
    console.log(`${c.surface}#${c.index} seed ${seed} ${c.signed ? 'signed ' : ''}[${c.mutations.join(', ') || 'template'}]${c.request.hangUpAfter !== undefined ? ` hang up after ${c.request.hangUpAfter} bytes` : ''}`);
    console.log(`head: ${part(headEnd < 0 ? bytes : bytes.subarray(0, headEnd))}`);
    if (headEnd >= 0) console.log(`body: ${part(bytes.subarray(headEnd + 4))}`);
    const o = await exchange(endpointOf(surface.url), c.request, 30_000);
    console.log(o.kind === 'answer' ? `→ ${o.status} ${JSON.stringify(o.headers)}\n${o.body.toString('utf8').slice(0, 2000)}` : `→ no answer (${o.reason})`);
    return 0;
  }
  const started = performance.now();
  const command = `npm run fuzz -- --count ${count} --seed ${seed}${wanted.length ? ` --surface ${wanted.join(',')}` : ''} --concurrency ${concurrency}`;
  const r = await runCampaign(target, surfaces, ctx, creds, {
    count, seed, concurrency, surfaces: wanted,
    onProgress: (name, done) => process.stderr.write(`fuzz: ${name} ${done}/${count}\n`),
  }, command);
  const total = r.results.reduce((n, x) => n + x.requests, 0);
  const seconds = (performance.now() - started) / 1000;
  console.log(`${r.report}\n\n${total} requests in ${seconds.toFixed(0)} s (${(total / seconds).toFixed(0)}/s; stack start and set-up ${((started - t0) / 1000).toFixed(0)} s)`);
  if (r.output.length) console.log(`\n--- the stack's last output ---\n${r.output.join('\n')}`);
  console.log(r.verdict.ok ? '\nall targets met: 0 deaths, 0 5xx, 0 off-shape errors, nothing forwarded elsewhere' : `\nTARGETS MISSED:\n  ${r.verdict.failures.join('\n  ')}`);
  return r.verdict.ok ? 0 : 1;
});
process.exit(exitCode);
