/**
 * Cold-start benchmark of the Lambda bundles (not a test). Builds every function, then cold-starts each one N
 * times the way Lambda does: a fresh plain `node` process (no tsx, no warm module cache) imports the bundle's
 * index.mjs and invokes its handler once with an HTTP API v2 event. Init Duration = import + the first invocation,
 * where the app is built (secrets from the fake Vault, config, AWS clients). The functions talk to the local
 * stack's fakes, started on free ports in this process.
 *
 *   npx tsx scripts/bench-cold-start.ts [--runs 5]
 */
import { execFile } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundleAll } from './lib/bundle/index.ts';
import { toV2Event } from '../emulators/apigw/index.ts';
import { startStack } from '../emulators/stack/index.ts';
import { silentLogger } from '../proxy/core/log.ts';

const run = promisify(execFile);
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
// The first request each function gets: one it answers itself, so the figure is init, not an upstream's latency.
const PROBE: Record<string, { method: string; path: string }> = {
  customerio: { method: 'POST', path: '/events' },
  cards: { method: 'GET', path: '/openapi.json' },
  mail: { method: 'GET', path: '/reports' },
  packages: { method: 'GET', path: '/packages/presign/s3' },
};

// Runs in the child: import, invoke once, report both times.
const CHILD = `
const [url, event] = [process.argv[1], JSON.parse(process.argv[2])];
const t0 = performance.now();
const { handler } = await import(url);
const t1 = performance.now();
const res = await handler(event, { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 3000 });
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, status: res.statusCode }));
process.exit(0);`;

const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-cold-'));
const { bundles } = await bundleAll({ outDir });
const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-cold-state-'));
const stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log: silentLogger() });
const env = { ...process.env, ...stack.proxyEnv, LOG_LEVEL: 'warn', AWS_LAMBDA_FUNCTION_NAME: undefined } as NodeJS.ProcessEnv;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`cores ${cpus().length}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, ${runs} cold starts each, node ${process.version}`);
console.log('function        zip KB   init ms (median)   import ms   first invoke ms   status   runs (init ms)');
try {
  for (const b of bundles) {
    const probe = PROBE[b.name];
    if (!probe) continue; // the restore worker is driven by SQS batches, not HTTP
    const event = toV2Event({ method: probe.method, path: probe.path, headers: { host: 'bench.local' } });
    const samples: { importMs: number; invokeMs: number; status: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(b.mjsPath).href, JSON.stringify(event)], { env });
      samples.push(JSON.parse(stdout.trim().split('\n').pop()!));
    }
    const inits = samples.map((s) => s.importMs + s.invokeMs);
    console.log(`${b.name.padEnd(14)} ${(b.zipBytes / 1024).toFixed(1).padStart(7)}   ${median(inits).toFixed(0).padStart(16)}   ${median(samples.map((s) => s.importMs)).toFixed(0).padStart(9)}   ${median(samples.map((s) => s.invokeMs)).toFixed(0).padStart(15)}   ${String(samples[0].status).padStart(6)}   ${inits.map((x) => x.toFixed(0)).join(' ')}`);
  }
} finally {
  await stack.close();
}
console.log(`\ncommand: npx tsx scripts/bench-cold-start.ts --runs ${runs}`);
process.exit(0);
