/**
 * Near misses, as WireMock shows them: a request no route of a fake took is journalled with the routes that come
 * closest, so a wrong URL explains itself (`POST /api/v1/customer/ada/events` → `POST /api/v1/customers/:identifier/events`).
 *
 * The candidates are what the fake already declares, never a second list: an Express fake's route table is read
 * from its router (`app.get(...)`, routers mounted under a prefix), the fake Vault's from its mounts' path patterns,
 * the AWS edge's from each service's operation table. Two kinds come close:
 *   - same path, other method (`GET` on a route that only takes `POST`);
 *   - same method and the same path shape: as many segments, at most half of the fixed ones differing, each a
 *     near spelling of the declared one or any value where the route has a parameter.
 */
import type { NearMiss } from './journal.ts';

/** A route a fake declares: a method (`*` for any) and a path pattern with `:name` (one segment) or `:name*` (the rest). */
export interface DeclaredRoute {
  method: string;
  route: string;
}

type Closest = NearMiss['closest'][number];

const MAX_CANDIDATES = 3;
const tables = new WeakMap<object, DeclaredRoute[]>();

/**
 * The routes an Express app declares, read once from its router (Express 5: `app.router.stack`; a route layer has
 * `route.path` and `route.methods`, a mounted router its `rawPath` prefix). `/__admin` is the frame's, not the fake's.
 */
export function expressRouteTable(app: object): DeclaredRoute[] {
  let table = tables.get(app);
  if (!table) tables.set(app, (table = walk((app as { router?: RouterLike }).router?.stack ?? [], '')));
  return table;
}

interface LayerLike {
  name?: string;
  rawPath?: unknown;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}
interface RouterLike { stack?: LayerLike[] }

function walk(stack: LayerLike[], prefix: string): DeclaredRoute[] {
  const out: DeclaredRoute[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]).map((m) => (m === '_all' ? '*' : m.toUpperCase()));
      for (const p of [layer.route.path].flat()) if (typeof p === 'string') for (const method of methods) out.push({ method, route: join(prefix, p) });
    } else if (layer.name === 'router' && Array.isArray(layer.handle?.stack)) {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      if (mount === '/__admin') continue;
      out.push(...walk(layer.handle!.stack!, join(prefix, mount)));
    }
  }
  return out;
}

const join = (a: string, b: string) => (a + (b === '/' ? '' : b)).replace(/\/{2,}/g, '/') || '/';

/** The near miss for a request no route took; `closest` is empty when nothing the fake declares comes close. */
export function nearMissFor(routes: DeclaredRoute[], method: string, path: string, reason = 'no route matched'): NearMiss {
  const m = method.toUpperCase();
  const parts = segments(path);
  const scored: { c: Closest; score: number }[] = [];
  const seen = new Set<string>();
  for (const r of routes) {
    const key = `${r.method} ${r.route}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shape = compare(segments(r.route), parts);
    if (!shape) continue;
    const sameMethod = r.method === '*' || r.method === m || (m === 'HEAD' && r.method === 'GET');
    if (shape.differing.length === 0 && !sameMethod) {
      scored.push({ c: { method: r.method, route: r.route, why: `same path, other method: the route takes ${r.method}, not ${m}` }, score: 0 });
    } else if (shape.differing.length > 0 && sameMethod) {
      const what = shape.differing.map((d) => `"${d.sent}" where the route has "${d.declared}"`).join(', ');
      scored.push({ c: { method: r.method, route: r.route, why: `same method and path shape: ${what}` }, score: shape.distance + shape.differing.length });
    }
  }
  scored.sort((a, b) => a.score - b.score);
  return { reason, closest: scored.slice(0, MAX_CANDIDATES).map((s) => s.c) };
}

function segments(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

interface Shape {
  differing: { declared: string; sent: string }[];
  /** Sum of edit distances of the differing fixed segments. */
  distance: number;
}

/**
 * How a request path compares with a declared pattern of the same shape, or undefined when the shapes differ (other
 * segment count, too many fixed segments differing, or one spelt nothing alike).
 */
function compare(pattern: string[], parts: string[]): Shape | undefined {
  const rest = pattern.length > 0 && /^:\w+\*$/.test(pattern[pattern.length - 1]);
  if (rest ? parts.length < pattern.length : parts.length !== pattern.length) return undefined;
  const differing: Shape['differing'] = [];
  let fixed = 0;
  let distance = 0;
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith(':')) continue;
    fixed++;
    let sent = parts[i];
    try { sent = decodeURIComponent(sent); } catch { /* compare the raw segment */ }
    if (p === sent) continue;
    const d = editDistance(p.toLowerCase(), sent.toLowerCase(), Math.max(2, Math.floor(p.length / 3)));
    if (d === undefined) return undefined;
    differing.push({ declared: p, sent: parts[i] });
    distance += d;
  }
  if (differing.length > Math.max(1, Math.floor(fixed / 2))) return undefined;
  return { differing, distance };
}

/** Levenshtein distance of a and b, or undefined as soon as it must exceed `max` (long, unrelated strings). */
export function editDistance(a: string, b: string, max: number): number | undefined {
  if (Math.abs(a.length - b.length) > max) return undefined;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]);
    }
    if (best > max) return undefined;
    prev = row;
  }
  return prev[b.length] <= max ? prev[b.length] : undefined;
}

/** Operation names closest to an unknown one (the AWS edge's JSON services: `GetParamter` → `GetParameter`). */
export function closestNames(names: Iterable<string>, sent: string): string[] {
  const s = sent.toLowerCase();
  const scored: { name: string; d: number }[] = [];
  for (const name of names) {
    const d = editDistance(name.toLowerCase(), s, Math.max(2, Math.floor(name.length / 3)));
    if (d !== undefined) scored.push({ name, d });
  }
  return scored.sort((a, b) => a.d - b.d).slice(0, MAX_CANDIDATES).map((x) => x.name);
}
