/**
 * Fixtures cannot drift from the contracts: every recorded upstream request must be one the provider pact allows.
 * A fixture matches an interaction when method, path, query, the pact's headers and the body agree under the pact's
 * matching rules (Pact V4 spec: `type` cascades to children, `regex`, `integer`, `decimal`, `number`, `boolean`,
 * `equality`, `include`, `null`; request bodies allow no unexpected keys). Fixtures are redacted, so the pact's
 * example values are seen through the same Redactor: a redacted Basic header equals a redacted pact Basic header,
 * a hashed email path equals the pact's email hashed — never a Bearer for a Basic, never a different user.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonPathPattern } from './rules.ts';
import type { Redactor } from './redaction.ts';
import type { UpstreamInteraction } from './upstream.ts';

export const PACT_DIR = fileURLToPath(new URL('../../../contracts/pacts/', import.meta.url));

interface Matcher { match: string; regex?: string; value?: string; min?: number; max?: number }
type Rules = Record<string, { matchers: Matcher[] }>;
export interface PactInteraction {
  description: string;
  request: { method: string; path: string; query?: Record<string, string[]>; headers?: Record<string, string[] | string>; body?: { content?: unknown; contentType?: string; encoded?: unknown }; matchingRules?: { body?: Rules; header?: Rules; path?: { matchers: Matcher[] }; query?: Rules } };
}

/** The provider pacts this consumer has for a provider folder (`gatehouse-proxy-customerio*.json`). */
export function providerPacts(provider: string, dir: string = PACT_DIR): { file: string; interactions: PactInteraction[] }[] {
  return readdirSync(dir).filter((f) => f.startsWith(`gatehouse-proxy-${provider}`) && f.endsWith('.json')).sort()
    .map((f) => ({ file: f, interactions: (JSON.parse(readFileSync(join(dir, f), 'utf8')).interactions ?? []) as PactInteraction[] }));
}

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function applyMatcher(m: Matcher, expected: unknown, actual: unknown): string | undefined {
  const ok = (cond: boolean, what: string) => (cond ? undefined : what);
  switch (m.match) {
    case 'type':
      if (Array.isArray(actual) && m.min !== undefined && actual.length < m.min) return `expected at least ${m.min} items, got ${actual.length}`;
      return ok(kind(expected) === kind(actual), `expected a ${kind(expected)}, got ${kind(actual)}`);
    case 'regex': return ok(typeof actual === 'string' && new RegExp(m.regex ?? '').test(actual), `"${String(actual)}" does not match /${m.regex}/`);
    case 'integer': return ok(Number.isInteger(actual), `${JSON.stringify(actual)} is not an integer`);
    case 'decimal': case 'number': return ok(typeof actual === 'number', `${JSON.stringify(actual)} is not a number`);
    case 'boolean': return ok(typeof actual === 'boolean', `${JSON.stringify(actual)} is not a boolean`);
    case 'null': return ok(actual === null, `${JSON.stringify(actual)} is not null`);
    case 'include': return ok(typeof actual === 'string' && actual.includes(m.value ?? ''), `"${String(actual)}" does not include "${m.value}"`);
    case 'equality': return ok(JSON.stringify(expected) === JSON.stringify(actual), `${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`);
    default: return ok(kind(expected) === kind(actual), `unsupported matcher ${m.match}; ${kind(actual)} is not ${kind(expected)}`);
  }
}

function ruleAt(rules: Rules | undefined, path: string): Matcher[] | undefined {
  if (!rules) return undefined;
  for (const [p, r] of Object.entries(rules)) if (new RegExp(`${jsonPathPattern(p).source.replace(/\(\?=\$\|\[\.\[\]\)$/, '')}$`).test(path)) return r.matchers;
  return undefined;
}

