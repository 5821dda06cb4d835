/** Object operations: Put, Get, Head, Delete. Source: S3 API reference pages named per handler. */
import { createHash } from 'node:crypto';
import { errors, invalidRequest, S3Error } from '../errors.ts';
import { header, type S3Context, type S3Handler, type S3Request, type S3Response } from '../request.ts';
import { metadataFrom, objectHeaderPairs, objectHeaders, overridesNothing, storedHeadersFrom } from '../object-headers.ts';
import { beginWrite, checkPreconditions, parseRange, writeCondition, type ByteRange } from '../conditions.ts';
import { verifyIntegrity } from '../body.ts';
import { partNumber } from '../multipart.ts';
import { ARCHIVED, writeSettings } from '../write-settings.ts';
import { hasSseHeaders, plainForResponse, readKeyForGet, seal, sseHeaders, writeEncryption, type Encryption } from '../sse/sse.ts';
import type { ObjectSettings, ObjectVersion, StoredBody, VersioningStatus } from '../model.ts';

const key = (req: S3Request): string => req.key!;

/** GetObject and CopyObject of a GLACIER or DEEP_ARCHIVE object (API_GetObject.html, "InvalidObjectState"). */
export const archived = (storageClass: string) => new S3Error('InvalidObjectState', 403, "The operation is not valid for the object's storage class", { StorageClass: storageClass });
const bucket = (req: S3Request): string => req.bucket!;

/**
 * x-amz-version-id of a write's answer: the new version's id, absent for a "null" version (the PutObject docs'
 * versioning-suspended sample response has no such header; versitygw#2164 observed the same on S3).
 */
export function writtenVersionHeader(v: ObjectVersion): Record<string, string> {
  return v.versionId !== 'null' ? { 'x-amz-version-id': v.versionId } : {};
}

// API_PutObject.html: 200 with ETag (and the checksum the client sent, echoed back).
export const putObject: S3Handler = async (req, ctx) => {
  const { state } = ctx;
  const b = state.bucket(bucket(req));
  const settings = writeSettings(req, ctx, b);
  const enc = writeEncryption(req, ctx, b);
  const checksum = verifyIntegrity(req.body, req.headers, req.trailers);
  const cond = beginWrite(key(req), state.versionsOf(bucket(req), key(req)), writeCondition(req.headers), req.arrival);
  const headers = storedHeadersFrom(req.headers);
  const metadata = metadataFrom(req.headers);
  const { stored, etag, size } = await storePlain(ctx, req.body, enc, settings);
  const v = state.adopt(stored, () => state.putObject(bucket(req), key(req), { stored, etag, size, headers, metadata, checksum, settings }, cond));
  const h: Record<string, string> = { etag: v.etag, ...writtenVersionHeader(v), ...sseHeaders(v.sse) };
  if (checksum) Object.assign(h, { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value, 'x-amz-checksum-type': 'FULL_OBJECT' });
  return { status: 200, headers: h };
};

/**
 * Store a new object's bytes, sealed when the write is encrypted (its record then goes into `settings.sse`). The
 * ETag is the plaintext's MD5, except under SSE-C, where S3's is not (Object.html, ETag): ours is the ciphertext's.
 */
export async function storePlain(ctx: S3Context, plain: Buffer, enc: Encryption | undefined, settings: ObjectSettings): Promise<{ stored: StoredBody; etag: string; size: number }> {
  if (!enc) {
    const stored = await ctx.state.bodies.put(plain);
    return { stored, etag: `"${stored.md5}"`, size: plain.length };
  }
  const { stored: sealed, nonce } = seal(enc, plain);
  settings.sse = { ...enc.record, segments: [{ size: plain.length, nonce }] };
  const stored = await ctx.state.bodies.put(sealed);
  const md5 = enc.record.type === 'SSE-C' ? stored.md5! : createHash('md5').update(plain).digest('hex');
  return { stored, etag: `"${md5}"`, size: plain.length };
}

function readVersion(req: S3Request, ctx: S3Context): { v: ObjectVersion; versioning: VersioningStatus } {
  const b = ctx.state.bucket(bucket(req));
  return { v: ctx.state.getObject(b.name, key(req), req.query.get('versionId')), versioning: b.versioning };
}

