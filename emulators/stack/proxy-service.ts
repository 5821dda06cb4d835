/**
 * The proxy as a supervised service: every Lambda function's app on one Express server, plus the restore worker and
 * the packages database. Its port opens first and answers 503 `starting` until the supervisor sends the environment
 * (`build`, once the fakes are seeded) and the apps exist — at first start and after every restart (a cold start).
 * Its log and audit lines, the secret values to redact and (record mode) every outbound exchange go to the
 * supervisor, whose logger and recorder are the stack caller's; `/__admin/audit` on its port serves the supervisor's
 * audit trail, and `POST /__admin/reset` the stack's reset (stack-reset.ts). The proxy's own trace records (proxy-traces.ts) stay in this process, where they are made — a request
 * costs no message to the supervisor — and are served on its port at `/__admin/traces` (trace-endpoint.ts); a
 * restart of the proxy starts them afresh.
 */
import http from 'node:http';
import { listen } from '../shared/emulator.ts';
import type { Exchange } from '../../proxy/core/http-client.ts';
import type { AuditLine } from '../../proxy/core/audit.ts';
import { serveAudit, type AuditFilter } from './audit-trail.ts';
import { forwardingLogger } from './child-log.ts';
import { TraceRing } from './proxy-traces.ts';
import { serveTraces } from './trace-endpoint.ts';
import { serveStackReset } from './stack-reset.ts';
import { seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import type { Logger } from '../../proxy/core/log.ts';
import type { ParentLink, Running } from './services.ts';

export interface ProxyServiceConfig {
  port: number;
  host: string;
  stateDir: string;
  eagerDatabase: boolean;
  recordExchanges: boolean;
}

export async function startProxyService(c: ProxyServiceConfig, parent: ParentLink): Promise<Running> {
  // The trace view redacts what the recorder would: the seeded secrets, and every value a secret chain loads.
  const traces = new TraceRing({ secrets: seededSecretValues() });
  const log = alsoRedacting(forwardingLogger(parent), traces);
  let handler: http.RequestListener | undefined;
  let packages: { database(): Promise<unknown>; reseed(): Promise<void>; close(): Promise<void> } | undefined;
  let recycle: (() => Promise<void>) | undefined;
  const auditLines = (filter: AuditFilter) => parent.ask('audit', filter) as Promise<AuditLine[]>;
  const server = http.createServer((req, res) => {
    if (serveAudit(req, res, auditLines) || serveTraces(req, res, traces) || serveStackReset(req, res, () => parent.ask('resetAll', {}))) return;
    if (handler) return handler(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ error: { code: 'starting', message: 'the proxy is still starting' } }));
  });
  const proxy = await listen(server, c.port, { host: c.host });
  // PGlite runs in this event loop and holds it for seconds while a database opens. A keep-alive timer that expired
  // meanwhile fires first when the loop resumes and resets a connection whose next request is already waiting on it
  // (the gateway answered 502): idle connections are kept long enough that such a hold never outlasts their timer.
  server.keepAliveTimeout = 60_000;
  // The port is open: every function's code (the AWS SDK, PGlite's driver, …) loads while the others start.
  const apps = import('./proxy-apps.ts');
  apps.catch(() => {});

  async function build({ env }: { env: Record<string, string | undefined> }): Promise<{ routes: number }> {
    if (packages) throw new Error('the proxy is built already');
    const { buildProxyApps } = await apps;
    const built = await buildProxyApps({ env, stateDir: c.stateDir, log, traces, onExchange: c.recordExchanges ? (x) => parent.emit('exchange', plainExchange(x)) : undefined });
    packages = built.packages;
    recycle = built.recycle;
    handler = built.handler;
    // After start-up, not during it: PGlite's open (and a first initdb) would compete with the other services.
    if (c.eagerDatabase) packages.database().catch(() => {});
    return { routes: built.routes };
  }

  return {
    report: { urls: { proxy: proxy.url }, ports: { proxy: proxy.port } },
    methods: {
      build,
      // The stack's reset (the supervisor's): PGlite has one owner, this process, so the database is reseeded here.
      async reseedDatabase() {
        if (!packages) throw new Error('the proxy is not built yet');
        await packages.reseed();
      },
      // The same reset: the functions cold again, as new containers (their replay caches and cached secrets go).
      async recycleFunctions() {
        if (!recycle) throw new Error('the proxy is not built yet');
        await recycle();
      },
    },
    async close() {
      await proxy.close();
      await packages?.close();
    },
  };
}

/** The logger, with every secret value registered for redaction handed to the trace ring too. */
function alsoRedacting(log: Logger, traces: TraceRing): Logger {
  return {
    ...log,
    addSecretValues(values) {
      const all = [...values];
      log.addSecretValues(all);
      traces.addSecretValues(all);
    },
  };
}

/** An exchange without its functions and abort signal: bytes and fields only. */
function plainExchange(x: Exchange): unknown {
  const { signal: _signal, ...request } = x.request;
  return {
    request,
    response: x.response && { status: x.response.status, headers: x.response.headers, body: x.response.body },
    error: x.error && { name: x.error.name, message: x.error.message },
    startedAt: x.startedAt,
    durationMs: x.durationMs,
  };
}
