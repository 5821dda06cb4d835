/**
 * Multipart upload operations. Sources: API_CreateMultipartUpload.html, API_UploadPart.html, API_ListParts.html,
 * API_CompleteMultipartUpload.html, API_AbortMultipartUpload.html (UploadPartCopy is in copy.ts, ListMultipartUploads
 * in uploads.ts).
 */
import { createHash } from 'node:crypto';
import { errors, S3Error } from '../errors.ts';
import { intQuery, xmlResponse, type S3Context, type S3Handler, type S3Request, type S3Response } from '../request.ts';
import { asArray, asText, doc, leaf, node, iso, parseXmlBody } from '../xml.ts';
import { metadataFrom, storedHeadersFrom } from '../object-headers.ts';
import { verifyIntegrity } from '../body.ts';
import { beginWrite, writeCondition } from '../conditions.ts';
import { completionChecksum, partChecksum, partEtag, partNumber, planCompletion, uploadChecksum } from '../multipart.ts';
import { writtenVersionHeader } from './object.ts';
import { writeSettings } from '../write-settings.ts';
import { ownerXml } from '../accounts.ts';
import { bucketOwner } from '../access/settings.ts';
import { sseHeaders, uploadKey, writeEncryption } from '../sse/sse.ts';
import { encryptSegment, newNonce } from '../sse/crypt.ts';
import type { Bucket, Checksum, ObjectVersion, Part, Upload } from '../model.ts';

const uploadId = (req: S3Request): string => req.query.get('uploadId')!;

// The upload's encryption is decided here (its data key wrapped in the upload's record); every part uses it.
export const createMultipartUpload: S3Handler = (req, ctx) => {
  const { state } = ctx;
  const b = state.bucket(req.bucket!);
  const settings = writeSettings(req, ctx, b);
  const enc = writeEncryption(req, ctx, b);
  if (enc) settings.sse = enc.record;
  const checksum = uploadChecksum(req.headers);
  const u = state.createUpload(req.bucket!, req.key!, storedHeadersFrom(req.headers), metadataFrom(req.headers), settings, checksum);
  const h: Record<string, string> = sseHeaders(enc?.record);
  if (checksum) Object.assign(h, { 'x-amz-checksum-algorithm': checksum.algorithm, 'x-amz-checksum-type': checksum.type });
  return xmlResponse(doc('InitiateMultipartUploadResult', leaf('Bucket', req.bucket), leaf('Key', req.key), leaf('UploadId', u.uploadId)), 200, h);
};

/**
 * Store one part's bytes, sealed as one segment of the object when the upload is encrypted. The ETag is the
 * plaintext's MD5 (the ciphertext's under SSE-C, whose ETags are not MD5s of the data).
 */
export async function storePart(ctx: S3Context, u: Upload, key: Buffer | undefined, n: number, plain: Buffer, given?: Checksum): Promise<Part> {
  const { state } = ctx;
  const checksum = partChecksum(u.checksum, given, plain);
  if (!key) {
    const stored = await state.bodies.put(plain);
    return state.adopt(stored, () => state.putPart(u.bucket, u.key, u.uploadId, n, stored, partEtag(stored.md5!), { checksum }));
  }
  const nonce = newNonce();
  const sealed = encryptSegment(key, nonce, plain);
  const stored = await state.bodies.put(sealed);
  const md5 = u.settings!.sse!.type === 'SSE-C' ? stored.md5! : createHash('md5').update(plain).digest('hex');
  return state.adopt(stored, () => state.putPart(u.bucket, u.key, u.uploadId, n, stored, partEtag(md5), { size: plain.length, sse: { nonce, storedSize: sealed.length }, checksum }));
}

export const uploadPart: S3Handler = async (req, ctx) => {
  const n = partNumber(req.query.get('partNumber'));
  const u = ctx.state.upload(req.bucket!, req.key!, uploadId(req));
  const key = uploadKey(req, ctx, u.settings?.sse);
  const part = await storePart(ctx, u, key, n, req.body, verifyIntegrity(req.body, req.headers, req.trailers));
  const h: Record<string, string> = { etag: part.etag, ...sseHeaders(u.settings?.sse) };
  if (part.checksum) h[`x-amz-checksum-${part.checksum.algorithm.toLowerCase()}`] = part.checksum.value;
  return { status: 200, headers: h };
};

