/**
 * `npm start`: the whole stack on its default ports — a supervisor and one process per service, a crashed one
 * restarted alone — a table of what runs where, clean stop on Ctrl-C.
 */
import { performance } from 'node:perf_hooks';
import { startStack } from '../emulators/stack/index.ts';

const t0 = performance.now();
const stack = await startStack().catch((e: Error) => {
  console.error(`gatehouse: could not start the stack: ${e.message}`);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error('A port is taken: stop the other process or set the port\'s variable (see README).');
  process.exit(1);
});
const ms = Math.round(performance.now() - t0);

const width = Math.max(...stack.services.map((s) => s.name.length));
const urlWidth = Math.max(...stack.services.map((s) => s.url.length));
const t = stack.timings;
console.log(`\nGatehouse local stack — ready ${Math.round(process.uptime() * 1000)} ms after the process started (stack ${ms} ms: listen ${t.listen}, seed ${t.seed}, build ${t.build})\n`);
for (const s of stack.services) console.log(`  ${s.name.padEnd(width)}  ${s.url.padEnd(urlWidth)}  ${s.note}`);
console.log(`\n  Each service runs in a process of its own: one that dies is restarted alone (JSON lines above tell when).`);
console.log(`\nTry:  curl -s -X POST ${stack.urls.gateway}/events -H 'content-type: application/json' -d '{"name":"app_opened","anonymous_id":"device-1"}'`);
console.log('Stop: Ctrl-C\n');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) process.exit(1);
  stopping = true;
  console.log(`\n${signal}: stopping…`);
  await stack.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
