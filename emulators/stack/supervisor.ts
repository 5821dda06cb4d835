/**
 * Runs each service of the stack in a child process of its own and restarts one that dies, as `docker compose`
 * with `restart: always` restarts one container while the others keep serving.
 *
 * Why processes (child_process.fork) and not worker threads: a worker shares its process with every other worker,
 * so a native crash, an out-of-memory abort or a `process.exit` deep in a dependency still takes every service
 * down; a process has its own heap, its own event loop and can be `kill -9`ed alone. The price — a Node start per
 * service — is paid concurrently and is small next to loading the code, which each process loads only its part of.
 *
 * Restart rule: the first restart after a crash is immediate; each further crash in a row waits twice as long as
 * the last (from `initialDelayMs`, at most `maxDelayMs`); a service that stayed up `resetAfterMs` starts the count
 * again (docker: 100 ms doubling, reset after 10 s up). A restart binds the same ports and re-runs the service's
 * wiring (services.ts). Each exit and restart is logged as one JSON line. A process that stops answering the
 * supervisor's heartbeat (an event loop stuck in a loop, a stopped process) is killed and restarted the same way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../proxy/core/log.ts';
import { Pending, fromWireError, toWireError, type Report, type ToChild, type ToParent, type WireError } from './ipc.ts';

export type ServiceState = 'starting' | 'up' | 'restarting' | 'backoff' | 'stopped';

export interface ServiceStatus {
  name: string;
  urls: Record<string, string>;
  pid: number | null;
  state: ServiceState;
  /** Restarts after an unexpected exit (or asked for with `restart`). */
  restarts: number;
  /** Exits nobody asked for: crashes, kills, `process.exit`. */
  exits: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
  /** Since the service last came up; null while it is not up. */
  uptimeMs: number | null;
}

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  resetAfterMs: number;
  /**
   * A process that is up and answers no heartbeat for this long (an event loop stuck in a loop, a stopped process)
   * is killed and restarted like a crashed one. Long enough for a healthy service's longest synchronous stretch;
   * the proxy, whose event loop also runs PGlite, has a limit of its own (services.ts).
   */
  unresponsiveMs: number;
  /** A (re)start that has not reported in this long is killed and counts as a crash (its wiring has its own timeout). */
  startTimeoutMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 100, maxDelayMs: 10_000, resetAfterMs: 10_000, unresponsiveMs: 30_000, startTimeoutMs: 60_000 };
const HEARTBEAT_MS = 1000;
/** A wiring call (seed, build) that takes longer than this is taken for a hung service. */
const CALL_TIMEOUT_MS = 120_000;

/** How to start a service's process: the entry file and Node flags. */
export interface ChildEntry {
  file: string;
  execArgv: string[];
}

/** What the supervisor needs of one service. */
export interface Supervised {
  name: string;
  /** Environment of its process, over the supervisor's own. */
  env?: Record<string, string>;
  /** Its own RestartPolicy.unresponsiveMs, for a service with long synchronous work. */
  unresponsiveMs?: number;
  /** The start message's config, computed at each start (a restart reuses the bound ports). */
  config(): unknown;
  ready(report: Report): void;
  /** The wiring to redo after a restart, before the service counts as up again. */
  rewire(): Promise<void>;
  /** Answers to the service's questions (`ask`), by name. */
  answers?: Record<string, (args: unknown) => unknown>;
  /** Handlers of the service's events, by kind. */
  events?: Record<string, (data: unknown) => void>;
}

interface Slot {
  s: Supervised;
  child?: ChildProcess;
  state: ServiceState;
  report?: Report;
  restarts: number;
  exits: number;
  streak: number;
  upSince?: number;
  lastExit: ServiceStatus['lastExit'];
  calls: Pending;
  timer?: NodeJS.Timeout;
  /** When the process last answered a heartbeat (or started). */
  lastSign: number;
  /** Set while a stop (close, manual restart) is under way: that exit is expected. */
  stopping?: { restart: boolean; done: () => void };
}

