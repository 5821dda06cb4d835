/**
 * Keeps credentials out of the request journal's bodies: a sign-in carries a password and a renewal a refresh
 * token. The frame masks credential headers; bodies are this emulator's to clean.
 */
import type { Journal } from '../shared/journal.ts';
import { FAKE_JSON_LIMITS } from '../shared/json-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';

const SECRET_KEY = /^(password|refreshToken|refresh_token|token|accessToken|securityCode|vcn)$/i;
const MASK = '***';

/** Mask secret fields of a JSON body, or of a form/malformed body by pattern. */
export function redactBody(body: string): string {
  if (!body) return body;
  const parsed = parseJsonWithin(body, FAKE_JSON_LIMITS);
  if (parsed.ok) return JSON.stringify(maskValue(parsed.value));
  return body
    .replace(/("(?:password|refreshToken|refresh_token|token|accessToken)"\s*:\s*)"(?:[^"\\]|\\.)*"?/gi, `$1"${MASK}"`)
    .replace(/\b(password|refreshToken|refresh_token|token|accessToken)=[^&\s]*/gi, `$1=${MASK}`);
}

function maskValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskValue);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, SECRET_KEY.test(k) ? MASK : maskValue(x)]));
}

/** Route every journal entry's body through `redactBody` before it is stored (whole, so JSON parses; the journal caps it after). */
export function redactJournalBodies(journal: Journal): void {
  const record = journal.record.bind(journal);
  journal.record = (entry) => record({ ...entry, body: redactBody(typeof entry.body === 'string' ? entry.body : entry.body.toString('utf8')) });
}
