/**
 * The POST policy of a browser upload (sigv4-HTTPPOSTConstructPolicy.html): base64 JSON with `expiration` and
 * `conditions` — exact matches (`{"field": "value"}` or `["eq", "$field", "value"]`), `["starts-with", "$field",
 * "prefix"]` (for Content-Type, each of a comma-separated list) and `["content-length-range", min, max]` — that every
 * form field must meet; a field no condition names is refused (except x-amz-signature, file, policy and x-ignore-*).
 * Condition and field names compare without regard to case, values exactly (observed by LocalStack's recordings
 * against S3; s3-tests case_insensitive_condition_fields). S3's texts as observed: "Invalid according to Policy:
 * Policy expired.", "… Policy Condition failed: [\"eq\", \"$key\", \"…\"]", "… Extra input fields: <name>",
 * EntityTooLarge/EntityTooSmall "… the maximum/minimum allowed size", and InvalidPolicyDocument "Invalid Policy: …"
 * for a document that is not a policy (captures collected in mantle's note 19 §8 and §13, with their sources).
 */
import { S3Error } from '../errors.ts';
import type { FormField } from './form.ts';

const invalidPolicy = (why: string) => new S3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${why}`);
const denied = (why: string) => new S3Error('AccessDenied', 403, `Invalid according to Policy: ${why}`);

type Condition =
  | { op: 'eq' | 'starts-with'; field: string; value: string; source: unknown[] }
  | { op: 'content-length-range'; min: number; max: number; source: unknown[] };

export interface PostPolicy {
  expiration: number;
  conditions: Condition[];
}

/** Decode and check the document's shape (not yet the request against it). */
export function parsePostPolicy(b64: string): PostPolicy {
  const clean = b64.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw invalidPolicy('invalid Base64 encoding.');
  const text = Buffer.from(clean, 'base64').toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const d = doc as Record<string, unknown>;
  // Member names are exact: "CONDITIONS" is an unexpected member (s3-tests condition_is_case_sensitive).
  for (const k of Object.keys(d)) if (k !== 'expiration' && k !== 'conditions') throw invalidPolicy(`Unexpected: '${k.toLowerCase()}'`);
  if (d.expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  if (d.conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  const expiration = typeof d.expiration === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(d.expiration) ? Date.parse(d.expiration) : NaN;
  if (Number.isNaN(expiration)) throw invalidPolicy(`Invalid 'expiration' value: '${String(d.expiration)}'`);
  if (!Array.isArray(d.conditions)) throw invalidPolicy("Invalid 'conditions' value: must be a List.");
  return { expiration, conditions: d.conditions.map(condition) };
}

function condition(c: unknown): Condition {
  if (Array.isArray(c)) {
    if (c.length === 0 || typeof c[0] !== 'string') throw invalidPolicy('Invalid Condition: missing operation identifier.');
    const op = c[0].toLowerCase();
    if (op === 'content-length-range') {
      if (c.length !== 3) throw invalidPolicy('Invalid content-length-range: wrong number of arguments.');
      // Whole numbers or numeric strings ("5", "10" passed on S3); other text fails as a condition when evaluated
      // (403), a fraction is "Invalid JSON." (observed), a negative bound no range at all.
      const n = (v: unknown): number => {
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) throw invalidPolicy('Invalid JSON.');
          if (v < 0) throw invalidPolicy('Invalid content-length-range: the bounds must not be negative.');
          return v;
        }
        return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : -1;
      };
      const [min, max] = [n(c[1]), n(c[2])];
      return { op: 'content-length-range', min, max, source: c };
    }
    if (op !== 'eq' && op !== 'starts-with') throw invalidPolicy(`Invalid Condition: unknown operation '${c[0]}'.`);
    if (c.length !== 3) throw invalidPolicy(`Invalid ${op}: wrong number of arguments.`);
    if (typeof c[1] !== 'string' || typeof c[2] !== 'string') throw invalidPolicy('Invalid JSON.');
    return { op, field: c[1], value: c[2], source: c };
  }
  if (c && typeof c === 'object') {
    const entries = Object.entries(c as Record<string, unknown>);
    if (entries.length !== 1) throw invalidPolicy('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [field, value] = entries[0];
    if (typeof value !== 'string') throw invalidPolicy(value === null ? 'Invalid JSON.' : 'Invalid Simple-Condition: value must be a string.');
    // S3 prints a simple condition as the eq it stands for (boto3#4514's capture).
    return { op: 'eq', field: `$${field}`, value, source: ['eq', `$${field}`, value] };
  }
  throw invalidPolicy('Invalid condition test: must be a List or Object.');
}

/** A condition as S3 prints it in "Policy Condition failed: …": JSON with ", " between items. */
const printed = (c: Condition) => `[${c.source.map((x) => JSON.stringify(x)).join(', ')}]`;

/** Fields the policy need not name (sigv4-HTTPPOSTConstructPolicy.html). */
const EXEMPT = new Set(['x-amz-signature', 'file', 'policy']);

/**
 * Check the upload against the policy, in the policy's order, then that it names every field. `bucket` is the
 * bucket the request was sent to (a policy element, compared as a field).
 */
export function checkPostPolicy(p: PostPolicy, fields: FormField[], bucket: string, fileSize: number, now: number): void {
  if (now > p.expiration) throw denied('Policy expired.');
  const value = (name: string): string | undefined => {
    const lower = name.toLowerCase();
    if (lower === 'bucket') return bucket;
    return fields.find((f) => f.name.toLowerCase() === lower)?.value;
  };
  const named = new Set<string>();
  for (const c of p.conditions) {
    if (c.op === 'content-length-range') {
      if (c.min < 0 || c.max < 0) throw denied(`Policy Condition failed: ${printed(c)}`);
      if (fileSize > c.max) throw new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: String(fileSize), MaxSizeAllowed: String(c.max) });
      if (fileSize < c.min) throw new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: String(fileSize), MinSizeAllowed: String(c.min) });
      continue;
    }
    // A name without "$" names no field: the condition fails (LocalStack's recording of eq without "$").
    const field = c.field.startsWith('$') ? c.field.slice(1) : undefined;
    const got = field === undefined ? undefined : value(field);
    if (field !== undefined) named.add(field.toLowerCase());
    const ok = got !== undefined && (c.op === 'eq' ? got === c.value : startsWith(field!, got, c.value));
    if (!ok) throw denied(`Policy Condition failed: ${printed(c)}`);
  }
  const extra = fields.find((f) => {
    const lower = f.name.toLowerCase();
    return !EXEMPT.has(lower) && !lower.startsWith('x-ignore-') && !named.has(lower);
  });
  if (extra) throw denied(`Extra input fields: ${extra.name}`);
}

/** "Content-Types values for a starts-with condition that include commas are interpreted as lists." */
function startsWith(field: string, got: string, prefix: string): boolean {
  if (field.toLowerCase() === 'content-type') return got.split(',').every((t) => t.trim().startsWith(prefix));
  return got.startsWith(prefix);
}
