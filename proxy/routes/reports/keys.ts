/**
 * Where reports live in the bucket, and which keys a caller may name. Layout (README "Mail"):
 *   <prefix><customId>/<yyyy>/<mm>/<file>.pdf        e.g. reports/DN-1001/2025/07/royalty-statement.pdf
 * A caller-supplied key or prefix is checked here once; everything after works on a trusted string.
 */
import { badRequest } from '../../core/errors.ts';

/** File types the browser may hand out (seed 002: S3SecurityConfig.allowedFileTypes). */
export const ALLOWED_TYPES = ['.pdf', '.csv', '.xlsx', '.zip'];

export const monthFolder = (prefix: string, customId: string, year: string, month: string) => `${prefix}${customId}/${year}/${month.padStart(2, '0')}/`;

/**
 * A prefix to list: relative to the reports prefix or starting with it; no traversal, no absolute path, no
 * percent-encoding games (it arrives decoded once from the query string; a remaining "%" is refused).
 */
export function checkPrefix(reportsPrefix: string, raw: string | null): string {
  const value = raw ?? '';
  refuseTricks(value, 'prefix');
  const full = value.startsWith(reportsPrefix) ? value : reportsPrefix + value;
  if (full !== reportsPrefix && !full.endsWith('/')) throw badRequest('invalid_prefix', 'prefix must name a folder (end with "/")');
  return full;
}

/** A key to presign: inside the reports prefix, an allowed file type, no traversal. */
export function checkKey(reportsPrefix: string, raw: string | null): string {
  if (!raw) throw badRequest('key_required', 'the key query parameter is required');
  refuseTricks(raw, 'key');
  if (!raw.startsWith(reportsPrefix)) throw badRequest('key_outside_reports', `key must start with ${reportsPrefix}`);
  if (raw.endsWith('/')) throw badRequest('invalid_key', 'key names a folder, not a file');
  const lower = raw.toLowerCase();
  if (!ALLOWED_TYPES.some((t) => lower.endsWith(t))) throw badRequest('file_type_not_allowed', `only ${ALLOWED_TYPES.join(', ')} files can be downloaded`);
  return raw;
}

function refuseTricks(value: string, what: string): void {
  if (value.length > 1024) throw badRequest(`invalid_${what}`, `${what} is longer than 1024 characters`);
  if (value.startsWith('/') || value.startsWith('\\') || /^[a-z]+:/i.test(value)) throw badRequest(`invalid_${what}`, `${what} must be relative to the reports folder`);
  if (value.split(/[\\/]/).some((seg) => seg === '..' || seg === '.')) throw badRequest(`invalid_${what}`, `${what} may not contain "." or ".." segments`);
  if (value.includes('%')) throw badRequest(`invalid_${what}`, `${what} may not contain percent-encoded characters`);
  // Control characters (NUL, CR, LF …) and backslashes never belong in a report key.
  if (/[\u0000-\u001f\u007f\\]/.test(value)) throw badRequest(`invalid_${what}`, `${what} contains a forbidden character`);
}
