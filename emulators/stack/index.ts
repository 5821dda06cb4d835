/**
 * The whole local stack: the fakes, the proxy (every function's app on one Express server) and the signing gateway
 * in front of it, each in a process of its own under one supervisor (supervisor.ts; the table of services is
 * services.ts). A service that dies is restarted alone, on its ports, while the others keep serving. `npm start`
 * and the test helper both use this, so tests exercise exactly what a developer runs.
 *
 * Start-up is three phases — every service listens (each as soon as the services it needs have reported), the
 * fixtures are seeded and services wired to each other, the proxy's apps are built — and the proxy answers 503
 * `starting` until its apps are ready. External endpoints win: with VAULT_ADDR or AWS_ENDPOINT_URL set (docker
 * compose), the embedded twin is not started and the external one is seeded.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLogger, type Logger } from '../../proxy/core/log.ts';
import type { Exchange as UpstreamExchange, OutboundResponse } from '../../proxy/core/http-client.ts';
import type { AuditFilter } from './audit-trail.ts';
import type { Report } from './ipc.ts';
import { resolvePorts, type PortName } from './ports.ts';
import { fetchKeptAlive } from '../../proxy/core/keep-alive.ts';
import { AuditTrail } from './audit-trail.ts';
import { SERVICES, type ServiceName, type ServiceSpec, type StackContext, type WiringStep } from './services.ts';
import { Supervisor, type ChildEntry, type RestartPolicy, type ServiceStatus, type Supervised } from './supervisor.ts';
import type { StackResetReport } from './stack-reset.ts';

export interface StackOptions {
  env?: Record<string, string | undefined>;
  /** Free ports everywhere (tests). */
  ephemeral?: boolean;
  /** Where keys, certificates and persisted data live (default `.state/`). */
  stateDir?: string;
  /** The proxy's log lines (they cross from its process) and the supervisor's. */
  log?: Logger;
  /** Record mode (npm run record): sees every outbound call of every function (Vault, Customer.io, Extend, Mailgun). */
  onUpstreamExchange?: (x: UpstreamExchange) => void;
  /** Open the packages database at start (default: only for the long-running `npm start`, not ephemeral stacks). */
  eagerDatabase?: boolean;
  /**
   * The CloudFront edge's clock (epoch ms; default Date.now). Only the edge's: the apps and the gateway keep real
   * time, so their signatures still verify while a test moves the edge past a signed URL's expiry.
   */
  now?: () => number;
  /** How soon a crashed service comes back (supervisor.ts). */
  restartPolicy?: Partial<RestartPolicy>;
}

export interface ServiceInfo {
  name: string;
  url: string;
  note: string;
}

export interface StackGateway {
  url: string;
  port: number;
  /** A JWT the gateway accepts, signed here with its key from the state folder. */
  mintToken(email: string, ttlSeconds?: number): Promise<string>;
}

export interface Stack {
  urls: Record<string, string>;
  services: ServiceInfo[];
  gateway: StackGateway;
  /** The environment the proxy was built with (URLs of the fakes, Vault address and token). */
  proxyEnv: Record<string, string | undefined>;
  /** Every security_audit line of the run, from every service's process (also served at `<proxy>/__admin/audit`). */
  auditTrail: AuditTrail;
  stateDir: string;
  /** Milliseconds each start-up phase took. */
  timings: Record<'listen' | 'seed' | 'build', number>;
  /** Per service: URLs, pid, state, restarts, exits, last exit, uptime — plain JSON. */
  status(): ServiceStatus[];
  /** Stop one service and start it again (its wiring redone); resolves when it is up. */
  restart(name: ServiceName): Promise<void>;
  /** One service's state back to its seed (`/__admin/reset`, then its wiring again; the proxy restarts). */
  reset(name: ServiceName): Promise<void>;
  /**
   * Every service back to its seed without a restart: each fake's `/__admin/reset`, every wiring step again, the
   * packages database reseeded. Also served as `POST <proxy>/__admin/reset` (stack-reset.ts).
   */
  resetAll(): Promise<StackResetReport>;
  close(): Promise<void>;
}