/** GET and HEAD share everything but the body (API_HeadObject.html). */
function read(req: S3Request, ctx: S3Context, withBody: boolean): S3Response {
  // response-* overrides need a signature (API_GetObject.html: "They cannot be used with an unsigned (anonymous)
  // request"; S3's answer as s3-tests' ports record it). Allowed, they let anyone serve a public object as text/html.
  if (req.caller.authType === 'ANONYMOUS' && !overridesNothing(req.query)) throw invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
  const { v, versioning } = readVersion(req, ctx);
  // An archived object's bytes need a RestoreObject first, which this edge does not perform (InvalidObjectState).
  if (withBody && v.storageClass !== undefined && ARCHIVED.has(v.storageClass)) throw archived(v.storageClass);
  const key = v.sse !== undefined || hasSseHeaders(req) ? readKeyForGet(req, ctx, v) : undefined;
  const cond = checkPreconditions(v, {
    ifMatch: header(req, 'if-match'), ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'), ifUnmodifiedSince: header(req, 'if-unmodified-since'),
  });
  if (!cond.ok && cond.status === 304) return { status: 304, headers: { etag: v.etag, 'last-modified': new Date(v.lastModified).toUTCString() } };
  if (!cond.ok) throw errors.PreconditionFailed({ Condition: cond.condition });
  const rawPart = req.query.get('partNumber');
  if (rawPart !== undefined) return readPart(req, ctx, v, versioning, partNumber(rawPart), withBody, key);
  const range = parseRange(header(req, 'range'), v.size);
  const withChecksum = header(req, 'x-amz-checksum-mode') === 'ENABLED' && !range;
  if (!range && !withChecksum && overridesNothing(req.query) && !key) {
    // The GET hot path without persistence: precomputed headers and the version's own Buffer.
    if (!withBody || v.body) return { status: 200, headerPairs: objectHeaderPairs(v, versioning), body: withBody ? v.body : undefined };
    return withBytes({ status: 200, headerPairs: objectHeaderPairs(v, versioning) }, ctx, v, undefined, withBody);
  }
  const h = objectHeaders(v, versioning, req.query, withChecksum);
  if (!range) return withBytes({ status: 200, headers: { ...h, 'content-length': String(v.size) } }, ctx, v, undefined, withBody, key);
  h['content-range'] = `bytes ${range.start}-${range.end}/${v.size}`;
  return withBytes({ status: 206, headers: { ...h, 'content-length': String(range.end - range.start + 1) } }, ctx, v, range, withBody, key);
}

/**
 * GET/HEAD ?partNumber=N: the bytes of part N as a 206 with x-amz-mp-parts-count (API_GetObject.html); an object
 * not uploaded in parts is one part. Past the last part: 416 InvalidPartNumber.
 */
function readPart(req: S3Request, ctx: S3Context, v: ObjectVersion, versioning: VersioningStatus, n: number, withBody: boolean, key: Buffer | undefined): S3Response {
  if (header(req, 'range') !== undefined) throw invalidRequest('Cannot specify both Range header and partNumber query parameter');
  const sizes = v.parts ?? [v.size];
  if (n > sizes.length) {
    throw new S3Error('InvalidPartNumber', 416, 'The requested partnumber is not satisfiable', { PartNumberRequested: String(n), ActualPartCount: String(sizes.length) });
  }
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  const range: ByteRange = { start, end: start + sizes[n - 1] - 1 };
  const h = objectHeaders(v, versioning, req.query, false);
  if (v.parts) h['x-amz-mp-parts-count'] = String(v.parts.length);
  // With checksum mode a part answers its own checksum (LocalStack's recording of GET ?partNumber against S3).
  if (header(req, 'x-amz-checksum-mode') === 'ENABLED' && v.checksum && v.partChecksums?.[n - 1]) {
    Object.assign(h, { [`x-amz-checksum-${v.checksum.algorithm.toLowerCase()}`]: v.partChecksums[n - 1], 'x-amz-checksum-type': v.checksum.type ?? 'FULL_OBJECT' });
  }
  h['content-length'] = String(sizes[n - 1]);
  if (v.size > 0) h['content-range'] = `bytes ${range.start}-${range.end}/${v.size}`;
  return withBytes({ status: 206, headers: h }, ctx, v, range, withBody, key);
}

/** Attach the version's bytes (a Buffer, an open file with persistence, or decrypted as they go) to a GET's answer. */
function withBytes(out: S3Response, ctx: S3Context, v: ObjectVersion, range: ByteRange | undefined, withBody: boolean, key?: Buffer): S3Response {
  if (!withBody) return out;
  if (key) {
    const plain = plainForResponse(ctx, v, key, range ?? { start: 0, end: v.size - 1 });
    if (Buffer.isBuffer(plain)) out.body = plain;
    else out.stream = plain;
    return out;
  }
  const bytes = ctx.state.bodies.read(v, range);
  if (Buffer.isBuffer(bytes)) out.body = bytes;
  else out.file = bytes;
  return out;
}

export const getObject: S3Handler = (req, ctx) => read(req, ctx, true);
export const headObject: S3Handler = (req, ctx) => read(req, ctx, false);

// API_DeleteObject.html: 204, with x-amz-delete-marker / x-amz-version-id describing what happened. If-Match
// makes the delete conditional (conditional-deletes.html): 412 when the ETag differs, 404 when there is no object.
export const deleteObject: S3Handler = (req, { state }) => {
  const ifMatch = header(req, 'if-match');
  const out = state.deleteObject(bucket(req), key(req), req.query.get('versionId'), ifMatch === undefined ? undefined : { ifMatch });
  const h: Record<string, string> = {};
  if (out.deleteMarker) h['x-amz-delete-marker'] = 'true';
  if (out.versionId !== undefined) h['x-amz-version-id'] = out.versionId;
  return { status: 204, headers: h };
};
