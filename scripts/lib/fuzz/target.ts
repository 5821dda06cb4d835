/**
 * The stack under fuzz: `startStack` on free ports and a fresh state directory — a supervisor here and one process
 * per service, so a service that dies is restarted alone and the fuzzer sees it happen. Deaths are counted from
 * the supervisor's status (each service's `exits`, with its last exit code or signal) and from health probes (a
 * service that is up but no longer answers). Unexpected handler errors reach the supervisor's log from every
 * service (http-guard.ts) and are kept here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../../../emulators/stack/index.ts';
import { createLogger } from '../../../proxy/core/log.ts';
import { exchange } from './client.ts';
import { endpointOf, type StackUrls } from './surfaces.ts';

export interface Death {
  server: string;
  /** What was seen: the exit the supervisor recorded, or a probe that got no answer. */
  how: string;
  /** Surface and cases running when it was noticed. */
  during?: string;
}

export interface Target {
  urls: StackUrls;
  stateDir: string;
  deaths: Death[];
  /** Compare the supervisor's status with the last look and probe every server; record (and return) what died. */
  check(during: string): Promise<Death[]>;
  /** Whether the stack is still running (its supervisor, at least). */
  alive(): boolean;
  /** Handler errors the services logged (each a 500 for one request, never a crash). */
  handlerErrors: string[];
  /** The stack's last log lines (for a death's report). */
  output(): string[];
  /** The supervisor's status: per service pid, state, restarts, exits. */
  status(): ReturnType<Stack['status']>;
  close(): Promise<void>;
}

/** Where each server answers a cheap request; any HTTP answer means it is up. */
const PROBES: Record<string, string> = { proxy: '/__fuzz_probe__', aws: '/_localstack/health' };

export async function launchStack(): Promise<Target> {
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-fuzz-'));
  const tail: string[] = [];
  const handlerErrors: string[] = [];
  const log = createLogger({
    name: 'stack',
    level: 'warn',
    sink: (line) => {
      tail.push(line.slice(0, 2000));
      if (tail.length > 200) tail.shift();
      if (/"msg":"unhandled error/.test(line)) handlerErrors.push(line.slice(0, 600));
    },
  });
  let stack: Stack;
  try {
    stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log });
  } catch (e) {
    rmSync(stateDir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\n--- stack log ---\n${tail.join('\n')}`);
  }
  let closed = false;
  const deaths: Death[] = [];
  const exitsSeen = new Map(stack.status().map((s) => [s.name, s.exits]));
  const servers = Object.entries(stack.urls).filter(([name]) => name !== 'restore-worker');

  async function check(during: string): Promise<Death[]> {
    const found: Death[] = [];
    for (const s of stack.status()) {
      const before = exitsSeen.get(s.name) ?? 0;
      if (s.exits > before) {
        const e = s.lastExit;
        found.push({ server: s.name, how: `exited ${s.exits - before}× (last: ${e?.signal ? `signal ${e.signal}` : `code ${e?.code}`} at ${e?.at}; restarts ${s.restarts}, now ${s.state})`, during });
      }
      exitsSeen.set(s.name, s.exits);
    }
    const restarted = new Set(found.map((d) => d.server));
    await Promise.all(servers.map(async ([name, url]) => {
      if ([...restarted].some((r) => name === r || name.startsWith(`${r}-`))) return;
      const path = PROBES[name] ?? '/__admin/health';
      for (let attempt = 0; attempt < 3; attempt++) {
        const o = await exchange(endpointOf(url), { bytes: Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`) }, 5000);
        if (o.kind === 'answer') return;
        await new Promise((r) => setTimeout(r, 1000));
      }
      found.push({ server: name, how: 'stopped answering health probes', during });
    }));
    deaths.push(...found);
    return found;
  }

  return {
    urls: stack.urls as unknown as StackUrls,
    stateDir,
    deaths,
    handlerErrors,
    check,
    alive: () => !closed,
    output: () => [...tail],
    status: () => stack.status(),
    async close() {
      closed = true;
      await stack.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
