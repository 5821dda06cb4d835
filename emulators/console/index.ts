/**
 * The local console: one web page over the whole stack — its services, a request traced across every hop, captured
 * mail, Customer.io people, an S3 browser, every AWS resource, replays — served by a service of the stack (the
 * supervisor's table, services.ts) on CONSOLE_PORT (4050). It only ever calls the stack's own ports: the fakes'
 * `/__admin` APIs, Vault's API, the AWS endpoint through the SDK, and the supervisor over IPC.
 *
 *   const c = await startConsole(config, link);   // c.url → http://127.0.0.1:4050
 */
import { hostAllowed } from './host-check.ts';
import type http from 'node:http';
import { listen, type Listening } from '../shared/emulator.ts';
import { stderrLog, type ErrorLog } from '../shared/http-guard.ts';
import { apiHandler, type ApiRoute } from './app.ts';
import { AwsClients } from './aws-clients.ts';
import type { ConsoleConfig, StackLink } from './config.ts';
import type { ConsoleDeps } from './deps.ts';
import { EventHub } from './events.ts';
import { ReplayJobs } from './replay-jobs.ts';
import { StackClient } from './stack-client.ts';
import { StaticFiles } from './static.ts';
import { TraceFeed } from './traces.ts';
import { allowOrigin, consoleOrigins, s3Routes } from './api/s3.ts';
import { stackRoutes } from './api/stack.ts';
import { traceRoutes } from './api/trace.ts';
import { mailRoutes } from './api/mail.ts';
import { customerioRoutes } from './api/customerio.ts';
import { awsRoutes } from './api/aws.ts';
import { secretRoutes } from './api/secrets.ts';
import { extendRoutes } from './api/extend.ts';
import { replayRoutes } from './api/replay.ts';

export type { ConsoleConfig, StackLink } from './config.ts';

const ROUTES: ApiRoute<ConsoleDeps>[] = [
  { method: 'GET', path: '/api/events', handler: async (_req, deps) => ({ stream: (res) => deps.events.attach(res) }) },
  ...stackRoutes, ...traceRoutes, ...mailRoutes, ...customerioRoutes, ...s3Routes, ...awsRoutes, ...secretRoutes, ...extendRoutes, ...replayRoutes,
];

export interface ConsoleServer extends Listening {
  deps: ConsoleDeps;
  /** The console's origin allowed on these buckets' CORS rules (the stack's wiring calls this). */
  allowOnBuckets(buckets: string[]): Promise<void>;
}

export async function startConsole(config: ConsoleConfig, stack: StackLink, log: ErrorLog = stderrLog('console')): Promise<ConsoleServer> {
  const fakes = new StackClient(config.urls);
  let traces: TraceFeed | undefined;
  const events = new EventHub((watched) => traces?.watch(watched));
  const awsClients = new AwsClients(config.aws);
  let served = 0;
  let origin = '';
  const deps: ConsoleDeps = {
    config, stack, fakes, events,
    aws: awsClients,
    traces: (traces = new TraceFeed(fakes, events)),
    replays: new ReplayJobs(events, { target: config.urls.gateway, stateDir: config.stateDir, aws: config.aws.endpoint }),
    requests: () => served,
    origin: () => origin,
  };
  const files = new StaticFiles(config.aws.endpoint);
  const api = apiHandler(ROUTES, deps, (e) => log('console request failed', { error: (e as Error)?.message, stack: (e as Error)?.stack }));
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    served++;
    if (!hostAllowed(req.headers.host, config.allowedHosts)) {
      const message = `the console answers requests for its own host only (an IP address, localhost, or CONSOLE_ALLOWED_HOSTS), not ${JSON.stringify(String(req.headers.host ?? '').slice(0, 100))}: a page on another site reaching it through DNS rebinding names its own host`;
      return void res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'host_not_allowed', message } }));
    }
    const raw = req.url ?? '/';
    const path = raw.split('?')[0];
    if (path.startsWith('/api/')) return api(req, res);
    if (files.serve(req, res, path)) return;
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'not_found', message: `the console has no page ${path.slice(0, 200)}` } }));
  };
  const server = await listen(handler, config.port, { host: config.host, log });
  origin = server.url;
  return {
    ...server,
    deps,
    // A bucket the stack did not create (yet) is skipped: its rule is added by the page's button when wanted.
    allowOnBuckets: async (buckets) => {
      const settled = await Promise.allSettled(buckets.map((b) => allowOrigin(awsClients, b, consoleOrigins(origin))));
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected' && (s.reason as { status?: number }).status !== 404);
      if (failed) throw failed.reason;
    },
    close: async () => {
      deps.traces.stop();
      events.close();
      await server.close();
    },
  };
}
