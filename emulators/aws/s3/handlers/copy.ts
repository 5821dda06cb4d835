/**
 * Server-side copies: CopyObject and UploadPartCopy. Both name their source in x-amz-copy-source and honour
 * x-amz-copy-source-if-*. Sources: API_CopyObject.html, API_UploadPartCopy.html.
 */
import { invalidArgument, invalidRequest, S3Error } from '../errors.ts';
import { header, xmlResponse, type S3Context, type S3Handler, type S3Request } from '../request.ts';
import { doc, leaf, iso } from '../xml.ts';
import { metadataFrom, storedHeadersFrom } from '../object-headers.ts';
import { beginWrite, checkCopySource, writeCondition, type ByteRange } from '../conditions.ts';
import { partEtag, partNumber } from '../multipart.ts';
import { archived, storePlain, writtenVersionHeader } from './object.ts';
import { storePart } from './multipart.ts';
import { COPY_SOURCE_CUSTOMER, plainOf, readKey, sseHeaders, uploadKey, writeEncryption } from '../sse/sse.ts';
import { ARCHIVED, writeSettings } from '../write-settings.ts';
import { combineCrcs, computeChecksum, isChecksumAlgorithm, isCrc } from '../checksums.ts';
import type { Checksum, ObjectVersion, Part, StoredBody } from '../model.ts';

interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** "/bucket/key?versionId=x" or "bucket/key", the key URL-encoded (x-amz-copy-source). */
function parseCopySource(raw: string): CopySource {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalidRequest('Invalid copy source encoding');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalidRequest('Invalid copy source object key');
  const versionId = q < 0 ? undefined : new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

/** The source version, after its x-amz-copy-source-if-* conditions, and its key when it is encrypted. */
function copySource(req: S3Request, ctx: S3Context): { src: CopySource; source: ObjectVersion; sourceKey?: Buffer } {
  const src = parseCopySource(header(req, 'x-amz-copy-source')!);
  // A copy reads its source as a GetObject (Service Authorization Reference: CopyObject needs s3:GetObject on it).
  ctx.access.check(req, src.versionId === undefined ? 's3:getobject' : 's3:getobjectversion', src.bucket, src.key, { versionId: src.versionId, expectedOwnerHeader: 'x-amz-source-expected-bucket-owner' });
  let source: ObjectVersion;
  try {
    source = ctx.state.getObject(src.bucket, src.key, src.versionId);
  } catch (e) {
    // A delete marker named by version id cannot be copied (CopyObject docs).
    if (e instanceof S3Error && e.code === 'MethodNotAllowed') throw invalidRequest('The source of a copy request may not specifically refer to a delete marker by version id.');
    throw e;
  }
  checkCopySource(source, req.headers);
  if (source.storageClass !== undefined && ARCHIVED.has(source.storageClass)) throw archived(source.storageClass);
  // An SSE-C source needs its key in x-amz-copy-source-server-side-encryption-customer-* (API_CopyObject.html).
  return { src, source, sourceKey: readKey(req, ctx, source, COPY_SOURCE_CUSTOMER) };
}

/** x-amz-copy-source-version-id: echoed when the source bucket has versioning (configured at any time). */
function sourceVersionHeader(ctx: S3Context, src: CopySource, source: ObjectVersion): Record<string, string> {
  return ctx.state.bucket(src.bucket).versioning !== 'Unversioned' ? { 'x-amz-copy-source-version-id': source.versionId } : {};
}

/** x-amz-metadata-directive / x-amz-tagging-directive: COPY (the default) or REPLACE. */
function directive(req: S3Request, name: string, what: string): 'COPY' | 'REPLACE' {
  const d = (header(req, name) ?? 'COPY').toUpperCase();
  if (d !== 'COPY' && d !== 'REPLACE') throw invalidArgument(`Unknown ${what} directive.`, { ArgumentName: name, ArgumentValue: d });
  return d;
}

/** What a copy onto itself may change to be legal (API_CopyObject.html). */
const CHANGES_IN_PLACE = ['x-amz-storage-class', 'x-amz-website-redirect-location', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-customer-algorithm'];

export const copyObject: S3Handler = async (req, ctx) => {
  const { state } = ctx;
  const { src, source, sourceKey } = copySource(req, ctx);
  const metaDirective = directive(req, 'x-amz-metadata-directive', 'metadata');
  const tagDirective = directive(req, 'x-amz-tagging-directive', 'tagging');
  if (src.bucket === req.bucket && src.key === req.key && src.versionId === undefined && metaDirective === 'COPY' && !CHANGES_IN_PLACE.some((h) => req.headers[h] !== undefined)) {
    throw invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  // The destination's ACL is the request's (a copy never carries its source's), its tags the source's unless replaced.
  const dest = state.bucket(req.bucket!);
  const settings = writeSettings(req, ctx, dest, { copiedTags: tagDirective === 'COPY' ? source.tags ?? [] : undefined });
  // The copy is encrypted as its request (or the destination bucket's default) says, not as its source was.
  const enc = writeEncryption(req, ctx, dest);
  const cond = beginWrite(req.key!, state.versionsOf(req.bucket!, req.key!), writeCondition(req.headers), req.arrival);
  const replace = metaDirective === 'REPLACE';
  const headers = replace ? storedHeadersFrom(req.headers) : source.headers;
  const metadata = replace ? metadataFrom(req.headers) : source.metadata;
  let body: { stored: StoredBody; etag: string; size: number };
  if (!enc && !sourceKey) {
    // The copy is one part: a multipart source's ETag (md5 of md5s) does not describe it, so it gets its own MD5.
    const multipart = source.parts !== undefined;
    const stored = await state.bodies.copy(source, undefined, multipart);
    body = { stored, etag: multipart ? `"${stored.md5}"` : source.etag, size: stored.size };
  } else {
    // Encrypted on either side: through the plaintext, decrypted with the source's key, sealed with the copy's.
    body = await storePlain(ctx, await plainOf(ctx, source, sourceKey, { start: 0, end: source.size - 1 }), enc, settings);
  }
  const { stored, etag, size } = body;
  const checksum = await copiedChecksum(req, ctx, source, sourceKey);
  const v = state.adopt(stored, () => state.putObject(req.bucket!, req.key!, { stored, etag, size, headers, metadata, checksum, settings }, cond));
  const h = { ...writtenVersionHeader(v), ...sourceVersionHeader(ctx, src, source), ...sseHeaders(v.sse) };
  const sum = v.checksum ? [leaf(`Checksum${v.checksum.algorithm}`, v.checksum.value), leaf('ChecksumType', 'FULL_OBJECT')] : [];
  return xmlResponse(doc('CopyObjectResult', leaf('LastModified', iso(v.lastModified)), leaf('ETag', v.etag), ...sum), 200, h);
};

/**
 * A copy is one part, so it gets a full-object checksum of its source's algorithm: the same value, or for a
 * COMPOSITE source one computed anew (LocalStack's recording: a copy of a COMPOSITE CRC32 upload answers a FULL_OBJECT
 * CRC32) — CRCs combined from the parts', SHAs over the bytes.
 */
async function copiedChecksum(req: S3Request, ctx: S3Context, source: ObjectVersion, sourceKey: Buffer | undefined): Promise<Checksum | undefined> {
  // x-amz-checksum-algorithm asks for the copy's checksum in another algorithm (API_CopyObject.html).
  const asked = header(req, 'x-amz-checksum-algorithm')?.toUpperCase();
  if (asked !== undefined && !isChecksumAlgorithm(asked)) throw invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  const c = source.checksum;
  if (asked === undefined && (!c || c.type !== 'COMPOSITE')) return c;
  if (asked !== undefined && c?.algorithm === asked && c.type !== 'COMPOSITE') return c;
  const algorithm = asked ?? c!.algorithm;
  if (c?.algorithm === algorithm && isCrc(algorithm) && source.partChecksums && source.parts) {
    return { algorithm, value: combineCrcs(algorithm, source.parts.map((size, i) => ({ size, value: source.partChecksums![i] }))) };
  }
  return { algorithm, value: computeChecksum(algorithm, await plainOf(ctx, source, sourceKey, { start: 0, end: source.size - 1 })) };
}

/** x-amz-copy-source-range: "bytes=first-last", inside the source. */
function copyRange(raw: string | undefined, size: number): ByteRange | undefined {
  if (raw === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m) {
    throw invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: raw });
  }
  const range = { start: Number(m[1]), end: Number(m[2]) };
  if (range.start > range.end || range.end >= size) {
    throw invalidArgument(`Range specified is not valid for source object of size: ${size}`, { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: raw });
  }
  return range;
}

// API_UploadPartCopy.html: a part made of (a range of) an existing object; the SDK's managed copy uses it.
export const uploadPartCopy: S3Handler = async (req, ctx) => {
  const { state } = ctx;
  const n = partNumber(req.query.get('partNumber'));
  const uploadId = req.query.get('uploadId')!;
  const u = state.upload(req.bucket!, req.key!, uploadId);
  const partKey = uploadKey(req, ctx, u.settings?.sse);
  const { src, source, sourceKey } = copySource(req, ctx);
  const range = copyRange(header(req, 'x-amz-copy-source-range'), source.size);
  let part: Part;
  if (!partKey && !sourceKey && !u.checksum) {
    const stored = await state.bodies.copy(source, range, true);
    part = state.adopt(stored, () => state.putPart(req.bucket!, req.key!, uploadId, n, stored, partEtag(stored.md5!)));
  } else {
    part = await storePart(ctx, u, partKey, n, await plainOf(ctx, source, sourceKey, range ?? { start: 0, end: source.size - 1 }));
  }
  return xmlResponse(doc('CopyPartResult', leaf('LastModified', iso(part.lastModified)), leaf('ETag', part.etag)), 200, { ...sourceVersionHeader(ctx, src, source), ...sseHeaders(u.settings?.sse) });
};
