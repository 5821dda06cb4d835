/**
 * Start-up and restart benchmark of the supervised stack (not a test).
 *   1. Ready time as a developer sees it: `node scripts/start.mjs` (compiled stack already cached) on free ports,
 *      `--starts` times: the first on an empty state folder (keys and certificates are made), the rest reusing it;
 *      the figure is the "ready N ms after the process started" line it prints.
 *   2. Restart time: in a stack started here, each service's process is `kill -9`ed `--kills` times; from the exit
 *      the supervisor saw to the first HTTP answer on the service's port, and to `up` (its wiring redone).
 *
 *   npm run bench:stack -- [--starts 5] [--kills 3]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PORTS } from '../emulators/stack/ports.ts';
import { startStack, type ServiceName, type Stack } from '../emulators/stack/index.ts';
import { compiledStack } from '../emulators/stack/compile.mjs';
import { silentLogger } from '../proxy/core/log.ts';

// The AWS SDK's Node-version warning would be printed by every proxy restart measured here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const arg = (name: string, d: number) => Number(process.argv[process.argv.indexOf(`--${name}`) + 1]) || d;
const starts = arg('starts', 5);
const kills = arg('kills', 3);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One `npm start` until its table is printed; the ready figure it prints. */
function readyOnce(stateDir: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEHOUSE_STATE_DIR: stateDir, LOG_LEVEL: 'warn' };
  for (const { env: name } of Object.values(PORTS)) env[name] = '0';
  delete env.VAULT_ADDR;
  delete env.AWS_ENDPOINT_URL;
  const child = spawn(process.execPath, ['scripts/start.mjs'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.on('exit', () => {
      const ms = /ready (\d+) ms after the process started/.exec(out)?.[1];
      if (ms) resolve(Number(ms));
      else reject(new Error(`npm start did not get ready:\n${out}`));
    });
    const timer = setInterval(() => {
      if (!out.includes('Stop: Ctrl-C')) return;
      clearInterval(timer);
      child.kill('SIGINT');
    }, 20);
  });
}

const answers = (url: string) => fetch(`${url}/__admin/health`, { signal: AbortSignal.timeout(1000) }).then((r) => r.arrayBuffer().then(() => true), () => false);

async function restartOnce(stack: Stack, name: ServiceName): Promise<{ answerMs: number; upMs: number }> {
  const before = stack.status().find((s) => s.name === name)!;
  const url = Object.values(before.urls)[0];
  process.kill(before.pid!, 'SIGKILL');
  let exitAt: number | undefined;
  let answeredAt: number | undefined;
  for (;;) {
    const now = stack.status().find((s) => s.name === name)!;
    if (exitAt === undefined && now.exits > before.exits) exitAt = Date.parse(now.lastExit!.at);
    if (exitAt !== undefined && answeredAt === undefined && (await answers(url))) answeredAt = Date.now();
    if (answeredAt !== undefined && now.state === 'up' && now.pid !== before.pid) return { answerMs: answeredAt - exitAt!, upMs: Date.now() - exitAt! };
    await new Promise((r) => setTimeout(r, 5));
  }
}

await compiledStack();
console.log(`cores ${cpus().length}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-stack-'));
const ready: number[] = [];
for (let i = 0; i < starts; i++) ready.push(await readyOnce(stateDir));
console.log(`\nnpm start, ready after (ms): first (empty state folder) ${ready[0]}; then ${ready.slice(1).join(', ')} — median ${median(ready.slice(1))}`);

const benchDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-stack-'));
// Restarts spaced out so the back-off never applies: every restart here is a first one.
const stack = await startStack({ env: { GATEHOUSE_STATE_DIR: benchDir }, ephemeral: true, stateDir: benchDir, log: silentLogger(), restartPolicy: { resetAfterMs: 0 } });
console.log(`\nkill -9, ${kills} times per service: from the exit to the first answer on its port, and to up (wiring redone), ms`);
console.log('service      answer (median / max)   up (median / max)');
try {
  for (const s of stack.status()) {
    const samples: { answerMs: number; upMs: number }[] = [];
    for (let i = 0; i < kills; i++) samples.push(await restartOnce(stack, s.name as ServiceName));
    const a = samples.map((x) => x.answerMs);
    const u = samples.map((x) => x.upMs);
    console.log(`${s.name.padEnd(12)} ${`${median(a)} / ${Math.max(...a)}`.padEnd(23)} ${median(u)} / ${Math.max(...u)}`);
  }
} finally {
  await stack.close();
}
console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
