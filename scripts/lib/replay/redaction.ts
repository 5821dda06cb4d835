/**
 * Record-time redaction, driven by one config file (fixtures/redaction.json). Everything written to disk — HAR
 * captures and upstream fixtures — passes through a Redactor first: sensitive headers, query parameters and body
 * fields become a marker; secret-chain values, Luhn-valid card numbers and emails are replaced wherever they occur;
 * emails and PII fields are hashed so the same input always gives the same placeholder (users stay apart).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_REDACTION_FILE = fileURLToPath(new URL('../../../fixtures/redaction.json', import.meta.url));

/** fixtures/redaction.json `aws`: the secret values AWS itself returns (or is sent), masked in place. */
export interface AwsRedaction { secretValueFields: string[]; secureParameterType: string; dynamodbAttributes: string[] }
const NO_AWS_RULES: AwsRedaction = { secretValueFields: [], secureParameterType: 'SecureString', dynamodbAttributes: [] };
const DYNAMO_TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'BOOL', 'NULL']);

/** The proxy's AWS calls are named `aws-<service>` (proxy/core/aws-http-handler.ts). */
export const isAwsUpstream = (upstream: string): boolean => upstream.startsWith('aws-');

export interface RedactionRules {
  marker: string;
  headers: string[];
  /** Headers whose auth scheme ("Bearer", "Basic") survives, so a reader still sees which scheme was used. */
  keepScheme: string[];
  queryParams: string[];
  /**
   * Per path, query parameters whose name is on `queryParams` but whose value there is no secret (the reports
   * route's `key` is an S3 object key, not an API key): still scanned as text, never masked.
   */
  keepQueryParams?: Record<string, string[]>;
  bodyFields: string[];
  piiFields: string[];
  hashSalt: string;
  emailPlaceholderDomain: string;
  cardMarker: string;
  aws?: AwsRedaction;
}

export function loadRedactionRules(file: string = DEFAULT_REDACTION_FILE): RedactionRules {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<RedactionRules>;
  const lists = ['headers', 'keepScheme', 'queryParams', 'bodyFields', 'piiFields'] as const;
  for (const k of lists) if (!Array.isArray(raw[k])) throw new Error(`${file}: "${k}" must be a list`);
  for (const k of ['marker', 'hashSalt', 'emailPlaceholderDomain', 'cardMarker'] as const) {
    if (typeof raw[k] !== 'string' || !raw[k]) throw new Error(`${file}: "${k}" must be a non-empty string`);
  }
  return raw as RedactionRules;
}

