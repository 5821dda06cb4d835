/**
 * "QA captures cover every route", as a check beside the pact's route coverage (contracts/support/route-coverage.ts):
 * every route of every function in proxy/functions/ (its `app.routes()`) needs, across the captures in
 * fixtures/recordings/, a request that succeeded (status below 400) and one that was refused (4xx), with the route's
 * method and a path its pattern matches. A HEAD counts for the GET route that serves it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from '../../../proxy/core/router.ts';
import { parseHar } from './har.ts';

export const RECORDINGS = fileURLToPath(new URL('../../../fixtures/recordings/', import.meta.url));

export interface RouteRef { fn: string; method: string; path: string }
export interface CapturedCall { method: string; path: string; status: number; capture: string }
export interface CoverageGap { route: string; missing: ('a successful request' | 'a refused request')[] }

/** Every request of every capture in `dir`, with the status it got. */
export function capturedCalls(dir: string = RECORDINGS): CapturedCall[] {
  return readdirSync(dir).filter((f) => f.endsWith('.har')).sort().flatMap((capture) =>
    parseHar(readFileSync(join(dir, capture), 'utf8'), capture).map((e) => ({ method: e.method, path: e.url.pathname, status: e.expected.status, capture })));
}

/** The routes some capture does not exercise both ways, as "METHOD /pattern (function)" and what is missing. */
export function coverageGaps(routes: RouteRef[], calls: CapturedCall[]): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  for (const r of routes) {
    const router = new Router([{ method: r.method, path: r.path }]);
    const hits = calls.filter((c) => {
      const method = c.method.toUpperCase() === 'HEAD' && r.method === 'GET' ? 'GET' : c.method.toUpperCase();
      return method === r.method && router.match(method, c.path).kind === 'found';
    });
    const missing: CoverageGap['missing'] = [];
    if (!hits.some((c) => c.status >= 200 && c.status < 400)) missing.push('a successful request');
    if (!hits.some((c) => c.status >= 400 && c.status < 500)) missing.push('a refused request');
    if (missing.length) gaps.push({ route: `${r.method} ${r.path} (${r.fn})`, missing });
  }
  return gaps;
}
