/**
 * Every Lambda function's app of the proxy, built as each would be at cold start, behind one request handler; and
 * the packages service (database and restore worker) beside them. Loaded in the proxy's process once its port is
 * open (proxy-service.ts), as it holds nearly all of that process's code. Every function sends through one outbound
 * client, whose exchange hook feeds the trace ring (and, in record mode, the recorder); each app tells the ring what
 * it handled, by function name. `recycle()` builds the three stateless functions again, as fresh containers after a
 * deploy would start: their in-memory state (signature and webhook replay caches, cached secrets, breakers) goes,
 * while the packages service keeps its database, which the stack's reset reseeds on its own.
 */
import type http from 'node:http';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { combineApps, type App } from '../../proxy/core/app.ts';
import type { Logger } from '../../proxy/core/log.ts';
import { createHttpClient, type Exchange } from '../../proxy/core/http-client.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { packagesService, type PackagesStack } from './packages-service.ts';
import type { TraceRing } from './proxy-traces.ts';

export interface ProxyApps {
  handler: http.RequestListener;
  routes: number;
  packages: PackagesStack;
  /** Customer.io, cards and mail cold again (new apps behind the same handler); requests in flight finish on the old. */
  recycle(): Promise<void>;
}

export async function buildProxyApps(o: { env: Record<string, string | undefined>; stateDir: string; log: Logger; traces: TraceRing; onExchange?: (x: Exchange) => void }): Promise<ProxyApps> {
  // One outbound client for every function, so its hooks see every function's calls.
  const outbound = createHttpClient();
  outbound.onExchange(o.traces.exchange);
  if (o.onExchange) outbound.onExchange(o.onExchange);
  const opts = { env: o.env, log: o.log, http: outbound };
  const packages = packagesService({ env: o.env, stateDir: o.stateDir, log: o.log, http: outbound });
  const packagesApp = packages.start().then((app) => { app.onHandled(o.traces.handled('packages')); return app; });
  const build = async (): Promise<App> => {
    const named: [string, Promise<App>][] = [['customerio', buildCustomerioApp(opts)], ['cards', buildCardsApp(opts)], ['mail', buildMailApp(opts)]];
    const apps = await Promise.all(named.map(async ([fn, building]) => {
      const app = await building;
      app.onHandled(o.traces.handled(fn));
      return app;
    }));
    return combineApps([...apps, await packagesApp]);
  };
  const app = await build();
  let current = expressAdapter(app) as unknown as http.RequestListener;
  return {
    handler: (req, res) => current(req, res),
    routes: app.routes().length,
    packages,
    async recycle() { current = expressAdapter(await build()) as unknown as http.RequestListener; },
  };
}
