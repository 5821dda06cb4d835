/**
 * A service's process: `node service.mjs <name>`, forked by the supervisor with an IPC channel. It loads its
 * service's code at once (while the supervisor waits for the services it depends on), starts it when told, and
 * reports where it listens. An uncaught error ends the process, as a crash would: the supervisor restarts it.
 * It ignores Ctrl-C (the terminal sends SIGINT to the whole process group; the supervisor decides the order of
 * stopping) and exits when the supervisor goes away, so it never outlives it holding ports.
 */
import { Pending, toWireError, type ToChild, type ToParent } from './ipc.ts';
import { serviceNamed, type ParentLink, type Running } from './services.ts';
import { reportErrorsTo } from '../shared/http-guard.ts';

const spec = serviceNamed(process.argv[2] ?? '');
if (!spec || !process.send) {
  console.error(`service-main: unknown service "${process.argv[2]}" or no IPC channel (the supervisor forks this file)`);
  process.exit(2);
}

const send = (m: ToParent, done?: () => void): void => {
  if (!process.connected) return done?.();
  try {
    process.send!(m, undefined, undefined, done);
  } catch {
    // Something that cannot be cloned (a function deep in a log field): send what JSON keeps of it.
    process.send!(JSON.parse(JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))), undefined, undefined, done);
  }
};

const pending = new Pending();
const parent: ParentLink = {
  emit: (kind, data) => send({ t: 'event', kind, data }),
  ask: (what, args) => {
    const { id, answer } = pending.open();
    send({ t: 'ask', id, what, args });
    return answer;
  },
};

// A request a server here failed on unexpectedly is logged where the stack logs (http-guard.ts), not lost on stderr.
reportErrorsTo((msg, fields) => parent.emit('log', { level: 'error', msg, fields }));
const loading = spec.load();
loading.catch(() => {}); // reported when `start` arrives
let running: Running | undefined;
let stopping = false;

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  // A close that hangs must not keep the ports: give it 2 s.
  setTimeout(() => process.exit(0), 2000).unref();
  await running?.close().catch(() => {});
  process.exit(0);
}

async function start(config: unknown): Promise<void> {
  try {
    running = await (await loading)(config, parent);
    send({ t: 'ready', report: running.report });
  } catch (e) {
    send({ t: 'failed', error: toWireError(e) }, () => process.exit(1));
  }
}

async function call(id: number, method: string, args: unknown): Promise<void> {
  const fn = running?.methods?.[method];
  try {
    if (!fn) throw new Error(`${spec!.name} has no method ${method}`);
    send({ t: 'reply', id, value: await fn(args) });
  } catch (e) {
    send({ t: 'reply', id, error: toWireError(e) });
  }
}

process.on('message', (m: ToChild) => {
  if (m.t === 'start') void start(m.config);
  else if (m.t === 'call') void call(m.id, m.method, m.args);
  else if (m.t === 'answer') pending.settle(m.id, m.value, m.error);
  else if (m.t === 'ping') send({ t: 'pong' });
  else if (m.t === 'stop') void stop();
});
process.on('SIGINT', () => {});
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
// Started with its config (known when the supervisor forked it), or told it once the services it needs are up.
const inline = process.env.GATEHOUSE_SERVICE_CONFIG;
delete process.env.GATEHOUSE_SERVICE_CONFIG;
if (inline !== undefined) void start(JSON.parse(inline));
send({ t: 'hello' });
