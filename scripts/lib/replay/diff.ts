/**
 * Semantic comparison of a recorded response with a live one: status, the chosen headers (media type only for
 * Content-Type), and JSON bodies structurally — volatile keys, volatile kinds of value and per-route ignored paths
 * pass; everything else must be equal. Non-JSON bodies compare as text.
 */
import { rulesFor, type CompareRules } from './rules.ts';

export interface Difference { where: string; expected: unknown; actual: unknown; note?: string }

export interface Observed { status: number; headers: Record<string, string>; body: string }

/** The object a presigned URL names: its path. Host and port are the deployment's (a stack's random port, S3's region host). */
const objectOf = (url: string): string | undefined => { try { return new URL(url).pathname; } catch { return undefined; } };

function headerValue(name: string, v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return name === 'content-type' ? v.split(';')[0].trim().toLowerCase() : v;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text || !/^\s*[[{"\d tfn-]/.test(text)) return { ok: false };
  try { return { ok: true, value: JSON.parse(text) }; } catch { return { ok: false }; }
}

export function compareResponses(rules: CompareRules, method: string, path: string, expected: Observed, actual: Observed): Difference[] {
  const r = rulesFor(rules, method, path);
  const out: Difference[] = [];
  if (expected.status !== actual.status) out.push({ where: 'status', expected: expected.status, actual: actual.status });
  for (const h of r.headers) {
    const e = headerValue(h, expected.headers[h]);
    const a = headerValue(h, actual.headers[h]);
    // A header the recording lacks is not asserted: exporters drop some, and old captures predate new headers.
    if (e !== undefined && e !== a && !volatileValue(rules, e, a)) out.push({ where: `header ${h}`, expected: e, actual: a });
  }
  if (r.body === 'ignore') return out;
  const ej = parseJson(expected.body);
  const aj = parseJson(actual.body);
  if (ej.ok && aj.ok) compareJson(rules, r.ignore, '$', ej.value, aj.value, out);
  else if (expected.body !== actual.body) out.push({ where: 'body', expected: clip(expected.body), actual: clip(actual.body) });
  return out;
}

const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}… (${s.length} chars)` : s);
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Both values of the same volatile kind (a ULID for a ULID), or both presigned URLs to the same object path. */
function volatileValue(rules: CompareRules, e: unknown, a: unknown): boolean {
  if ((typeof e !== 'string' && typeof e !== 'number') || (typeof a !== 'string' && typeof a !== 'number')) return false;
  const es = String(e);
  const as = String(a);
  for (const [kind, re] of rules.valueKinds) {
    if (!re.test(es) || !re.test(as)) continue;
    if (kind !== 'presigned-url') return true;
    return objectOf(es) === objectOf(as);
  }
  return false;
}

function compareJson(rules: CompareRules, ignore: RegExp[], path: string, e: unknown, a: unknown, out: Difference[]): void {
  if (ignore.some((re) => re.test(path))) return;
  const et = typeOf(e);
  const at = typeOf(a);
  const key = /(?:\.([^.[]+)|\[\d+\])$/.exec(path)?.[1];
  if (key !== undefined && rules.volatileKeys.has(key) && et === at && et !== 'object' && et !== 'array') return;
  if (et !== at) { out.push({ where: path, expected: e, actual: a, note: `${et} vs ${at}` }); return; }
  if (et === 'array') {
    const ea = e as unknown[];
    const aa = a as unknown[];
    if (ea.length !== aa.length) out.push({ where: path, expected: `${ea.length} items`, actual: `${aa.length} items` });
    for (let i = 0; i < Math.min(ea.length, aa.length); i++) compareJson(rules, ignore, `${path}[${i}]`, ea[i], aa[i], out);
    return;
  }
  if (et === 'object') {
    const eo = e as Record<string, unknown>;
    const ao = a as Record<string, unknown>;
    for (const k of new Set([...Object.keys(eo), ...Object.keys(ao)])) {
      const p = `${path}.${k}`;
      if (!(k in ao)) { if (!ignore.some((re) => re.test(p))) out.push({ where: p, expected: eo[k], actual: undefined, note: 'missing' }); continue; }
      if (!(k in eo)) { if (!ignore.some((re) => re.test(p))) out.push({ where: p, expected: undefined, actual: ao[k], note: 'unexpected' }); continue; }
      compareJson(rules, ignore, p, eo[k], ao[k], out);
    }
    return;
  }
  if (e !== a && !volatileValue(rules, e, a)) out.push({ where: path, expected: e, actual: a });
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'string' && /items$/.test(v) ? v : JSON.stringify(v)?.slice(0, 160) ?? String(v));

/** One line per difference, indented under the request it belongs to. */
export function formatDifferences(diffs: Difference[], indent = '    '): string {
  return diffs.map((d) => `${indent}${d.where}: expected ${show(d.expected)}, got ${show(d.actual)}${d.note ? ` (${d.note})` : ''}`).join('\n');
}
