/**
 * Listing rules shared by ListObjects (V1, V2) and ListObjectVersions: keys in byte order after a marker,
 * filtered by prefix, rolled up into CommonPrefixes at the first delimiter after the prefix, each common prefix
 * counting once toward max-keys. Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import type { ObjectVersion } from './model.ts';

export interface ListParams {
  prefix: string;
  delimiter?: string;
  maxKeys: number;
  /** Start after this key, or after every key under this common prefix. */
  after?: string;
  /** Include the `after` key itself (ListObjectVersions resuming inside a key). */
  inclusive?: boolean;
}

export interface ListPage<T> {
  items: T[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

/**
 * S3 sorts keys by their UTF-8 bytes, which is code-point order. JavaScript compares UTF-16 code units, which
 * agrees except where a surrogate (a character past U+FFFF) meets a unit from U+E000 up: those two are remapped.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? codePointRank(x) - codePointRank(y) : x - y;
  }
  return a.length - b.length;
}

/** Surrogates rank above U+E000–U+FFFF, as the code points they encode do. */
const codePointRank = (unit: number): number => (unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);

/** First index whose key is > bound (or >= when inclusive). */
function lowerBound(keys: string[], bound: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareKeys(keys[mid], bound);
    if (c < 0 || (!inclusive && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Walk keys and emit items per key (`expand` returns 0..n items for a key; none skips it). Shared by the
 * object and version listings.
 */
export function walkKeys<T>(keys: string[], p: ListParams, expand: (key: string) => T[]): ListPage<T> {
  const page: ListPage<T> = { items: [], commonPrefixes: [], isTruncated: false };
  if (p.maxKeys <= 0) return page;
  let count = 0;
  const afterIsPrefix = p.after !== undefined && !!p.delimiter && p.after.endsWith(p.delimiter);
  const from = Math.max(lowerBound(keys, p.prefix, true), p.after === undefined ? 0 : lowerBound(keys, p.after, !!p.inclusive));
  for (let i = from; i < keys.length; i++) {
    const key = keys[i];
    if (!key.startsWith(p.prefix)) break;
    if (afterIsPrefix && key.startsWith(p.after!)) continue;
    if (p.delimiter) {
      const cut = key.indexOf(p.delimiter, p.prefix.length);
      if (cut >= 0) {
        const cp = key.slice(0, cut + p.delimiter.length);
        if (page.commonPrefixes[page.commonPrefixes.length - 1] === cp) continue;
        if (expand(key).length === 0 && !anyUnder(keys, i, cp, expand)) continue;
        if (count === p.maxKeys) return { ...page, isTruncated: true };
        page.commonPrefixes.push(cp);
        page.last = cp;
        count++;
        continue;
      }
    }
    for (const item of expand(key)) {
      if (count === p.maxKeys) return { ...page, isTruncated: true };
      page.items.push(item);
      page.last = key;
      count++;
    }
  }
  return page;
}

/** Whether some key under a common prefix has something to list (a prefix of only deleted keys shows nothing). */
function anyUnder<T>(keys: string[], from: number, cp: string, expand: (key: string) => T[]): boolean {
  for (let j = from + 1; j < keys.length && keys[j].startsWith(cp); j++) if (expand(keys[j]).length) return true;
  return false;
}

/** Current, non-deleted version of each key: what ListObjects shows. */
export function latestVisible(objects: Map<string, ObjectVersion[]>) {
  return (key: string): ObjectVersion[] => {
    const v = objects.get(key)?.[0];
    return v && !v.deleteMarker ? [v] : [];
  };
}

/** Every version of each key, newest first; resuming inside `keyMarker` after `versionIdMarker`. */
export function allVersions(objects: Map<string, ObjectVersion[]>, keyMarker?: string, versionIdMarker?: string) {
  return (key: string): ObjectVersion[] => {
    const list = objects.get(key) ?? [];
    if (key !== keyMarker || versionIdMarker === undefined) return list;
    const at = list.findIndex((v) => v.versionId === versionIdMarker);
    return at < 0 ? [] : list.slice(at + 1);
  };
}

/** The continuation token is opaque to clients; ours is the resume marker, base64-encoded. */
export function encodeToken(marker: string): string {
  return Buffer.from(marker, 'utf8').toString('base64');
}

export function decodeToken(token: string): string | undefined {
  const s = Buffer.from(token, 'base64').toString('utf8');
  return token && Buffer.from(s, 'utf8').toString('base64') === token ? s : undefined;
}