/** Body comparison under matching rules; returns the problems (empty when allowed). */
function compareBody(expected: unknown, actual: unknown, rules: Rules | undefined, redact: Redactor, path = '$', cascade = false): string[] {
  const matchers = ruleAt(rules, path);
  if (matchers) {
    const problems = matchers.map((m) => applyMatcher(m, expected, actual)).filter((p): p is string => !!p);
    if (problems.length) return problems.map((p) => `${path}: ${p}`);
    cascade = cascade || matchers.some((m) => m.match === 'type');
    if (kind(expected) !== 'object' && kind(expected) !== 'array') return [];
  }
  if (kind(expected) !== kind(actual)) return [`${path}: expected a ${kind(expected)}, got ${kind(actual)}`];
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    if (!cascade && a.length !== expected.length) return [`${path}: expected ${expected.length} items, got ${a.length}`];
    return a.flatMap((v, i) => compareBody(expected[Math.min(i, expected.length - 1)], v, rules, redact, `${path}[${i}]`, cascade));
  }
  if (expected && typeof expected === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const extra = Object.keys(a).filter((k) => !(k in e)).map((k) => `${path}.${k}: not in the pact`);
    const missing = Object.keys(e).filter((k) => !(k in a)).map((k) => `${path}.${k}: missing`);
    return [...extra, ...missing, ...Object.keys(e).filter((k) => k in a).flatMap((k) => compareBody(e[k], a[k], rules, redact, `${path}.${k}`, cascade))];
  }
  if (cascade) return [];
  const seen = redact.json(expected);
  return JSON.stringify(seen) === JSON.stringify(actual) ? [] : [`${path}: expected ${JSON.stringify(seen)}, got ${JSON.stringify(actual)}`];
}

const FORM = 'application/x-www-form-urlencoded';

/**
 * A form body (Mailgun's messages) is compared field by field as an object: the pact holds the encoded form with
 * rules at `$.field`, `$['o:tag']` and `$.to[*]` (pact_ffi's form-urlencoded body); each side becomes field →
 * value, or field → values when the field repeats or the pact matches it as a list.
 */
