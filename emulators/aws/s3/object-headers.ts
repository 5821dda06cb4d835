/**
 * Object headers in and out: what PutObject stores (Content-Type, Cache-Control, …, x-amz-meta-*) and what
 * GetObject/HeadObject send back, including response-* overrides of presigned GETs.
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and API_GetObject.html
 */
import type http from 'node:http';
import type { ObjectVersion, StoredHeaders, VersioningStatus } from './model.ts';
import { memo } from '../sigv4.ts';
import { decodeEncodedWords, encodeForHeader } from './rfc2047.ts';
import { sseHeaders } from './sse/sse.ts';

const STORED: [keyof StoredHeaders, string][] = [
  ['contentType', 'content-type'],
  ['cacheControl', 'cache-control'],
  ['contentDisposition', 'content-disposition'],
  ['contentEncoding', 'content-encoding'],
  ['contentLanguage', 'content-language'],
  ['expires', 'expires'],
];

/** response-* query parameters a GET may use to override stored headers (GetObject docs). */
const OVERRIDES: [string, string][] = [
  ['response-content-type', 'content-type'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
];

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

export function storedHeadersFrom(headers: http.IncomingHttpHeaders): StoredHeaders {
  const out: StoredHeaders = {};
  for (const [field, name] of STORED) {
    let v = one(headers[name]);
    // aws-chunked is transfer framing, not a property of the object (sigv4-streaming.html).
    if (name === 'content-encoding' && v) v = v.split(',').map((s) => s.trim()).filter((s) => s && s !== 'aws-chunked').join(',') || undefined;
    if (v !== undefined) out[field] = v;
  }
  // S3 stores binary/octet-stream when the client sends no Content-Type (observed).
  out.contentType ??= 'binary/octet-stream';
  return out;
}

export function metadataFrom(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('x-amz-meta-') && v !== undefined) out[k.slice(11)] = decodeEncodedWords(one(v)!);
  return out;
}

// Formatting a date costs more than the rest of a GET's headers; objects keep their Last-Modified, so memoize it.
const httpDates = memo<string>(4096);
export const httpDate = (ms: number): string => httpDates(String(ms), () => new Date(ms).toUTCString());

/** Headers describing a stored version, as GET and HEAD send them. */
export function objectHeaders(v: ObjectVersion, versioning: VersioningStatus, query: ReadonlyMap<string, string>, withChecksum: boolean): Record<string, string> {
  const h: Record<string, string> = {
    etag: v.etag,
    'last-modified': httpDate(v.lastModified),
    'accept-ranges': 'bytes',
  };
  for (const [field, name] of STORED) {
    const val = v.headers[field];
    if (val !== undefined) h[name] = val;
  }
  for (const [param, name] of OVERRIDES) {
    const val = query.get(param);
    if (val !== undefined) h[name] = val;
  }
  for (const [k, val] of Object.entries(v.metadata)) h[`x-amz-meta-${k}`] = encodeForHeader(val);
  if (versioning !== 'Unversioned') h['x-amz-version-id'] = v.versionId;
  // "The number of tags, if any, on the object" (API_GetObject.html); HEAD sends it too (s3-tests test_get_obj_head_tagging).
  if (v.tags?.length) h['x-amz-tagging-count'] = String(v.tags.length);
  if (v.storageClass) h['x-amz-storage-class'] = v.storageClass;
  if (v.websiteRedirect) h['x-amz-website-redirect-location'] = v.websiteRedirect;
  if (v.sse) Object.assign(h, sseHeaders(v.sse));
  if (withChecksum && v.checksum) {
    h[`x-amz-checksum-${v.checksum.algorithm.toLowerCase()}`] = v.checksum.value;
    h['x-amz-checksum-type'] = v.checksum.type ?? 'FULL_OBJECT';
  }
  return h;
}

const NO_QUERY: ReadonlyMap<string, string> = new Map();

/** True when a GET's query overrides none of the stored headers, so the object's precomputed headers apply. */
export const overridesNothing = (query: ReadonlyMap<string, string>): boolean => query.size === 0 || OVERRIDES.every(([param]) => !query.has(param));

// Stored versions never change, so their plain GET/HEAD headers are built once per versioning state.
const pairCache = new WeakMap<ObjectVersion, { versioning: VersioningStatus; pairs: readonly string[] }>();

/** A whole-object GET or HEAD's headers as flat [name, value, …] pairs, content-length included. */
export function objectHeaderPairs(v: ObjectVersion, versioning: VersioningStatus): readonly string[] {
  const hit = pairCache.get(v);
  if (hit && hit.versioning === versioning) return hit.pairs;
  const h = objectHeaders(v, versioning, NO_QUERY, false);
  h['content-length'] = String(v.size);
  const pairs = Object.freeze(Object.entries(h).flat());
  pairCache.set(v, { versioning, pairs });
  return pairs;
}
