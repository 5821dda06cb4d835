/**
 * Multipart upload operations. Sources: API_CreateMultipartUpload.html, API_UploadPart.html,
 * API_ListParts.html, API_CompleteMultipartUpload.html, API_AbortMultipartUpload.html.
 */
import { errors, invalidArgument } from '../errors.ts';
import { xmlResponse, type S3Handler, type S3Request } from '../request.ts';
import { asArray, asString, doc, leaf, node, iso, parseXmlBody } from '../xml.ts';
import { metadataFrom, storedHeadersFrom } from '../object-headers.ts';
import { verifyIntegrity } from '../body.ts';
import { OWNER } from '../model.ts';

const uploadId = (req: S3Request): string => req.query.get('uploadId')!;

export const createMultipartUpload: S3Handler = (req, { state, now }) => {
  state.bucket(req.bucket!);
  const u = state.uploads.create(req.bucket!, req.key!, storedHeadersFrom(req.headers), metadataFrom(req.headers), now());
  return xmlResponse(doc('InitiateMultipartUploadResult', leaf('Bucket', req.bucket), leaf('Key', req.key), leaf('UploadId', u.uploadId)));
};

export const uploadPart: S3Handler = (req, { state, now }) => {
  state.bucket(req.bucket!);
  const raw = req.query.get('partNumber')!;
  const checksum = verifyIntegrity(req.body, req.headers, req.trailers);
  const part = state.uploads.uploadPart(req.bucket!, req.key!, uploadId(req), /^\d+$/.test(raw) ? Number(raw) : NaN, req.body, now());
  const h: Record<string, string> = { etag: part.etag };
  if (checksum) h[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`] = checksum.value;
  return { status: 200, headers: h };
};

export const listParts: S3Handler = (req, { state }) => {
  state.bucket(req.bucket!);
  const u = state.uploads.get(req.bucket!, req.key!, uploadId(req));
  const marker = Number(req.query.get('part-number-marker') ?? 0);
  const rawMax = req.query.get('max-parts');
  const maxParts = rawMax === undefined ? 1000 : Number(rawMax);
  if (!Number.isInteger(maxParts) || maxParts < 0) throw invalidArgument('Provided max-parts not an integer or within integer range', { ArgumentName: 'max-parts', ArgumentValue: rawMax ?? '' });
  const after = state.uploads.listParts(u).filter((p) => p.partNumber > marker);
  const page = after.slice(0, Math.min(maxParts, 1000));
  const truncated = after.length > page.length;
  const who = node('Initiator', leaf('ID', OWNER.id), leaf('DisplayName', OWNER.displayName));
  return xmlResponse(doc('ListPartsResult',
    leaf('Bucket', req.bucket), leaf('Key', req.key), leaf('UploadId', u.uploadId), who,
    node('Owner', leaf('ID', OWNER.id), leaf('DisplayName', OWNER.displayName)), leaf('StorageClass', 'STANDARD'),
    leaf('PartNumberMarker', marker), leaf('NextPartNumberMarker', page.length ? page[page.length - 1].partNumber : marker),
    leaf('MaxParts', maxParts), leaf('IsTruncated', truncated),
    ...page.map((p) => node('Part', leaf('PartNumber', p.partNumber), leaf('LastModified', iso(p.lastModified)), leaf('ETag', p.etag), leaf('Size', p.body.length)))));
};

export const completeMultipartUpload: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  state.uploads.get(req.bucket!, req.key!, uploadId(req));
  const requested = asArray(parseXmlBody(req.body, 'CompleteMultipartUpload').Part).map((raw) => {
    const p = (raw ?? {}) as Record<string, unknown>;
    const n = asString(p.PartNumber);
    const etag = asString(p.ETag);
    if (n === undefined || !/^\d+$/.test(n) || etag === undefined) throw errors.MalformedXML();
    return { partNumber: Number(n), etag };
  });
  const input = state.uploads.complete(req.bucket!, req.key!, uploadId(req), requested);
  const v = state.putObject(b.name, req.key!, input);
  const h: Record<string, string> = b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {};
  const location = `http://${req.headers.host ?? 's3.amazonaws.com'}/${b.name}/${req.key}`;
  return xmlResponse(doc('CompleteMultipartUploadResult', leaf('Location', location), leaf('Bucket', b.name), leaf('Key', req.key), leaf('ETag', v.etag)), 200, h);
};

export const abortMultipartUpload: S3Handler = (req, { state }) => {
  state.bucket(req.bucket!);
  state.uploads.abort(req.bucket!, req.key!, uploadId(req));
  return { status: 204 };
};