// ListParts pages by part-number-marker and max-parts (at most 1,000 parts per page).
export const listParts: S3Handler = (req, { state, accounts }) => {
  const u = state.upload(req.bucket!, req.key!, uploadId(req));
  const marker = intQuery(req, 'part-number-marker', 0);
  const maxParts = intQuery(req, 'max-parts', 1000);
  const after = [...u.parts.values()].filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
  const page = after.slice(0, Math.min(maxParts, 1000));
  const truncated = after.length > page.length;
  const who = u.settings?.owner ?? bucketOwner(state.bucket(u.bucket));
  return xmlResponse(doc('ListPartsResult',
    leaf('Bucket', req.bucket), leaf('Key', req.key), leaf('UploadId', u.uploadId), ownerXml(accounts, who, 'Initiator'), ownerXml(accounts, who), leaf('StorageClass', u.settings?.storageClass ?? 'STANDARD'),
    leaf('PartNumberMarker', marker), leaf('NextPartNumberMarker', page.length ? page[page.length - 1].partNumber : marker),
    leaf('MaxParts', maxParts), leaf('IsTruncated', truncated),
    u.checksum ? leaf('ChecksumAlgorithm', u.checksum.algorithm) + leaf('ChecksumType', u.checksum.type) : '',
    ...page.map((p) => node('Part', leaf('PartNumber', p.partNumber), leaf('LastModified', iso(p.lastModified)), leaf('ETag', p.etag), leaf('Size', p.size),
      p.checksum ? leaf(`Checksum${p.checksum.algorithm}`, p.checksum.value) : ''))));
};

// CompleteMultipartUpload echoes SSE-S3 only, not SSE-C (API_CompleteMultipartUpload.html, response headers).
function completed(req: S3Request, b: Bucket, v: ObjectVersion): S3Response {
  const location = `http://${req.headers.host ?? 's3.amazonaws.com'}/${b.name}/${req.key}`;
  const sse = v.sse?.type === 'AES256' ? sseHeaders(v.sse) : {};
  const sum = v.checksum ? [leaf(`Checksum${v.checksum.algorithm}`, v.checksum.value), leaf('ChecksumType', v.checksum.type ?? 'FULL_OBJECT')] : [];
  return xmlResponse(doc('CompleteMultipartUploadResult', leaf('Location', location), leaf('Bucket', b.name), leaf('Key', req.key), leaf('ETag', v.etag), ...sum), 200, { ...writtenVersionHeader(v), ...sse });
}

/**
 * A CompleteMultipartUpload repeated after it succeeded (a client retrying after a lost answer) is answered as the
 * first one was while the object it made is still the key's current version: S3 does (adobe/S3Mock#2586 and
 * minio/minio#13318 show real S3 answering 200; moto does the same).
 */
function completedBefore(b: Bucket, key: string, id: string): ObjectVersion | undefined {
  const current = b.objects.get(key)?.[0];
  return current && !current.deleteMarker && current.uploadId === id ? current : undefined;
}

export const completeMultipartUpload: S3Handler = async (req, { state }) => {
  const b = state.bucket(req.bucket!);
  const id = uploadId(req);
  if (!state.model.uploads.has(id)) {
    const earlier = completedBefore(b, req.key!, id);
    if (earlier) return completed(req, b, earlier);
  }
  const u = state.upload(b.name, req.key!, id);
  const requested = asArray(parseXmlBody(req.body, 'CompleteMultipartUpload').Part).map((raw) => {
    const p = (raw ?? {}) as Record<string, unknown>;
    const n = asText(p.PartNumber);
    const etag = asText(p.ETag);
    if (n === undefined || !/^\d+$/.test(n) || etag === undefined) throw errors.MalformedXML();
    const checksums: Record<string, string> = {};
    for (const a of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256']) {
      const c = asText(p[`Checksum${a}`]);
      if (c !== undefined) checksums[a] = c;
    }
    return { partNumber: Number(n), etag, checksums };
  });
  const cond = beginWrite(u.key, b.objects.get(u.key), writeCondition(req.headers), req.arrival);
  const plan = planCompletion(u, requested);
  const { checksum, partChecksums } = completionChecksum(u, plan.parts, requested, req.headers);
  // An encrypted upload's parts are sealed segments: their stored bytes are concatenated, the object keeps their nonces.
  const stored = await state.bodies.concat(plan.parts.map((p) => (p.sse ? { ...p, size: p.sse.storedSize } : p)));
  const sse = u.settings?.sse;
  const settings = sse ? { ...u.settings, sse: { ...sse, segments: plan.parts.map((p) => ({ size: p.size, nonce: p.sse!.nonce })) } } : u.settings;
  const size = plan.parts.reduce((n, p) => n + p.size, 0);
  let v: ObjectVersion;
  try {
    v = state.adopt(stored, () => state.completeUpload(u, plan.parts, { stored, size, etag: plan.etag, headers: u.headers, metadata: u.metadata, parts: plan.parts.map((p) => p.size), uploadId: id, settings, checksum, partChecksums }, cond));
  } catch (e) {
    // Two completions of one upload raced: the one that lost answers as a repeat.
    const earlier = e instanceof S3Error && e.code === 'NoSuchUpload' ? completedBefore(b, u.key, id) : undefined;
    if (!earlier) throw e;
    return completed(req, b, earlier);
  }
  return completed(req, b, v);
};

export const abortMultipartUpload: S3Handler = (req, { state }) => {
  state.abortUpload(req.bucket!, req.key!, uploadId(req));
  return { status: 204 };
};
