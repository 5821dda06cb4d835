/**
 * JSON with explicit limits, for every server in the project that parses a body it did not write (the proxy, the
 * fakes' wire routes and admin APIs, the AWS edge's JSON services). V8's `JSON.parse` is iterative and takes any
 * depth, but everything after it recurses — `JSON.stringify`, ajv, structured logging, deep copies — so a body
 * nested 100,000 deep parses fine and then overflows the stack somewhere far from the request. The depth is
 * therefore measured first, by one linear pass over the bytes that counts brackets outside strings, and a body
 * over a limit is refused before `JSON.parse` (or any library) sees it.
 *
 * Framework-free on purpose: the Lambda bundles use it through `proxy/core/app.ts`, the emulators directly.
 */

export interface JsonLimits {
  /** Largest body in bytes. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects: `{}` is depth 1, `{"a":[1]}` depth 2. */
  maxDepth: number;
}

/**
 * Defaults for request bodies: 1 MiB, 64 levels. No API these servers speak nests anywhere near 64 levels
 * (the deepest is a DynamoDB item, whose 32 attribute levels take two JSON levels each: the AWS edge allows 128).
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 64 };

export type JsonProblem = 'too_large' | 'too_deep' | 'invalid';

export type JsonVerdict =
  | { ok: true; value: unknown }
  | { ok: false; problem: JsonProblem; /** A sentence that names the limit, safe to show a client. */ message: string };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * The deepest nesting in `bytes`, counting `[`/`{` outside strings, or `limit + 1` as soon as it goes past
 * `limit` (so a hostile body costs at most one pass and stops early). Malformed JSON still gets a number; the
 * parser that runs afterwards rejects it. UTF-8 continuation bytes are >= 0x80, so a byte scan is exact.
 */
export function jsonDepth(bytes: Uint8Array, limit = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
      continue;
    }
    if (b === QUOTE) inString = true;
    else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) depth--;
  }
  return deepest;
}

/** Parse a body as JSON within `limits`; never throws. An empty body is invalid (callers decide what empty means). */
export function parseJsonWithin(body: Uint8Array | string, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonVerdict {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (bytes.length > limits.maxBytes) {
    return { ok: false, problem: 'too_large', message: `JSON body is ${bytes.length} bytes; the limit is ${limits.maxBytes}` };
  }
  const depth = jsonDepth(bytes, limits.maxDepth);
  if (depth > limits.maxDepth) {
    return { ok: false, problem: 'too_deep', message: `JSON nesting is deeper than ${limits.maxDepth} levels (the limit)` };
  }
  try {
    const text = typeof body === 'string' ? body : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, problem: 'invalid', message: `body is not valid JSON: ${(e as Error).message}` };
  }
}

/** Parse, and require a JSON object (not an array, string, number, boolean or null). */
export type JsonObjectVerdict = Exclude<JsonVerdict, { ok: true }> | { ok: true; value: Record<string, unknown> };

export function parseJsonObjectWithin(body: Uint8Array | string, limits: JsonLimits = DEFAULT_JSON_LIMITS): JsonObjectVerdict {
  const v = parseJsonWithin(body, limits);
  if (!v.ok) return v;
  if (v.value === null || typeof v.value !== 'object' || Array.isArray(v.value)) {
    return { ok: false, problem: 'invalid', message: `body must be a JSON object, not ${describeJson(v.value)}` };
  }
  return { ok: true, value: v.value as Record<string, unknown> };
}

export function describeJson(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
