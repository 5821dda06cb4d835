/**
 * PII sanitising of outbound payloads (seed 001, step 2 "PII Data Handling"): fields that must never be stored in a
 * third party are dropped, at any depth; fields needed only for matching are replaced by `<field>_hash` =
 * SHA-256(value + PII_SALT), as the seed computes it, the plain value dropped unless configured to be kept.
 * Applied to every outbound body by `withPiiSanitiser` (pii-client.ts), never per route.
 *
 * Field names match whatever their spelling: case, `_`, `-` and spaces are ignored, so `credit_card`,
 * `creditCard` and `Credit-Card` are one field.
 */
import { createHash } from 'node:crypto';
import { EnvReader } from './config.ts';
import { ProxyError } from './errors.ts';

/** The seed's list, plus the card and account numbers the proxy dropped before it (proxy/routes/customerio). */
export const DEFAULT_DROP_FIELDS = ['ssn', 'social_security_number', 'password', 'credit_card', 'card_number', 'cvc', 'cvv', 'bank_account', 'iban'];
export const DEFAULT_HASH_FIELDS = ['phone', 'address', 'date_of_birth'];

/** Deeper bodies are refused rather than sent half-inspected (no route builds anything near this deep). */
export const MAX_DEPTH = 64;

export interface PiiConfig {
  dropFields: string[];
  hashFields: string[];
  /** Keep the plain value of a hashed field beside its hash (default false: the plain value is dropped). */
  keepPlain: boolean;
}

export function loadPiiConfig(env: Record<string, string | undefined>): PiiConfig {
  const r = new EnvReader(env);
  const list = (name: string, fallback: string[]) => {
    const v = r.optional(name);
    return v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean);
  };
  const keep = r.oneOf('PII_KEEP_PLAIN', ['true', 'false'] as const, 'false');
  const cfg = { dropFields: list('PII_DROP_FIELDS', DEFAULT_DROP_FIELDS), hashFields: list('PII_HASH_FIELDS', DEFAULT_HASH_FIELDS), keepPlain: keep === 'true' };
  const both = cfg.dropFields.filter((f) => cfg.hashFields.map(norm).includes(norm(f)));
  if (both.length) r.problems.push(`PII_DROP_FIELDS and PII_HASH_FIELDS both name ${both.join(', ')}; a field is either dropped or hashed`);
  r.done();
  return cfg;
}

const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface SanitiseResult<T> {
  value: T;
  /** Normalised names of the fields dropped or hashed (for the caller's log; never their values). */
  touched: string[];
}

export class PiiSanitiser {
  private readonly drop: Set<string>;
  private readonly hash: Set<string>;
  /** Cheap pre-check: a body that contains none of the names (in any spelling) is passed without parsing. */
  private readonly mention: RegExp;
  private salt: string | undefined;

  constructor(readonly cfg: PiiConfig, salt?: string) {
    this.drop = new Set(cfg.dropFields.map(norm));
    this.hash = new Set(cfg.hashFields.map(norm));
    const patterns = [...this.drop, ...this.hash].filter(Boolean).map((n) => n.split('').join('[^a-z0-9]*'));
    this.mention = patterns.length ? new RegExp(patterns.join('|'), 'i') : /(?!)/;
    this.salt = salt;
  }

  /** PII_SALT from the secret chain, once it is loaded. Without one, a field to hash is dropped with no hash. */
  useSalt(salt: string | undefined): void {
    this.salt = salt || undefined;
  }

  get hasSalt(): boolean {
    return this.salt !== undefined;
  }

  mayMention(text: string): boolean {
    return this.mention.test(text);
  }

  /** A copy of `value` without dropped fields and with hashed ones replaced; `keep` names fields to leave alone. */
  sanitise<T>(value: T, keep: ReadonlySet<string> = NONE): SanitiseResult<T> {
    const touched: string[] = [];
    const out = this.walk(value, keep, touched, 0) as T;
    return { value: out, touched };
  }

  /** The decision for one field name: its kind and, for a hashed field, the name its hash goes under. */
  classify(name: string, keep: ReadonlySet<string> = NONE): 'drop' | 'hash' | 'keep' {
    const n = norm(name);
    if (keep.has(n)) return 'keep';
    return this.drop.has(n) ? 'drop' : this.hash.has(n) ? 'hash' : 'keep';
  }

  /** SHA-256 over value + salt, hex (the seed's `hashPII`); a non-string is hashed as its JSON. */
  hashOf(value: unknown): string | null | undefined {
    if (value === null) return null;
    if (!this.salt) return undefined;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return createHash('sha256').update(text + this.salt, 'utf8').digest('hex');
  }

  private walk(value: unknown, keep: ReadonlySet<string>, touched: string[], depth: number): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_DEPTH) throw new ProxyError(400, 'payload_too_deep', `the payload nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, keep, touched, depth + 1));
    // No prototype: a `__proto__` key from a parsed body stays an ordinary field.
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const kind = this.classify(k, keep);
      if (kind === 'keep') {
        if (!(k in out)) out[k] = this.walk(v, keep, touched, depth + 1);
        continue;
      }
      touched.push(norm(k));
      if (kind === 'hash') {
        const h = this.hashOf(v);
        if (h !== undefined) out[`${k}_hash`] = h;
        if (this.cfg.keepPlain) out[k] = this.walk(v, keep, touched, depth + 1);
      }
    }
    return out;
  }
}

const NONE: ReadonlySet<string> = new Set();

/** Normalised names for a `keep` set (exemptions are written in any spelling too). */
export const fieldSet = (names: string[]): ReadonlySet<string> => new Set(names.map(norm));