function formBodies(expectedText: string, actual: unknown, rules: Rules | undefined): { expected: unknown; actual: unknown; rules: Rules } {
  const plain: Rules = Object.fromEntries(Object.entries(rules ?? {}).map(([p, r]) => [p.replace(/\['([^']+)'\]/g, '.$1'), r]));
  const lists = new Set(Object.keys(plain).filter((p) => p.endsWith('[*]')).map((p) => p.slice(2, -3)));
  const fields = (text: string) => {
    const form = new URLSearchParams(text);
    const out: Record<string, string | string[]> = {};
    for (const k of new Set(form.keys())) {
      const all = form.getAll(k);
      out[k] = lists.has(k) || all.length > 1 ? all : all[0];
    }
    return out;
  };
  return { expected: fields(expectedText), actual: typeof actual === 'string' ? fields(actual) : actual, rules: plain };
}

/**
 * An AWS JSON protocol body (`application/x-amz-json-1.x`): Pact's core keeps it as (base64) text with one regex
 * at `$` over the whole body in the SDK's member order (contracts/consumer/aws/json-text.ts). A value the recorder
 * redacted (a token hash, a session token) stands in for the pact example's value at the same place before the
 * regex is applied — redacted values are skipped deliberately, they hold no shape to check. When the regex fails,
 * the structure is compared too, so the problem names the key (`$.Extra: not in the pact`).
 */
const AWS_JSON = /^application\/x-amz-json-1\.[01]$/;

function awsJsonBody(body: { content?: unknown; encoded?: unknown }, actual: unknown, rules: Rules | undefined, redact: Redactor): string[] {
  const text = String(body.content ?? '');
  const example: unknown = JSON.parse(body.encoded === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text);
  const regex = rules?.$?.matchers.find((m) => m.match === 'regex')?.regex;
  const seen = withExampleForRedacted(actual, example, redact.rules.marker);
  if (regex && new RegExp(regex).test(JSON.stringify(seen))) return [];
  const structural = compareBody(example, actual, { $: { matchers: [{ match: 'type' }] } }, redact);
  return structural.length ? structural : [`body ${JSON.stringify(actual)} does not match the pact's ${regex ? `/${regex}/` : 'example'}`];
}

function withExampleForRedacted(actual: unknown, example: unknown, marker: string): unknown {
  if (actual === marker && typeof example === 'string') return example;
  if (Array.isArray(actual)) return actual.map((v, i) => withExampleForRedacted(v, Array.isArray(example) ? example[Math.min(i, example.length - 1)] : undefined, marker));
  if (actual && typeof actual === 'object') {
    const e = (example && typeof example === 'object' ? example : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, withExampleForRedacted(v, e[k], marker)]));
  }
  return actual;
}

/** Signing headers the recorder drops per call (they change with every request); the pact still pins them for the provider. */
const UNRECORDED_HEADERS = new Set(['x-amz-date']);

const header = (h: Record<string, string>, name: string) => Object.entries(h).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** Why an interaction does not allow a fixture's request (empty: it does). */
export function mismatches(i: PactInteraction, fx: UpstreamInteraction, redact: Redactor): string[] {
  const r = i.request;
  const out: string[] = [];
  if (r.method.toUpperCase() !== fx.request.method) return [`method ${fx.request.method} is not ${r.method}`];
  const pathRule = r.matchingRules?.path?.matchers;
  const pathProblem = pathRule ? pathRule.map((m) => applyMatcher(m, r.path, fx.request.path)).find(Boolean) : redact.url(r.path) === fx.request.path ? undefined : `path ${fx.request.path} is not ${redact.url(r.path)}`;
  if (pathProblem) out.push(pathProblem);
  const q = new URLSearchParams(fx.request.query);
  for (const [k, vals] of Object.entries(r.query ?? {})) {
    const got = q.getAll(k);
    const rule = r.matchingRules?.query?.[k]?.matchers;
    // A value the recorder masked (a presigned URL's signature and credential) stands in for the example: no shape to check.
    const masked = (g: string) => g === redact.rules.marker;
    const bad = rule
      ? got.length === 0 || got.some((g) => !masked(g) && rule.some((m) => applyMatcher(m, vals[0], g)))
      : got.length !== vals.length || got.some((g, i) => !masked(g) && g !== redact.string(vals[i]));
    if (bad) out.push(`query ${k}=${got.join(',')} is not ${vals.join(',')}`);
  }
  for (const k of q.keys()) if (!(k in (r.query ?? {}))) out.push(`query ${k} is not in the pact`);
  for (const [name, v] of Object.entries(r.headers ?? {})) {
    const want = Array.isArray(v) ? v.join(', ') : v;
    const got = header(fx.request.headers, name);
    const rule = r.matchingRules?.header?.[name]?.matchers ?? r.matchingRules?.header?.[name.toLowerCase()]?.matchers;
    if (got === undefined && UNRECORDED_HEADERS.has(name.toLowerCase())) continue;
    if (got === undefined) { out.push(`header ${name} is missing`); continue; }
    if (redact.header(name, want) === got || (name.toLowerCase() === 'content-type' && got.split(';')[0] === want.split(';')[0])) continue;
    const bad = rule ? rule.map((m) => applyMatcher(m, want, got)).find(Boolean) : `"${got}" is not "${redact.header(name, want)}"`;
    if (bad) out.push(`header ${name}: ${bad}`);
  }
  const expected = r.body?.content;
  if (expected === undefined) { if (fx.request.body !== undefined) out.push('a body the pact does not send'); }
  else if (r.body?.contentType === FORM && typeof expected === 'string') {
    const form = formBodies(expected, fx.request.body, r.matchingRules?.body);
    out.push(...compareBody(form.expected, form.actual, form.rules, redact));
  } else if (AWS_JSON.test(r.body?.contentType ?? '')) out.push(...awsJsonBody(r.body!, fx.request.body, r.matchingRules?.body, redact));
  else out.push(...compareBody(expected, fx.request.body, r.matchingRules?.body, redact));
  return out;
}

export interface CheckResult { fixture: UpstreamInteraction; allowedBy?: string; problems: string[] }

/** Each fixture against the pact's interactions: allowed by one, or the closest one's problems. */
export function checkFixtures(fixtures: UpstreamInteraction[], interactions: PactInteraction[], redact: Redactor): CheckResult[] {
  return fixtures.map((fx) => {
    let best: { i: PactInteraction; problems: string[]; score: number } | undefined;
    for (const i of interactions) {
      const problems = mismatches(i, fx, redact);
      if (problems.length === 0) return { fixture: fx, allowedBy: i.description, problems: [] };
      // Closest: same method and path first, then fewest problems.
      const score = problems.length + (problems[0].startsWith('method') ? 1000 : 0) + (problems.some((p) => p.startsWith('path')) ? 100 : 0);
      if (!best || score < best.score) best = { i, problems, score };
    }
    return { fixture: fx, problems: best ? [`closest: "${best.i.description}"`, ...best.problems] : ['the pact has no interactions'] };
  });
}
