/**
 * Conditional and ranged reads, the way S3 evaluates them.
 * Conditions: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (If-Match wins over
 * If-Unmodified-Since; If-None-Match wins over If-Modified-Since) and RFC 7232.
 * Ranges: RFC 7233 single byte ranges; S3 answers 416 InvalidRange when the first byte is past the end.
 */
import { errors } from './errors.ts';
import type { ObjectVersion } from './model.ts';

export type Precondition = { ok: true } | { ok: false; status: 304 } | { ok: false; status: 412; condition: string };

function etagMatches(list: string, etag: string): boolean {
  return list.split(',').map((s) => s.trim()).some((t) => t === '*' || t === etag || `"${t}"` === etag || t.replace(/^W\//, '') === etag);
}

/** Dates compare at one-second resolution, as Last-Modified carries. */
const seconds = (ms: number): number => Math.floor(ms / 1000);

function parseDate(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export interface ConditionHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export function checkPreconditions(v: ObjectVersion, c: ConditionHeaders): Precondition {
  const modified = seconds(v.lastModified);
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, v.etag)) return { ok: false, status: 412, condition: 'If-Match' };
  } else {
    const since = parseDate(c.ifUnmodifiedSince);
    if (since !== undefined && modified > seconds(since)) return { ok: false, status: 412, condition: 'If-Unmodified-Since' };
  }
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, v.etag)) return { ok: false, status: 304 };
  } else {
    const since = parseDate(c.ifModifiedSince);
    if (since !== undefined && modified <= seconds(since)) return { ok: false, status: 304 };
  }
  return { ok: true };
}

export interface ByteRange {
  start: number;
  end: number; // inclusive
}

/** A parsed Range header; undefined means "send the whole object" (absent or not a single byte range). */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (size === 0) throw invalidRange(header, size);
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) throw invalidRange(header, size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) throw invalidRange(header, size);
  return { start, end };
}

function invalidRange(range: string, size: number) {
  return errors.InvalidRange({ RangeRequested: range, ActualObjectSize: String(size) }, { 'content-range': `bytes */${size}` });
}
