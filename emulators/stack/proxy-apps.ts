/**
 * Every Lambda function's app of the proxy, built as each would be at cold start, behind one request handler; and
 * the packages service (database and restore worker) beside them. Loaded in the proxy's process once its port is
 * open (proxy-service.ts), as it holds nearly all of that process's code.
 */
import type http from 'node:http';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { combineApps } from '../../proxy/core/app.ts';
import type { Logger } from '../../proxy/core/log.ts';
import { createHttpClient, type Exchange } from '../../proxy/core/http-client.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { packagesService, type PackagesStack } from './packages-service.ts';

export interface ProxyApps {
  handler: http.RequestListener;
  routes: number;
  packages: PackagesStack;
}

export async function buildProxyApps(o: { env: Record<string, string | undefined>; stateDir: string; log: Logger; onExchange?: (x: Exchange) => void }): Promise<ProxyApps> {
  // One shared outbound client when recording, so its single onExchange hook sees every function's calls.
  const outbound = o.onExchange ? createHttpClient() : undefined;
  if (o.onExchange) outbound!.onExchange(o.onExchange);
  const opts = { env: o.env, log: o.log, http: outbound };
  const packages = packagesService({ env: o.env, stateDir: o.stateDir, log: o.log, http: outbound });
  const app = combineApps(await Promise.all([buildCustomerioApp(opts), buildCardsApp(opts), buildMailApp(opts), packages.start()]));
  return { handler: expressAdapter(app) as unknown as http.RequestListener, routes: app.routes().length, packages };
}
