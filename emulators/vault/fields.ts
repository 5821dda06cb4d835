/**
 * Vault's sdk/framework field types, decoded the way Vault decodes them: weakly (mapstructure.WeakDecode), so the
 * `vault` CLI's all-string bodies (`token_ttl=1h`, `bind_secret_id=false`, `token_policies=a,b`) and JSON clients'
 * typed bodies mean the same. A value that cannot be decoded fails the whole request with
 * "Field validation failed: error converting input <v> for field "<name>": <reason>" (framework/backend.go,
 * field_data.go); parameters a path does not know are ignored with a warning.
 */
import { badRequest } from './errors.ts';
import { parseDurationSeconds } from './duration.ts';

export type FieldType =
  | 'string' | 'lowercase-string' | 'int' | 'bool' | 'duration' | 'signed-duration' | 'comma-string-slice' | 'string-slice' | 'map' | 'kv-pairs' | 'slice';

export interface FieldSchema {
  type: FieldType;
  default?: unknown;
}

export type Fields = Record<string, FieldSchema>;

type Decoded = string | number | boolean | string[] | unknown[] | Record<string, unknown>;

/** Typed access to a request's data against a path's schema (framework.FieldData). */
export class FieldData {
  constructor(
    readonly raw: Record<string, unknown>,
    private readonly schema: Fields,
  ) {}

  /** The decoded value, or undefined when the client did not send it. */
  getOk<T extends Decoded>(name: string): T | undefined {
    const s = this.schema[name];
    if (!s) throw new Error(`field ${name} not in the schema`);
    if (!(name in this.raw) || this.raw[name] === null) return undefined;
    return decode(this.raw[name], s.type) as T;
  }

  /** The decoded value, else the schema's default, else the type's zero value (FieldData.Get). */
  get<T extends Decoded>(name: string): T {
    const v = this.getOk<T>(name);
    if (v !== undefined) return v;
    const s = this.schema[name];
    if (s.default !== undefined) return (s.type.endsWith('duration') ? parseDurationSeconds(s.default) : s.default) as T;
    return zero(s.type) as T;
  }

  /** The first of several names the client sent (FieldData.GetFirst, for deprecated aliases). */
  getFirst<T extends Decoded>(...names: string[]): T | undefined {
    for (const n of names) {
      const v = this.getOk<T>(n);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  has(name: string): boolean {
    return name in this.raw && this.raw[name] !== null;
  }
}

/** Check every known field decodes (framework Validate) and list the unknown ones for the warning. */
export function validateFields(raw: Record<string, unknown>, schema: Fields): string[] {
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const s = schema[name];
    if (!s) {
      ignored.push(name);
      continue;
    }
    if (value === null) continue;
    try {
      decode(value, s.type);
    } catch (e) {
      // sdk/framework/backend.go HandleRequest + field_data.go Validate.
      throw badRequest(`Field validation failed: error converting input ${goValue(value)} for field "${name}": ${(e as Error).message}`);
    }
  }
  return ignored.sort();
}

// sdk/framework/backend.go: the warning added for parameters the path does not declare.
export const ignoredWarning = (ignored: string[]): string => `Endpoint ignored these unrecognized parameters: [${ignored.join(' ')}]`;

function zero(t: FieldType): Decoded {
  switch (t) {
    case 'string': case 'lowercase-string': return '';
    case 'int': case 'duration': case 'signed-duration': return 0;
    case 'bool': return false;
    case 'comma-string-slice': case 'string-slice': case 'slice': return [];
    case 'map': case 'kv-pairs': return {};
  }
}

/** Decode one value; the thrown message is the reason Vault's decoder gives. */
export function decode(v: unknown, t: FieldType): Decoded {
  switch (t) {
    case 'string': return asString(v);
    case 'lowercase-string': return asString(v).toLowerCase();
    case 'int': return asInt(v);
    case 'bool': return asBool(v);
    case 'duration': return unsignedSeconds(parseDurationSeconds(v));
    case 'signed-duration': return parseDurationSeconds(v);
    case 'comma-string-slice': return commaSlice(v);
    case 'string-slice': return Array.isArray(v) ? v.map(asString) : [asString(v)];
    case 'slice': return Array.isArray(v) ? v : [v];
    case 'map': return asMap(v);
    case 'kv-pairs': return kvPairs(v);
  }
}

// field_data.go: TypeDurationSecond refuses what TypeSignedDurationSecond allows.
function unsignedSeconds(n: number): number {
  if (n < 0) throw new Error(`cannot provide negative value '${n}'`);
  return n;
}

// mapstructure weak decoding messages (github.com/mitchellh/mapstructure decode.go).
function asString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? '1' : '0';
  throw new Error(`'' expected type 'string', got unconvertible type '${goType(v)}', value: '${goValue(v)}'`);
}

function asInt(v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot parse '' as int: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Math.trunc(v);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    if (v === '') return 0;
    if (!/^[+-]?\d+$/.test(v.trim())) throw new Error(`cannot parse '' as int: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number.parseInt(v, 10);
  }
  throw new Error(`'' expected type 'int', got unconvertible type '${goType(v)}', value: '${goValue(v)}'`);
}

// strconv.ParseBool's accepted spellings.
const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

function asBool(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') {
    if (v === '') return false;
    if (TRUE.includes(v)) return true;
    if (FALSE.includes(v)) return false;
    throw new Error(`cannot parse '' as bool: strconv.ParseBool: parsing "${v}": invalid syntax`);
  }
  throw new Error(`'' expected type 'bool', got unconvertible type '${goType(v)}', value: '${goValue(v)}'`);
}

/** parseutil.ParseCommaStringSlice: a comma-separated string or a list; entries are trimmed, empties dropped. */
function commaSlice(v: unknown): string[] {
  const parts = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v.map(asString) : [asString(v)];
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

function asMap(v: unknown): Record<string, unknown> {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  throw new Error(`'' expected a map, got '${goKind(v)}'`);
}

/** framework TypeKVPairs: an object of strings, or a list of "key=value" strings. */
function kvPairs(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const item of v) {
      const s = asString(item);
      const eq = s.indexOf('=');
      if (eq < 0) throw new Error(`invalid key value pair ${JSON.stringify(s)}`);
      out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  const m = asMap(v);
  return Object.fromEntries(Object.entries(m).map(([k, x]) => [k, asString(x)]));
}

/** Go's %v rendering of a decoded JSON value, as Vault's messages print it. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}

function goType(v: unknown): string {
  if (Array.isArray(v)) return '[]interface {}';
  if (v && typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return 'json.Number';
  return typeof v;
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'number') return 'string';
  return typeof v;
}