// Starts only where a run of local-part characters starts: without the lookbehind every position of a long run with
// no "@" after it (a base64 blob, 64 KiB of letters) was tried again, quadratic in the run's length (seconds per body).
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
// 13–19 digits, optionally grouped by spaces or dashes, not glued to other digits.
const CARD_CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly headerSet: Set<string>;
  private readonly schemeSet: Set<string>;
  private readonly querySet: Set<string>;
  private readonly fieldSet: Set<string>;
  private readonly piiSet: Set<string>;

  constructor(readonly rules: RedactionRules = loadRedactionRules(), secretValues: Iterable<string> = []) {
    const lower = (xs: string[]) => new Set(xs.map((x) => x.toLowerCase()));
    this.headerSet = lower(rules.headers);
    this.schemeSet = lower(rules.keepScheme);
    this.querySet = lower(rules.queryParams);
    this.fieldSet = lower(rules.bodyFields);
    this.piiSet = lower(rules.piiFields);
    this.addSecretValues(secretValues);
  }

  /** Values from the secret chain; short values are skipped (replacing "root" everywhere would shred the text). */
  addSecretValues(values: Iterable<string>): void {
    for (const v of values) {
      if (typeof v !== 'string' || v.length < 6) continue;
      this.secrets.add(v);
      const encoded = encodeURIComponent(v);
      if (encoded !== v) this.secrets.add(encoded);
    }
  }

  private hash(value: string): string {
    return createHash('sha256').update(this.rules.hashSalt).update('\0').update(value.toLowerCase()).digest('hex').slice(0, 8);
  }

  /** The stable stand-in for an email: `user-<hash8>@redacted.invalid`. */
  emailPlaceholder(email: string): string {
    return `user-${this.hash(email)}@${this.rules.emailPlaceholderDomain}`;
  }

  isPlaceholder(email: string): boolean {
    return email.toLowerCase().endsWith(`@${this.rules.emailPlaceholderDomain}`);
  }

  /** A PII value's placeholder; an existing placeholder stays as it is, so redacting twice changes nothing. */
  pii(value: string): string {
    return /^pii-[0-9a-f]{8}$/.test(value) ? value : `pii-${this.hash(value)}`;
  }

  /** Secrets, card numbers and emails inside any text. */
  string(s: string): string {
    let out = s;
    for (const v of this.secrets) if (out.includes(v)) out = out.split(v).join(this.rules.marker);
    out = out.replace(CARD_CANDIDATE, (m) => {
      const digits = m.replace(/[ -]/g, '');
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits) ? this.rules.cardMarker : m;
    });
    return out.replace(EMAIL, (m) => (this.isPlaceholder(m) ? m : this.emailPlaceholder(m)));
  }

  headers(h: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) out[k] = this.header(k, v);
    return out;
  }

  header(name: string, value: string): string {
    const n = name.toLowerCase();
    if (!this.headerSet.has(n)) return this.string(value);
    const scheme = this.schemeSet.has(n) ? /^([A-Za-z][\w-]*)\s+\S/.exec(value)?.[1] : undefined;
    return scheme ? `${scheme} ${this.rules.marker}` : this.rules.marker;
  }

  /** A URL or a path with query: each path segment and query value redacted, sensitive parameters masked. */
  url(u: string): string {
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(u);
    if (!m) return this.string(u);
    const [, origin = '', path, query] = m;
    const segments = path.split('/').map((seg) => {
      let decoded: string;
      try { decoded = decodeURIComponent(seg); } catch { return this.string(seg); }
      const red = this.string(decoded);
      return red === decoded ? seg : encodeURIComponent(red);
    });
    return origin + segments.join('/') + (query ? '?' + this.query(query.slice(1), path) : '');
  }

  /** A query string; `path` (the URL's) names parameters `keepQueryParams` keeps there. */
  query(raw: string, path?: string): string {
    if (!raw) return raw;
    const keep = path ? this.rules.keepQueryParams?.[path]?.map((k) => k.toLowerCase()) : undefined;
    return raw.split('&').map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      if (eq < 0) return pair;
      let name = key;
      let value = pair.slice(eq + 1);
      try { name = decodeURIComponent(key); value = decodeURIComponent(value.replace(/\+/g, ' ')); } catch { /* keep raw */ }
      const n = name.toLowerCase();
      const red = this.querySet.has(n) && !keep?.includes(n) ? this.rules.marker : this.string(value);
      return `${key}=${red === value ? pair.slice(eq + 1) : encodeURIComponent(red)}`;
    }).join('&');
  }

  /** A parsed JSON value: sensitive fields masked, PII fields hashed, every string scanned. */
  json(value: unknown, depth = 0): unknown {
    if (depth > 64) return this.rules.marker;
    if (typeof value === 'string') return this.string(value);
    if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) >= 1e12) {
      const red = this.string(String(value));
      return red === String(value) ? value : red;
    }
    if (Array.isArray(value)) return value.map((v) => this.json(v, depth + 1));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.string(k)] = this.field(k, v, depth);
      return out;
    }
    return value;
  }

  private field(key: string, v: unknown, depth: number): unknown {
    const k = key.toLowerCase();
    if (v === null || v === undefined || v === '') return v;
    if (this.fieldSet.has(k)) return this.masked(v, depth);
    if (this.piiSet.has(k) && (typeof v === 'string' || typeof v === 'number')) return this.pii(String(v));
    return this.json(v, depth + 1);
  }

  /**
   * A sensitive field's value: a scalar becomes the marker; an object or array keeps its shape with every scalar
   * masked, so a typed wrapper (DynamoDB's {"S": …}) still reads as one after redaction.
   */
  private masked(v: unknown, depth: number): unknown {
    if (depth > 64 || v === null || typeof v !== 'object') return v === null || typeof v === 'boolean' ? v : this.rules.marker;
    if (Array.isArray(v)) return v.map((x) => this.masked(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.masked(x, depth + 1)]));
  }

  /** A body as text: JSON and form bodies field by field, anything else scanned as text. */
  body(text: string, contentType = ''): string {
    if (!text) return text;
    if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
      try { return JSON.stringify(this.json(JSON.parse(text))); } catch { /* not JSON after all: scan as text */ }
    }
    if (/x-www-form-urlencoded/i.test(contentType)) return this.formQuery(text);
    return this.string(text);
  }

  /**
   * An upstream call's body as the recorder keeps it (upstream fixtures, the local stack's trace view): redacted as
   * text, parsed back when JSON, and for an AWS call the values AWS itself treats as secret masked in place.
   */
  upstreamBody(body: Buffer | string | undefined, contentType: string, upstream: string): unknown {
    const text = Buffer.isBuffer(body) ? body.toString('utf8') : body ?? '';
    if (!text) return undefined;
    const red = this.body(text, contentType);
    if (/json/i.test(contentType)) {
      try { return isAwsUpstream(upstream) ? this.awsSecrets(JSON.parse(red)) : JSON.parse(red); } catch { /* keep the text */ }
    }
    return red;
  }

  /** A parsed AWS JSON body with rules.aws applied: SecureString values, secret values, DynamoDB token attributes. */
  awsSecrets(v: unknown, depth = 0): unknown {
    if (depth > 64 || !v || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.awsSecrets(x, depth + 1));
    const rules = this.rules.aws ?? NO_AWS_RULES;
    const marker = this.rules.marker;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      // SSM GetParameter(s) with WithDecryption: a SecureString's Value is the decrypted secret.
      if (k === 'Value' && o.Type === rules.secureParameterType && typeof x === 'string') out[k] = marker;
      // Secrets Manager GetSecretValue / PutSecretValue.
      else if (rules.secretValueFields.includes(k) && x !== undefined && x !== null) out[k] = marker;
      // DynamoDB attribute values keep their type wrapper ({"S": …}), so the SDK can still unmarshal a played-back item.
      else if (rules.dynamodbAttributes.includes(k) && x && typeof x === 'object' && !Array.isArray(x)) {
        const [type] = Object.keys(x);
        out[k] = DYNAMO_TYPES.has(type) ? { [type]: marker } : this.awsSecrets(x, depth + 1);
      } else out[k] = this.awsSecrets(x, depth + 1);
    }
    return out;
  }

  /** Form bodies mask the same names as JSON bodies (plus query parameter names). */
  private formQuery(text: string): string {
    const params = new URLSearchParams(text);
    const out = new URLSearchParams();
    for (const [k, v] of params) {
      const n = k.toLowerCase();
      out.append(k, this.fieldSet.has(n) || this.querySet.has(n) ? this.rules.marker : this.piiSet.has(n) ? this.pii(v) : this.string(v));
    }
    return out.toString();
  }
}
