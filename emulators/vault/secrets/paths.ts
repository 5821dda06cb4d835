/** Path helpers shared by both KV engines. */
import { notFound } from '../errors.ts';

/** Vault treats "a/b", "/a/b" and "a/b/" as the same secret. */
export const normalizePath = (p: string): string => p.replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/');

/**
 * The keys one level below `prefix`: a secret's name, or a folder's name ending in "/" (KV list docs:
 * "Folders are suffixed with /"). Sorted as Vault's storage listing is.
 */
export function listKeys(paths: Iterable<string>, prefix: string): string[] {
  const base = normalizePath(prefix);
  const start = base ? `${base}/` : '';
  const keys = new Set<string>();
  for (const p of paths) {
    if (!p.startsWith(start) || p === base) continue;
    const rest = p.slice(start.length);
    const slash = rest.indexOf('/');
    keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...keys].sort();
}

/** A KV LIST: the keys below `prefix`, or Vault's bare 404 when there are none (KV list docs). */
export function listOrNotFound(paths: Iterable<string>, prefix: string): string[] {
  const keys = listKeys(paths, prefix);
  if (keys.length === 0) throw notFound();
  return keys;
}
