/**
 * Multipart upload rules: part numbers, and what CompleteMultipartUpload checks before the parts become an object.
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (5 MiB minimum part, 10,000 parts).
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import { errors, invalidArgument, invalidRequest, S3Error } from './errors.ts';
import { combineCrcs, compositeChecksum, computeChecksum, isCrc } from './checksums.ts';
import type { Checksum, Part, Upload, UploadChecksum } from './model.ts';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10000;

export function partNumber(raw: string | undefined): number {
  const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: raw ?? '' });
  }
  return n;
}

export const partEtag = (md5Hex: string): string => `"${md5Hex}"`;

export interface Completion {
  parts: Part[];
  /** MD5 of the parts' binary MD5s, "-N" (how S3 forms a multipart ETag). */
  etag: string;
}

/** A part as CompleteMultipartUpload names it: number, ETag and any Checksum<ALG> elements. */
export interface RequestedPart {
  partNumber: number;
  etag: string;
  checksums: Record<string, string>;
}

/** Validate the client's part list in S3's order: order, then existence and ETag, then sizes. */
export function planCompletion(u: Upload, requested: RequestedPart[]): Completion {
  if (requested.length === 0) throw errors.MalformedXML();
  for (let i = 1; i < requested.length; i++) {
    if (requested[i].partNumber <= requested[i - 1].partNumber) throw errors.InvalidPartOrder({ UploadId: u.uploadId });
  }
  const parts = requested.map((r) => {
    const p = u.parts.get(r.partNumber);
    if (!p || normalizeEtag(r.etag) !== p.etag) throw errors.InvalidPart({ UploadId: u.uploadId, PartNumber: String(r.partNumber), ETag: r.etag });
    return p;
  });
  for (const p of parts.slice(0, -1)) {
    if (p.size < MIN_PART_SIZE) {
      throw errors.EntityTooSmall({ UploadId: u.uploadId, PartNumber: String(p.partNumber), ProposedSize: String(p.size), MinSizeAllowed: String(MIN_PART_SIZE) });
    }
  }
  const md5s = createHash('md5').update(Buffer.concat(parts.map((p) => Buffer.from(p.etag.slice(1, -1), 'hex')))).digest('hex');
  return { parts, etag: `"${md5s}-${parts.length}"` };
}

/** Clients send part ETags with or without quotes. */
export function normalizeEtag(etag: string): string {
  const bare = etag.trim().replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');
  return `"${bare}"`;
}

const ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

/**
 * x-amz-checksum-algorithm and x-amz-checksum-type of CreateMultipartUpload (checking-object-integrity.html): CRC64NVME
 * is FULL_OBJECT only, SHA-1 and SHA-256 COMPOSITE only, the CRC32s either (COMPOSITE by default). Messages as S3
 * answered them (LocalStack's recordings, 2026-02-21).
 */
export function uploadChecksum(headers: http.IncomingHttpHeaders): UploadChecksum | undefined {
  const algorithm = one(headers['x-amz-checksum-algorithm'])?.toUpperCase();
  const type = one(headers['x-amz-checksum-type'])?.toUpperCase();
  if (algorithm === undefined) {
    if (type !== undefined) throw invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    return undefined;
  }
  if (!ALGORITHMS.includes(algorithm)) throw invalidRequest(`Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${ALGORITHMS.join(', ')}]`);
  const t = type ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (t !== 'COMPOSITE' && t !== 'FULL_OBJECT') throw invalidRequest(`Value for x-amz-checksum-type header is invalid.`);
  if ((t === 'FULL_OBJECT' && !isCrc(algorithm)) || (t === 'COMPOSITE' && algorithm === 'CRC64NVME')) {
    throw invalidRequest(`The ${t} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
  }
  return { algorithm, type: t };
}

/** A part's checksum under its upload's algorithm: the one it sent (of the same algorithm), or computed here. */
export function partChecksum(spec: UploadChecksum | undefined, given: Checksum | undefined, plain: Buffer): Checksum | undefined {
  if (!spec) return given;
  if (given && given.algorithm !== spec.algorithm) {
    throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${spec.algorithm.toLowerCase()}, actual checksum Type: ${given.algorithm.toLowerCase()}`);
  }
  return given ?? { algorithm: spec.algorithm, value: computeChecksum(spec.algorithm, plain) };
}

/**
 * The object checksum CompleteMultipartUpload gives the object, from its parts' checksums: COMPOSITE, the checksum of
 * their checksums with "-<parts>"; FULL_OBJECT, the CRCs combined. The request must use the upload's mode, name each
 * part's checksum in COMPOSITE mode (matching, or InvalidPart), and a full-object checksum it sends must match.
 */
export function completionChecksum(u: Upload, parts: Part[], requested: RequestedPart[], headers: http.IncomingHttpHeaders): { checksum?: Checksum; partChecksums?: string[] } {
  const spec = u.checksum;
  const mode = one(headers['x-amz-checksum-type'])?.toUpperCase();
  if (mode !== undefined && mode !== (spec?.type ?? 'null')) {
    throw invalidRequest(`The upload was created using the ${spec?.type ?? 'null'} checksum mode. The complete request must use the same checksum mode.`);
  }
  if (!spec) return {};
  const alg = spec.algorithm.toLowerCase();
  parts.forEach((p, i) => {
    const named = requested[i].checksums[spec.algorithm];
    if (named === undefined && spec.type === 'COMPOSITE') {
      throw invalidRequest(`The upload was created using a ${alg} checksum. The complete request must include the checksum for each part. It was missing for part ${p.partNumber} in the request.`);
    }
    if (named !== undefined && named !== p.checksum?.value) throw errors.InvalidPart({ UploadId: u.uploadId, PartNumber: String(p.partNumber), ETag: p.etag.replace(/"/g, '') });
  });
  const partChecksums = parts.map((p) => p.checksum!.value);
  const value = spec.type === 'COMPOSITE' ? compositeChecksum(spec.algorithm, partChecksums) : combineCrcs(spec.algorithm, parts.map((p, i) => ({ value: partChecksums[i], size: p.size })));
  for (const a of ALGORITHMS) {
    const given = one(headers[`x-amz-checksum-${a.toLowerCase()}`]);
    if (given !== undefined && (mode !== spec.type || a !== spec.algorithm || given !== value)) {
      throw new S3Error('BadDigest', 400, `The ${alg} you specified did not match the calculated checksum.`);
    }
  }
  const checksum: Checksum = { algorithm: spec.algorithm, value };
  if (spec.type === 'COMPOSITE') checksum.type = 'COMPOSITE';
  return { checksum, partChecksums };
}

