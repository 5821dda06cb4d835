/**
 * A KV v2 key's custom_metadata as path_metadata.go takes it (vault-plugin-secrets-kv): values weakly decoded to
 * strings, then every key and value checked, all failures reported together as one go-multierror text.
 */
import { badRequest, multiError } from '../errors.ts';
import { decode } from '../fields.ts';

// path_metadata.go constants.
const MAX_KEYS = 64;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 512;
const PREFIX = 'custom_metadata validation failed';

/** A value `null` in a patch removes that key (JSON merge patch), so it is kept as null there. */
export type CustomMetadataInput = Record<string, string | null>;

/** parseCustomMetadata + validateCustomMetadata; `patch` keeps nulls (they delete on merge) and skips them in checks. */
export function parseCustomMetadata(raw: Record<string, unknown>, patch: boolean): CustomMetadataInput {
  const out: CustomMetadataInput = {};
  for (const [k, v] of Object.entries(raw)) {
    if (patch && v === null) {
      out[k] = null;
      continue;
    }
    try {
      out[k] = v === null ? '' : (decode(v, 'string') as string);
    } catch (e) {
      throw badRequest(`${PREFIX}: ${(e as Error).message}`);
    }
  }
  const problems = validate(Object.entries(out).filter((e): e is [string, string] => e[1] !== null));
  if (problems.length > 0) throw badRequest(multiError(problems));
  return out;
}

function validate(entries: [string, string][]): string[] {
  if (entries.length > MAX_KEYS) return [`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${entries.length}`];
  const problems: string[] = [];
  // Go ranges over a map in random order; sorted here so the text is stable.
  for (const [key, value] of entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const keyLen = Buffer.byteLength(key);
    if (keyLen === 0 || keyLen > MAX_KEY_LENGTH) {
      problems.push(`${PREFIX}: length of key ${goQuote(key)} is ${keyLen} but must be 0 < len(key) <= ${MAX_KEY_LENGTH}`);
    }
    const valueLen = Buffer.byteLength(value);
    if (valueLen === 0 || valueLen > MAX_VALUE_LENGTH) {
      problems.push(`${PREFIX}: length of value for key ${goQuote(key)} is ${valueLen} but must be 0 < len(value) <= ${MAX_VALUE_LENGTH}`);
    }
    if (!printable(key)) problems.push(`${PREFIX}: key ${goQuote(key)} (${key}) contains unprintable characters`);
    if (!printable(value)) problems.push(`${PREFIX}: value for key ${goQuote(key)} contains unprintable characters`);
  }
  return problems;
}

// strutil.Printable: every rune passes unicode.IsPrint (letters, marks, numbers, punctuation, symbols, ASCII space).
const printable = (s: string): boolean => /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u.test(s);

// Go's %q: a double-quoted string with non-printable runes escaped (\u200b), as strconv.Quote writes it.
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (printable(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      out += cp < 0x80 ? `\\x${cp.toString(16).padStart(2, '0')}` : cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}
