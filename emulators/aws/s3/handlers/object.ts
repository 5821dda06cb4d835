/** Object operations: Put, Get, Head, Delete, Copy. Source: S3 API reference pages named per handler. */
import { errors, invalidArgument, invalidRequest } from '../errors.ts';
import { header, xmlResponse, type S3Context, type S3Handler, type S3Request, type S3Response } from '../request.ts';
import { doc, leaf, iso } from '../xml.ts';
import { metadataFrom, objectHeaderPairs, objectHeaders, overridesNothing, storedHeadersFrom } from '../object-headers.ts';
import { checkPreconditions, parseRange } from '../conditions.ts';
import { verifyIntegrity } from '../body.ts';
import type { ObjectVersion, VersioningStatus } from '../model.ts';

const key = (req: S3Request): string => req.key!;
const bucket = (req: S3Request): string => req.bucket!;

function versionHeader(versioning: VersioningStatus, versionId: string | undefined): Record<string, string> {
  return versioning !== 'Unversioned' && versionId !== undefined ? { 'x-amz-version-id': versionId } : {};
}

// API_PutObject.html: 200 with ETag (and the checksum the client sent, echoed back).
export const putObject: S3Handler = (req, { state }) => {
  const checksum = verifyIntegrity(req.body, req.headers, req.trailers);
  const v = state.putObject(bucket(req), key(req), { body: req.body, headers: storedHeadersFrom(req.headers), metadata: metadataFrom(req.headers), checksum });
  const h: Record<string, string> = { etag: v.etag, ...versionHeader(state.bucket(bucket(req)).versioning, v.versionId) };
  if (checksum) h[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`] = checksum.value;
  return { status: 200, headers: h };
};

function readVersion(req: S3Request, ctx: S3Context): { v: ObjectVersion; versioning: VersioningStatus } {
  const b = ctx.state.bucket(bucket(req));
  return { v: ctx.state.getObject(b.name, key(req), req.query.get('versionId')), versioning: b.versioning };
}

/** GET and HEAD share everything but the body (API_HeadObject.html). */
function read(req: S3Request, ctx: S3Context, withBody: boolean): S3Response {
  const { v, versioning } = readVersion(req, ctx);
  const cond = checkPreconditions(v, {
    ifMatch: header(req, 'if-match'), ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'), ifUnmodifiedSince: header(req, 'if-unmodified-since'),
  });
  if (!cond.ok && cond.status === 304) return { status: 304, headers: { etag: v.etag, 'last-modified': new Date(v.lastModified).toUTCString() } };
  if (!cond.ok) throw errors.PreconditionFailed({ Condition: cond.status === 412 ? cond.condition : '' });
  const range = parseRange(header(req, 'range'), v.body.length);
  const withChecksum = header(req, 'x-amz-checksum-mode') === 'ENABLED' && !range;
  if (!range && !withChecksum && overridesNothing(req.query)) return { status: 200, headerPairs: objectHeaderPairs(v, versioning), body: withBody ? v.body : undefined };
  const h = objectHeaders(v, versioning, req.query, withChecksum);
  if (!range) return { status: 200, headers: { ...h, 'content-length': String(v.body.length) }, body: withBody ? v.body : undefined };
  const slice = v.body.subarray(range.start, range.end + 1);
  h['content-range'] = `bytes ${range.start}-${range.end}/${v.body.length}`;
  return { status: 206, headers: { ...h, 'content-length': String(slice.length) }, body: withBody ? slice : undefined };
}

export const getObject: S3Handler = (req, ctx) => read(req, ctx, true);
export const headObject: S3Handler = (req, ctx) => read(req, ctx, false);

// API_DeleteObject.html: 204, with x-amz-delete-marker / x-amz-version-id describing what happened.
export const deleteObject: S3Handler = (req, { state }) => {
  const out = state.deleteObject(bucket(req), key(req), req.query.get('versionId'));
  const h: Record<string, string> = {};
  if (out.deleteMarker) h['x-amz-delete-marker'] = 'true';
  if (out.versionId !== undefined) h['x-amz-version-id'] = out.versionId;
  return { status: 204, headers: h };
};

/** "/bucket/key?versionId=x" or "bucket/key", URL-encoded (API_CopyObject.html, x-amz-copy-source). */
function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  const [path, query = ''] = raw.split('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalidRequest('Invalid copy source encoding');
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalidRequest('Invalid copy source object key');
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

export const copyObject: S3Handler = (req, { state }) => {
  const src = parseCopySource(header(req, 'x-amz-copy-source')!);
  const source = state.getObject(src.bucket, src.key, src.versionId);
  const directive = (header(req, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw invalidArgument('Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  if (src.bucket === req.bucket && src.key === req.key && src.versionId === undefined && directive === 'COPY') {
    throw invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  const replace = directive === 'REPLACE';
  const v = state.putObject(bucket(req), key(req), {
    body: source.body,
    headers: replace ? storedHeadersFrom(req.headers) : source.headers,
    metadata: replace ? metadataFrom(req.headers) : source.metadata,
    checksum: source.checksum,
  });
  const h: Record<string, string> = versionHeader(state.bucket(bucket(req)).versioning, v.versionId);
  if (state.bucket(src.bucket).versioning !== 'Unversioned') h['x-amz-copy-source-version-id'] = source.versionId;
  return xmlResponse(doc('CopyObjectResult', leaf('LastModified', iso(v.lastModified)), leaf('ETag', v.etag)), 200, h);
};
