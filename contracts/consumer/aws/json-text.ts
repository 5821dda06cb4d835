/**
 * AWS JSON protocol bodies as Pact text bodies. Pact's core treats only `application/json`-like types as JSON and
 * compares `application/x-amz-json-1.x` bodies as text (pact-core 19.2: matchers inside such a body are stored,
 * not applied, and `jsonBody()` would rewrite the content type). So a template of plain values and V3 matchers
 * becomes the example text plus one anchored regex over the whole body at `$`, in the member order the SDK
 * serializes. Answers get a shallow regex: the one member the proxy reads, whatever order the provider writes.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';

type Template = unknown;
interface Matcher { 'pact:matcher:type': string; value?: unknown; regex?: string; min?: number }

const isMatcher = (v: unknown): v is Matcher => !!v && typeof v === 'object' && 'pact:matcher:type' in v;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const STRING = '"(?:[^"\\\\]|\\\\.)*"';
const NUMBER = '-?\\d+(?:\\.\\d+)?';
// Two levels of nesting cover a DynamoDB attribute map ({":m": {"S": "…"}}); Pact's regex engine has no recursion.
const FLAT = '\\{[^{}]*\\}';
const OBJECT = `\\{(?:[^{}]|${FLAT})*\\}`;
const strip = (re: string) => re.replace(/^\^/, '').replace(/\$$/, '');

/** The regex (unanchored) that a body text matches for this template. */
function pattern(t: Template): string {
  if (isMatcher(t)) {
    switch (t['pact:matcher:type']) {
      case 'regex': return `"${strip(t.regex ?? '')}"`;
      case 'integer': return '-?\\d+';
      case 'type': {
        const v = t.value;
        if (typeof v === 'string') return STRING;
        if (typeof v === 'number') return NUMBER;
        if (typeof v === 'boolean') return '(?:true|false)';
        if (Array.isArray(v)) { const e = pattern(v[0]); return `\\[(?:${e}(?:,${e})*)?\\]`; }
        if (t.min !== undefined) { const e = pattern(v); return `\\[${e}(?:,${e})*\\]`; }
        return OBJECT;
      }
      default: throw new Error(`json-text: unsupported matcher ${t['pact:matcher:type']}`);
    }
  }
  if (Array.isArray(t)) return `\\[${t.map(pattern).join(',')}\\]`;
  if (t && typeof t === 'object') return `\\{${Object.entries(t).map(([k, v]) => `${esc(JSON.stringify(k))}:${pattern(v)}`).join(',')}\\}`;
  return esc(JSON.stringify(t));
}

export interface JsonText { example: string; regex: string }

export function jsonText(template: Template): JsonText {
  return { example: JSON.stringify(M.reify(template as never)), regex: `^${pattern(template)}$` };
}

/** An answer checked only for the member the proxy reads (`"Item":{`, `"Value":"` …). */
export function answerWith(template: Template, member?: string): JsonText {
  const example = JSON.stringify(M.reify(template as never));
  return { example, regex: member ? `^\\{.*${esc(JSON.stringify(member))}:.*\\}$` : '^\\{.*\\}$' };
}
