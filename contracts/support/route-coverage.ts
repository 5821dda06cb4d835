/**
 * "Every route is verified" as a check: every route of every Lambda function in proxy/functions/ (its
 * `app.routes()`) must have at least one interaction in the mobile pact with the same method and a path the
 * route's pattern matches.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { App } from '../../proxy/core/app.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { Router } from '../../proxy/core/router.ts';
import { findFunctions } from '../../scripts/lib/bundle/index.ts';

export interface FunctionRoute {
  fn: string;
  method: string;
  path: string;
}

type Build = (opts: { env: Record<string, string | undefined>; log: ReturnType<typeof silentLogger>; openDb: () => Promise<never> }) => Promise<App>;

/** Listing routes needs no database: a builder that opens one (packages) gets one that never opens. */
const noDatabase = () => new Promise<never>(() => {});

/**
 * Builds each HTTP function's app the way its cold start does (its exported `build…App`) and lists its routes.
 * A function fed by events rather than HTTP (the SQS restore worker) exports a handler and no app, and has no routes.
 */
export async function functionRoutes(env: Record<string, string | undefined>): Promise<FunctionRoute[]> {
  const out: FunctionRoute[] = [];
  for (const fn of await findFunctions()) {
    const mod = (await import(pathToFileURL(fn.entry).href)) as Record<string, unknown>;
    const build = Object.entries(mod).find(([name, v]) => /^build\w*App$/.test(name) && typeof v === 'function')?.[1] as Build | undefined;
    if (!build) {
      if (typeof mod.handler !== 'function') throw new Error(`proxy/functions/${fn.name}.ts exports neither a build…App function nor a handler`);
      continue;
    }
    const app = await build({ env, log: silentLogger(), openDb: noDatabase });
    out.push(...app.routes().map((r) => ({ fn: fn.name, method: r.method.toUpperCase(), path: r.path })));
  }
  return out;
}

interface PactRequest { method: string; path: string }

export function pactRequests(pactFile: string): PactRequest[] {
  const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: { request: PactRequest }[] };
  return pact.interactions.map((i) => ({ method: i.request.method.toUpperCase(), path: i.request.path }));
}

/** Routes no interaction exercises, as "METHOD /pattern (function)". */
export function uncoveredRoutes(routes: FunctionRoute[], requests: PactRequest[]): string[] {
  return routes
    .filter((r) => {
      const router = new Router([{ method: r.method, path: r.path, handler: async () => ({ status: 200 }) }]);
      return !requests.some((q) => q.method === r.method && router.match(q.method, q.path).kind === 'found');
    })
    .map((r) => `${r.method} ${r.path} (${r.fn})`);
}
