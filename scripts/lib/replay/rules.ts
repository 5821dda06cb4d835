/**
 * The comparison rules of fixtures/replay-rules.json, parsed once: which headers count, which keys and which kinds
 * of value are volatile, and per-route extras (more ignored JSON paths, or no body comparison at all).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_RULES_FILE = fileURLToPath(new URL('../../../fixtures/replay-rules.json', import.meta.url));

interface RouteRuleFile { match: string; ignore?: string[]; headers?: string[]; body?: 'compare' | 'ignore'; eventually?: number }
interface RulesFile { headers: string[]; volatileKeys: string[]; volatileValues: string[]; routes?: RouteRuleFile[] }

/** Kinds of value that differ on every run; a recorded value of a kind matches a live value of the same kind. */
export const VALUE_KINDS: Record<string, RegExp> = {
  ulid: /^[0-9A-HJKMNP-TV-Z]{26}$/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  'iso-timestamp': /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/,
  epoch: /^1[5-9]\d{8}(\d{3})?$/,
  jwt: /^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*$/,
  'presigned-url': /^https?:\/\/[^?\s]+\?(?=.*(X-Amz-Signature|Signature|Expires|Key-Pair-Id)=)\S*$/,
};

export interface RouteRule {
  method: string;
  path: RegExp;
  ignore: RegExp[];
  headers?: string[];
  body: 'compare' | 'ignore';
  /**
   * Milliseconds a read may take to match: it shows the result of work done after an earlier answer (the restore
   * worker, Mailgun's own webhooks), so replay asks again until it matches or this time passes. GET and HEAD only.
   */
  eventuallyMs?: number;
}

export interface CompareRules {
  headers: string[];
  volatileKeys: Set<string>;
  valueKinds: [string, RegExp][];
  routes: RouteRule[];
}

/** `$.a[*].b` → a regex over concrete paths like `$.a[3].b`; `*` alone matches one key. */
export function jsonPathPattern(p: string): RegExp {
  const re = p.split(/(\[\*\]|\*)/).map((s) => (s === '[*]' ? '\\[\\d+\\]' : s === '*' ? '[^.[]+' : s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${re}(?=$|[.[])`);
}

function routePattern(match: string, file: string): { method: string; path: RegExp } {
  const m = /^(\*|[A-Z]+)\s+(\/\S*)$/.exec(match);
  if (!m) throw new Error(`${file}: route "${match}" must be "METHOD /path"`);
  const body = m[2].split('/').map((s) => (s === '**' ? '.*' : s === '*' ? '[^/]+' : s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))).join('/');
  return { method: m[1], path: new RegExp(`^${body}$`) };
}

export function loadCompareRules(file: string = DEFAULT_RULES_FILE): CompareRules {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RulesFile;
  for (const k of ['headers', 'volatileKeys', 'volatileValues'] as const) if (!Array.isArray(raw[k])) throw new Error(`${file}: "${k}" must be a list`);
  const kinds = raw.volatileValues.map((k): [string, RegExp] => {
    if (!VALUE_KINDS[k]) throw new Error(`${file}: unknown volatile value kind "${k}" (known: ${Object.keys(VALUE_KINDS).join(', ')})`);
    return [k, VALUE_KINDS[k]];
  });
  return {
    headers: raw.headers.map((h) => h.toLowerCase()),
    volatileKeys: new Set(raw.volatileKeys),
    valueKinds: kinds,
    routes: (raw.routes ?? []).map((r) => ({
      ...routePattern(r.match, file),
      ignore: (r.ignore ?? []).map(jsonPathPattern),
      headers: r.headers?.map((h) => h.toLowerCase()),
      body: r.body ?? 'compare',
      eventuallyMs: eventually(r, file),
    })),
  };
}

function eventually(r: RouteRuleFile, file: string): number | undefined {
  if (r.eventually === undefined) return undefined;
  if (!Number.isFinite(r.eventually) || r.eventually <= 0 || r.eventually > 120_000) throw new Error(`${file}: route "${r.match}": eventually must be 1–120000 ms`);
  if (!/^(GET|HEAD)\s/.test(r.match)) throw new Error(`${file}: route "${r.match}": eventually is for GET and HEAD only (asking again must change nothing)`);
  return r.eventually;
}

/** The rules in force for one request: global ones plus every matching route's. */
export function rulesFor(rules: CompareRules, method: string, path: string): { headers: string[]; ignore: RegExp[]; body: 'compare' | 'ignore'; eventuallyMs?: number } {
  const hits = rules.routes.filter((r) => (r.method === '*' || r.method === method) && r.path.test(path));
  const waits = hits.map((h) => h.eventuallyMs).filter((ms): ms is number => ms !== undefined);
  return {
    headers: hits.find((h) => h.headers)?.headers ?? rules.headers,
    ignore: hits.flatMap((h) => h.ignore),
    body: hits.some((h) => h.body === 'ignore') ? 'ignore' : 'compare',
    ...(waits.length ? { eventuallyMs: Math.max(...waits) } : {}),
  };
}