export class Supervisor {
  private readonly slots = new Map<string, Slot>();
  private readonly policy: RestartPolicy;
  private closing = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly o: { entry: ChildEntry; log: Logger; policy?: Partial<RestartPolicy>; stopTimeoutMs?: number }) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...o.policy };
    this.heartbeat = setInterval(() => this.checkLiveness(), Math.min(HEARTBEAT_MS, this.policy.unresponsiveMs / 3));
    this.heartbeat.unref();
  }

  /**
   * First start: the process is forked at once (it loads its code meanwhile) and told to start once `after`
   * resolves (the services it needs are up). Resolves with its report; rejects (no restart) if it fails to start.
   */
  start(s: Supervised, after?: Promise<unknown>): Promise<Report> {
    if (this.closing) return Promise.reject(new Error('the stack is closing'));
    const slot: Slot = { s, state: 'starting', restarts: 0, exits: 0, streak: 0, lastExit: null, calls: new Pending(), lastSign: Date.now() };
    this.slots.set(s.name, slot);
    return this.launch(slot, after);
  }

  /** The service is wired and serving (first start done). */
  up(name: string): void {
    const slot = this.slot(name);
    if (slot.state === 'starting') Object.assign(slot, { state: 'up', upSince: Date.now(), lastSign: Date.now() });
  }

  call(name: string, method: string, args?: unknown): Promise<unknown> {
    const slot = this.slot(name);
    if (!slot.child?.connected) return Promise.reject(new Error(`${name} is not running`));
    const { id, answer } = slot.calls.open(CALL_TIMEOUT_MS, `${name}.${method} did not answer in ${CALL_TIMEOUT_MS} ms`);
    this.send(slot.child, { t: 'call', id, method, args });
    return answer;
  }

  status(): ServiceStatus[] {
    const now = Date.now();
    return [...this.slots.values()].map((slot) => ({
      name: slot.s.name,
      urls: { ...(slot.report?.urls ?? {}) },
      pid: slot.child?.pid ?? null,
      state: slot.state,
      restarts: slot.restarts,
      exits: slot.exits,
      lastExit: slot.lastExit && { ...slot.lastExit },
      uptimeMs: slot.state === 'up' && slot.upSince !== undefined ? now - slot.upSince : null,
    }));
  }

  /** Stop the service and start it again at once (not counted as a crash). Resolves when it is up. */
  async restart(name: string): Promise<void> {
    const slot = this.slot(name);
    clearTimeout(slot.timer);
    if (slot.child) await this.stop(slot, true);
    else {
      // Waiting out a back-off: start now.
      slot.restarts++;
      void this.relaunch(slot);
    }
    await this.until(slot, 'up');
  }

  /** Stop every service: the ones in `first` before the rest (the gateway and proxy before the fakes they call). */
  async close(first: string[] = []): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    const all = [...this.slots.values()];
    for (const slot of all) clearTimeout(slot.timer);
    const early = all.filter((slot) => first.includes(slot.s.name));
    await Promise.all(early.map((slot) => this.stop(slot, false)));
    await Promise.all(all.filter((slot) => !early.includes(slot)).map((slot) => this.stop(slot, false)));
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) throw new Error(`no service named ${name}`);
    return slot;
  }

  private launch(slot: Slot, after?: Promise<unknown>): Promise<Report> {
    // A config known now goes with the process, which then starts without waiting for this event loop; one that
    // depends on other services is sent once the process says it listens for messages (`hello`).
    const config = after ? undefined : JSON.stringify(slot.s.config());
    after?.catch(() => {}); // a failing dependency fails this start below, once the process said hello
    const inline = config !== undefined && config.length < 64 * 1024;
    const child = fork(this.o.entry.file, [slot.s.name], {
      execArgv: this.o.entry.execArgv,
      env: { ...process.env, ...slot.s.env, ...(inline ? { GATEHOUSE_SERVICE_CONFIG: config } : {}) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    slot.child = child;
    slot.lastSign = Date.now();
    return new Promise<Report>((resolve, reject) => {
      let failure: WireError | undefined;
      const startTimer = setTimeout(() => {
        failure ??= { message: `${slot.s.name} did not start in ${this.policy.startTimeoutMs} ms` };
        this.o.log.error('service start timed out', { service: slot.s.name, pid: child.pid, timeoutMs: this.policy.startTimeoutMs });
        child.kill('SIGKILL');
      }, this.policy.startTimeoutMs);
      child.on('message', (m: ToParent) => {
        if (child !== slot.child) return;
        slot.lastSign = Date.now();
        if (m.t === 'pong') return;
        if (m.t === 'hello' && !inline) {
          void Promise.resolve(after).then(() => this.send(child, { t: 'start', config: slot.s.config() }), (e: unknown) => {
            failure = toWireError(e);
            child.kill('SIGKILL');
          });
        } else if (m.t === 'ready') {
          clearTimeout(startTimer);
          slot.report = m.report;
          slot.s.ready(m.report);
          resolve(m.report);
        } else if (m.t === 'failed') failure = m.error;
        else if (m.t === 'reply') slot.calls.settle(m.id, m.value, m.error);
        else if (m.t === 'ask') void this.answer(slot, child, m.id, m.what, m.args);
        else if (m.t === 'event') this.event(slot, m.kind, m.data);
      });
      child.on('error', (e) => {
        failure ??= toWireError(e);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(startTimer);
        const why = failure ? fromWireError(failure) : new Error(`${slot.s.name} exited (code ${code}, signal ${signal}) before it was ready`);
        reject(why);
        this.exited(slot, child, code, signal);
      });
    });
  }

  /** Pings every process; one silent for `unresponsiveMs` is killed, and restarted as a crashed one would be. */
  private checkLiveness(): void {
    const now = Date.now();
    for (const slot of this.slots.values()) {
      const child = slot.child;
      // Only once up: a start has its own timeout, and may block its event loop (certificates, keys) on purpose.
      if (!child?.connected || slot.stopping || slot.state !== 'up') continue;
      if (now - slot.lastSign > (slot.s.unresponsiveMs ?? this.policy.unresponsiveMs)) {
        this.o.log.error('service unresponsive', { service: slot.s.name, pid: child.pid, silentMs: now - slot.lastSign });
        slot.lastSign = now;
        child.kill('SIGKILL');
      } else this.send(child, { t: 'ping' });
    }
  }

  /** A service's event (a log line, an exchange): whatever its handler does wrong, the supervisor stays up. */
  private event(slot: Slot, kind: string, data: unknown): void {
    try {
      slot.s.events?.[kind]?.(data);
    } catch (e) {
      this.o.log.error('service event not handled', { service: slot.s.name, kind, error: e as Error });
    }
  }

  private async answer(slot: Slot, child: ChildProcess, id: number, what: string, args: unknown): Promise<void> {
    try {
      const fn = slot.s.answers?.[what];
      if (!fn) throw new Error(`no answer for ${what}`);
      this.send(child, { t: 'answer', id, value: await fn(args) });
    } catch (e) {
      this.send(child, { t: 'answer', id, error: toWireError(e) });
    }
  }

  private exited(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== slot.child) return;
    slot.child = undefined;
    slot.calls.rejectAll(`${slot.s.name} exited`);
    const stopping = slot.stopping;
    slot.stopping = undefined;
    if (stopping) {
      slot.state = 'stopped';
      slot.upSince = undefined;
      stopping.done();
      if (stopping.restart && !this.closing) {
        slot.restarts++;
        void this.relaunch(slot);
      }
      return;
    }
    const at = new Date();
    slot.exits++;
    slot.lastExit = { code, signal, at: at.toISOString() };
    const wasUpMs = slot.upSince === undefined ? 0 : at.getTime() - slot.upSince;
    slot.upSince = undefined;
    if (this.closing) {
      slot.state = 'stopped';
      return;
    }
    if (!slot.report) {
      // Never came up at first start: startStack reports the failure; nothing to restart.
      slot.state = 'stopped';
      this.o.log.error('service exited', { service: slot.s.name, pid: child.pid, code, signal, restart: false });
      return;
    }
    if (wasUpMs >= this.policy.resetAfterMs) slot.streak = 0;
    const delayMs = slot.streak === 0 ? 0 : Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (slot.streak - 1));
    slot.streak++;
    slot.state = delayMs > 0 ? 'backoff' : 'restarting';
    this.o.log.warn('service exited', { service: slot.s.name, pid: child.pid, code, signal, upMs: wasUpMs, restartInMs: delayMs });
    slot.timer = setTimeout(() => {
      slot.restarts++;
      void this.relaunch(slot, at.getTime());
    }, delayMs);
  }

  private async relaunch(slot: Slot, exitedAt?: number): Promise<void> {
    if (this.closing) return;
    slot.state = 'restarting';
    const ready = this.launch(slot);
    const child = slot.child!;
    try {
      await ready;
      await slot.s.rewire();
    } catch (e) {
      // Not up: if this process still runs (its wiring failed), end it so the restart rule applies.
      if (slot.child === child && !slot.stopping) {
        this.o.log.error('service restart failed', { service: slot.s.name, pid: child.pid, error: e as Error });
        child.kill('SIGKILL');
      }
      return;
    }
    if (slot.child !== child || slot.state !== 'restarting') return;
    slot.state = 'up';
    slot.upSince = slot.lastSign = Date.now();
    this.o.log.info('service restarted', { service: slot.s.name, pid: child.pid, restarts: slot.restarts, ...(exitedAt ? { sinceExitMs: slot.upSince - exitedAt } : {}) });
  }

  /** Ask the service to close and exit; kill it if it has not gone within the stop timeout. */
  private stop(slot: Slot, restart: boolean): Promise<void> {
    const child = slot.child;
    if (!child) {
      slot.state = 'stopped';
      return Promise.resolve();
    }
    return new Promise<void>((done) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.o.stopTimeoutMs ?? 3000);
      slot.stopping = { restart, done: () => { clearTimeout(timer); done(); } };
      if (child.connected) this.send(child, { t: 'stop' });
      else child.kill('SIGTERM');
    });
  }

  private until(slot: Slot, state: ServiceState, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = () => {
        if (slot.state === state) return resolve();
        if (Date.now() > deadline) return reject(new Error(`${slot.s.name} did not become ${state} in ${timeoutMs} ms`));
        setTimeout(poll, 20);
      };
      poll();
    });
  }

  private send(child: ChildProcess, m: ToChild): void {
    if (!child.connected) return;
    try {
      child.send(m);
    } catch {
      // The channel closed meanwhile: the exit handler takes it from here.
    }
  }
}
