/**
 * The stack under fuzz, started as `npm start` would start it — its own process, free ports, a fresh state
 * directory — so a crash is seen as what it is (a process that exits) instead of taking the fuzzer with it.
 * Deaths are counted two ways: the stack's process exiting, and a server that stops answering a health probe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PORTS } from '../../../emulators/stack/ports.ts';
import { exchange } from './client.ts';
import { endpointOf, type StackUrls } from './surfaces.ts';

export interface Death {
  server: string;
  /** What was seen: the process exit code/signal, or a probe that got no answer. */
  how: string;
  /** Surface and case running when it was noticed. */
  during?: string;
}

export interface Target {
  urls: StackUrls;
  stateDir: string;
  deaths: Death[];
  /** Probe every server; record (and return) the ones that did not answer. */
  probe(during: string): Promise<string[]>;
  /** Whether the stack's process is still running. */
  alive(): boolean;
  /** Lines the stack wrote on stderr that report a handler error caught by the guard. */
  handlerErrors: string[];
  /** The stack's last lines of output (for a death's report). */
  output(): string[];
  close(): Promise<void>;
}

const START = fileURLToPath(new URL('../../start.mjs', import.meta.url));
/** Where each server answers a cheap request; any HTTP answer means it is up. */
const PROBES: Record<string, string> = { proxy: '/__fuzz_probe__', aws: '/_localstack/health' };

export async function launchStack(opts: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<Target> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-'));
  const ports = Object.fromEntries(Object.values(PORTS).map((p) => [p.env, '0']));
  const child = spawn(process.execPath, [START], {
    env: { ...process.env, ...ports, GATEHOUSE_STATE_DIR: stateDir, LOG_LEVEL: 'error', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Never leave the stack behind, however the fuzzer ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const deaths: Death[] = [];
  const handlerErrors: string[] = [];
  const tail: string[] = [];
  let exited: string | undefined;
  let current = 'start-up';
  child.on('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!closing) deaths.push({ server: 'stack process', how: `exited (${exited})`, during: current });
  });
  let closing = false;
  const remember = (line: string) => {
    tail.push(line);
    if (tail.length > 200) tail.shift();
    if (/unhandled error/.test(line)) handlerErrors.push(line.slice(0, 500));
  };
  lines(child.stderr!, remember);
  const urls = await readTable(child, lines, remember, opts.readyTimeoutMs ?? 120_000).catch((e: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n--- stack output (last lines) ---\n${tail.join('\n')}`);
  });

  const servers = Object.entries(urls).filter(([name]) => name !== 'restore-worker');
  return {
    urls: urls as unknown as StackUrls,
    stateDir,
    deaths,
    handlerErrors,
    alive: () => exited === undefined,
    output: () => [...tail],
    async probe(during) {
      current = during;
      const down: string[] = [];
      await Promise.all(servers.map(async ([name, url]) => {
        const path = PROBES[name] ?? '/__admin/health';
        for (let attempt = 0; attempt < 3; attempt++) {
          const o = await exchange(endpointOf(url), { bytes: Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`) }, 5000);
          if (o.kind === 'answer') return;
          await new Promise((r) => setTimeout(r, 500));
        }
        down.push(name);
        deaths.push({ server: name, how: 'stopped answering health probes', during });
      }));
      return down;
    },
    async close() {
      closing = true;
      process.off('exit', killOnExit);
      if (exited === undefined) {
        child.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => (child.kill('SIGKILL'), r()), 10_000);
          child.once('exit', () => (clearTimeout(t), r()));
        });
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    if (buf.length > 1 << 20) buf = '';
  });
}

/** The service table `npm start` prints: "  <name>  <url>  <note>", complete at "Stop: Ctrl-C". */
function readTable(child: ChildProcess, split: typeof lines, remember: (l: string) => void, timeoutMs: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const urls: Record<string, string> = {};
    const timer = setTimeout(() => reject(new Error(`the stack was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', () => (clearTimeout(timer), reject(new Error('the stack exited during start-up'))));
    split(child.stdout!, (line) => {
      remember(line);
      const m = /^ {2}([\w-]+)\s+(https?:\/\/\S+)/.exec(line);
      if (m) urls[m[1]] = m[2];
      if (line.startsWith('Stop:')) {
        clearTimeout(timer);
        resolve(urls);
      }
    });
  });
}