/** The order of the table `npm start` prints. */
const TABLE: ServiceName[] = ['gateway', 'proxy', 'customerio', 'extend', 'mailgun', 'cloudfront', 'vault', 'aws', 'console'];

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const env = opts.env ?? process.env;
  // 127.0.0.1 keeps the fakes private to the machine; a container sets GATEHOUSE_HOST=0.0.0.0 to publish them.
  const host = env.GATEHOUSE_HOST || '127.0.0.1';
  const stateDir = opts.stateDir ?? env.GATEHOUSE_STATE_DIR ?? '.state';
  // Audit lines are kept by the stack as well as logged (proxy/core/audit.ts; served at /__admin/audit).
  const auditTrail = new AuditTrail();
  const log = auditTrail.tee(opts.log ?? createLogger({ name: 'proxy', level: (env.LOG_LEVEL as 'info') ?? 'info' }));
  const t0 = performance.now();
  const supervisor = new Supervisor({ entry: await childEntry(), log: opts.log ?? createLogger({ name: 'supervisor', level: (env.LOG_LEVEL as 'info') ?? 'info' }), policy: opts.restartPolicy });
  const ctx: StackContext = {
    env, host, stateDir,
    ports: resolvePorts(env, opts.ephemeral),
    reports: {},
    edgeClock: Boolean(opts.now),
    recordExchanges: Boolean(opts.onUpstreamExchange),
    eagerDatabase: opts.eagerDatabase ?? !opts.ephemeral,
    call: (service, method, args) => supervisor.call(service, method, args),
  };
  const running = SERVICES.filter((s) => !s.external?.(env) && !s.off?.(env));
  /**
   * Resets run one at a time. Their wiring steps write the same secrets conditionally (the gateway's key set in Vault
   * and Secrets Manager), so two at once failed: the console's "reset all", which resets every service together,
   * answered 500 each time ("secret/gatehouse/gateway changed since it was read"), as did one of two POST
   * /__admin/reset sent together. (A restarted service's own rewiring is not queued: resetAll waits on the proxy.)
   */
  let resetting: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const run = resetting.then(work, work);
    resetting = run.catch(() => {});
    return run;
  };
  /** One service's state back to its seed: `/__admin/reset`, then its wiring again; the proxy restarts (a cold start). */
  const reset = (name: ServiceName): Promise<void> => oneAtATime(async () => {
    if (name === 'proxy') return supervisor.restart(name);
    const base = Object.values(ctx.reports[name]?.urls ?? {})[0];
    if (!base) throw new Error(`${name} is not run by this stack`);
    const res = await fetchKeptAlive(`${base}/__admin/reset`, { method: 'POST' });
    if (!res.ok) throw new Error(`${name}: /__admin/reset answered ${res.status}`);
    await runWiring(SERVICES.find((s) => s.name === name)!.wire ?? [], ctx);
  });
  // Every wiring step once, by name (services share steps).
  const steps = [...new Map(SERVICES.flatMap((s) => s.wire ?? []).map((w) => [w.name, w])).values()];
  /**
   * Every service back to its seed without a restart (stack-reset.ts): each fake's `/__admin/reset`, the wiring
   * again, the packages database, and the proxy's functions cold again (a webhook or signed request sent before the
   * reset is not a replay after it, and secrets are read afresh).
   */
  const resetAll = (): Promise<StackResetReport> => oneAtATime(async () => {
    const t = performance.now();
    // The proxy keeps running (its database is reseeded below); the console holds no state of its own.
    const fakes = running.filter((s) => s.name !== 'proxy' && s.name !== 'console');
    await Promise.all(fakes.map(async (s) => {
      const base = Object.values(ctx.reports[s.name]?.urls ?? {})[0];
      const res = await fetch(`${base}/__admin/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`${s.name}: /__admin/reset answered ${res.status}`);
    }));
    // Every seed step together, as at start-up (each is idempotent; an external Vault or AWS is re-seeded too), then
    // the build steps that wire rather than build (the console's CORS grant on the reports bucket).
    await Promise.all(steps.filter((w) => w.phase === 'seed').map((w) => w.run(ctx)));
    for (const w of steps.filter((x) => x.phase === 'build' && x.name !== 'proxy-apps')) await w.run(ctx);
    await supervisor.call('proxy', 'reseedDatabase');
    await supervisor.call('proxy', 'recycleFunctions');
    return { ok: true, reset: [...fakes.map((s) => s.name), 'packages-database', 'proxy-functions'], external: SERVICES.filter((s) => s.external?.(env)).map((s) => s.name), ms: Math.round(performance.now() - t) };
  });
  const supervised = (spec: ServiceSpec): Supervised => ({
    name: spec.name,
    env: spec.env,
    unresponsiveMs: spec.unresponsiveMs,
    config: () => spec.config(ctx),
    ready: (report: Report) => {
      ctx.reports[spec.name] = report;
      Object.assign(ctx.ports, report.ports);
    },
    rewire: () => runWiring(spec.wire ?? [], ctx),
    answers: {
      now: () => (opts.now ?? Date.now)(),
      audit: (filter) => auditTrail.list(filter as AuditFilter),
      // The console's questions: the table of services, and a reset to the seed.
      status: () => supervisor.status(),
      reset: (a) => reset((a as { name: ServiceName }).name),
      // The proxy's POST /__admin/reset (stack-reset.ts): the whole stack.
      resetAll: () => resetAll(),
    },
    events: {
      log: (d) => {
        const { level, msg, fields } = d as { level: 'info'; msg: string; fields?: Record<string, unknown> };
        log[level](msg, fields);
      },
      audit: (line) => log.audit(line as Record<string, unknown>),
      secrets: (values) => log.addSecretValues(values as string[]),
      exchange: (x) => opts.onUpstreamExchange?.(revive(x as UpstreamExchange)),
    },
  });

  try {
    // Phase 1: every service listens, each once the services it needs have reported (the proxy's port opens first
    // and answers 503 until its apps exist). Every process is forked at once and loads its code meanwhile.
    const started = new Map<ServiceName, Promise<Report>>();
    for (const spec of running) {
      const deps = running.filter((d) => spec.after.includes(d.name));
      if (deps.some((d) => !started.has(d.name))) throw new Error(`services.ts: ${spec.name} must come after the services it needs`);
      started.set(spec.name, supervisor.start(supervised(spec), deps.length ? Promise.all(deps.map((d) => started.get(d.name))) : undefined));
    }
    // Phase 2: fixtures and secrets, idempotently, into whichever Vault and AWS are in use; webhooks to the gateway.
    // Each step starts as soon as the services it needs are up, while slower ones still load.
    const upAll = (names: ServiceName[]) => Promise.all(names.filter((n) => started.has(n)).map((n) => started.get(n)));
    const seeding = Promise.all(steps.filter((w) => w.phase === 'seed').map((w) => upAll(w.needs).then(() => w.run(ctx))));
    seeding.catch(() => {}); // awaited below, after the services it may be waiting for
    await Promise.all(started.values());
    const t1 = performance.now();
    await seeding;
    const t2 = performance.now();
    // Phase 3: every function's app, built as its Lambda would be at cold start, served on the proxy's port.
    await Promise.all(steps.filter((w) => w.phase === 'build').map((w) => w.run(ctx)));
    const t3 = performance.now();
    for (const s of running) supervisor.up(s.name);

    const urls: Record<string, string> = {};
    const services: ServiceInfo[] = [];
    for (const name of TABLE) {
      const spec = SERVICES.find((s) => s.name === name)!;
      if (spec.off?.(env)) continue;
      const notes = spec.notes(ctx);
      const listeners = ctx.reports[name]?.urls ?? { [name]: name === 'aws' ? env.AWS_ENDPOINT_URL! : env.VAULT_ADDR! };
      for (const [listener, url] of Object.entries(listeners)) {
        urls[listener] = url;
        services.push({ name: listener, url, note: notes[listener] ?? '' });
      }
    }
    urls['restore-worker'] = ctx.packagesEnv!.RESTORE_PACKAGE_QUEUE_URL;
    services.push({ name: 'restore-worker', url: urls['restore-worker'], note: 'SQS event-source mapping → restore worker (batch 10, window 200 ms), in the proxy\'s process' });

    const gateway = ctx.reports.gateway!;
    let minter: Promise<(email: string, ttl?: number) => Promise<string>> | undefined;
    return {
      urls,
      services,
      gateway: {
        url: gateway.urls.gateway,
        port: gateway.ports.gateway!,
        mintToken: async (email, ttl) => (await (minter ??= tokenMinter(join(stateDir, 'gateway'), urls.proxy)))(email, ttl),
      },
      proxyEnv: ctx.proxyEnv!,
      auditTrail,
      stateDir,
      timings: { listen: Math.round(t1 - t0), seed: Math.round(t2 - t1), build: Math.round(t3 - t2) },
      status: () => supervisor.status(),
      restart: (name) => supervisor.restart(name),
      reset,
      resetAll,
      close: () => supervisor.close(['gateway', 'proxy']),
    };
  } catch (e) {
    await supervisor.close(['gateway', 'proxy']);
    throw e;
  }
}

/** A service's wiring after its restart: the seed steps together, then the build. */
async function runWiring(steps: WiringStep[], ctx: StackContext): Promise<void> {
  await Promise.all(steps.filter((w) => w.phase === 'seed').map((w) => w.run(ctx)));
  for (const w of steps.filter((x) => x.phase === 'build')) await w.run(ctx);
}

/**
 * How a service process starts: from the compiled stack (built here when running from sources, as the tests do;
 * beside this code when `npm start` runs the compiled supervisor), or through tsx with GATEHOUSE_NO_BUILD.
 */
async function childEntry(): Promise<ChildEntry> {
  // Replaced by the build with the compiled stack's directory (compile.mjs); unset when running from sources.
  const compiled = process.env.GATEHOUSE_COMPILED_STACK;
  if (compiled) return { file: join(compiled, 'service.mjs'), execArgv: [] };
  if (process.env.GATEHOUSE_NO_BUILD) return { file: fileURLToPath(new URL('./service-main.ts', import.meta.url)), execArgv: ['--import', 'tsx'] };
  const { compiledStack } = await import('./compile.mjs');
  return { file: join(await compiledStack(), 'service.mjs'), execArgv: [] };
}

/** The gateway's JWT key from the state folder (the gateway process made it): tokens signed here verify there. */
async function tokenMinter(keyDir: string, upstream: string): Promise<(email: string, ttl?: number) => Promise<string>> {
  const [{ loadGatewayKeys }, { GatewayState }] = await Promise.all([import('../gateway/keys.ts'), import('../gateway/state.ts')]);
  const state = new GatewayState(loadGatewayKeys({ keyDir }), new URL(upstream));
  return (email, ttl) => state.mintToken(email, ttl);
}

/** An exchange as the proxy's process sent it, with the response's readers back. */
function revive(x: UpstreamExchange): UpstreamExchange {
  const r = x.response;
  const response: OutboundResponse | undefined = r && {
    status: r.status,
    headers: r.headers,
    body: r.body,
    text: () => r.body.toString('utf8'),
    json: <T>() => JSON.parse(r.body.toString('utf8')) as T,
  };
  return { ...x, response, error: x.error && Object.assign(new Error(x.error.message), { name: x.error.name }) };
}

export type { PortName, ServiceName, ServiceStatus };
