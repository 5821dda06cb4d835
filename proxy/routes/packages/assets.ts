/**
 * Where a package's viewer assets live, and the only paths a caller may ask for inside it. The path arrives
 * already percent-decoded once (query parsing); anything still encoded, absolute, dotted or odd is refused
 * rather than normalised, so no spelling can climb out of the package's prefix.
 */
import { badRequest } from '../../core/errors.ts';

export const assetPrefix = (orgId: number, datasetId: number, packageId: number): string => `O${orgId}/D${datasetId}/P${packageId}/`;

const MAX_PATH = 1024;

export function confineAssetPath(path: string): string {
  const bad = (why: string) => badRequest('invalid_path', `path ${why}`);
  if (path.length === 0) throw bad('is empty');
  if (path.length > MAX_PATH) throw bad(`is longer than ${MAX_PATH} characters`);
  if (path.startsWith('/')) throw bad('must be relative to the package');
  if (/[\x00-\x1f\x7f\\]/.test(path)) throw bad('contains control characters or backslashes');
  // A "%" left after decoding is a second encoding layer (%252e%252e) — the classic traversal disguise.
  if (path.includes('%')) throw bad('must not be percent-encoded twice');
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw bad('must not contain empty, "." or ".." segments');
  return path;
}
