/**
 * Conditional reads, copies and writes, and ranged reads, the way S3 evaluates them.
 * Reads: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (If-Match wins over
 * If-Unmodified-Since; If-None-Match wins over If-Modified-Since) and RFC 7232. Copies: API_CopyObject.html
 * (x-amz-copy-source-if-*, the same precedence, every failure a 412). Writes: conditional-writes.html
 * (If-None-Match: * and If-Match on PUT, CopyObject and CompleteMultipartUpload).
 * Ranges: RFC 7233 single byte ranges; S3 answers 416 InvalidRange when the first byte is past the end.
 */
import type http from 'node:http';
import { errors, S3Error } from './errors.ts';
import type { ObjectVersion } from './model.ts';

export type Precondition = { ok: true } | { ok: false; status: 304; condition: string } | { ok: false; status: 412; condition: string };

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
    if (etagMatches(c.ifNoneMatch, v.etag)) return { ok: false, status: 304, condition: 'If-None-Match' };
  } else {
    const since = parseDate(c.ifModifiedSince);
    if (since !== undefined && modified <= seconds(since)) return { ok: false, status: 304, condition: 'If-Modified-Since' };
  }
  return { ok: true };
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

/** x-amz-copy-source-if-* on CopyObject and UploadPartCopy: any failing condition is 412, never 304. */
export function checkCopySource(v: ObjectVersion, h: http.IncomingHttpHeaders): void {
  const p = 'x-amz-copy-source-if-';
  const cond = checkPreconditions(v, {
    ifMatch: one(h[`${p}match`]), ifNoneMatch: one(h[`${p}none-match`]),
    ifModifiedSince: one(h[`${p}modified-since`]), ifUnmodifiedSince: one(h[`${p}unmodified-since`]),
  });
  if (!cond.ok) throw errors.PreconditionFailed({ Condition: `x-amz-copy-source-${cond.condition}` });
}

/** A conditional write: its headers, and the key's versions as they were when the request began. */
export interface WriteCondition {
  ifMatch?: string;
  ifNoneMatch?: string;
  began?: { versions: ObjectVersion[] | undefined };
}

/** If-Match / If-None-Match of a write request, or undefined when it has neither. */
export function writeCondition(h: http.IncomingHttpHeaders): WriteCondition | undefined {
  const ifMatch = one(h['if-match']);
  const ifNoneMatch = one(h['if-none-match']);
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  // Conditional writes accept only "*" in If-None-Match: an ETag there asks for something S3 does not do.
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 501, 'A header you provided implies functionality that is not implemented', { Header: 'If-None-Match' });
  return { ifMatch, ifNoneMatch };
}

/**
 * Whether a conditional write may replace the key's current state `versions`: 412 when the condition fails
 * (If-Match on a key with no current object is 404 NoSuchKey), 409 ConditionalRequestConflict when another write
 * to the key completed while this one was uploading.
 */
export function checkWrite(key: string, versions: ObjectVersion[] | undefined, c: WriteCondition | undefined): void {
  if (!c || (c.ifMatch === undefined && c.ifNoneMatch === undefined)) return;
  if (c.began && c.began.versions !== versions) throw errors.ConditionalRequestConflict();
  const current = versions?.[0];
  const live = current && !current.deleteMarker ? current : undefined;
  if (c.ifNoneMatch !== undefined && live) throw errors.PreconditionFailed({ Condition: 'If-None-Match' });
  if (c.ifMatch !== undefined) {
    if (!live) throw errors.NoSuchKey({ Key: key });
    if (!etagMatches(c.ifMatch, live.etag)) throw errors.PreconditionFailed({ Condition: 'If-Match' });
  }
}

/**
 * Check a conditional write as it starts (answered before any body is stored) and remember what the key looked like
 * when the request arrived: a different state at commit is a conflicting operation (409).
 */
export function beginWrite(key: string, versions: ObjectVersion[] | undefined, c: WriteCondition | undefined, arrival?: { versions: ObjectVersion[] | undefined }): WriteCondition | undefined {
  if (!c) return undefined;
  const began = arrival ?? { versions };
  checkWrite(key, versions, { ...c, began });
  return { ...c, began };
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
