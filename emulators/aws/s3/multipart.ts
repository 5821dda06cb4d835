/**
 * Multipart upload rules: part numbers, and what CompleteMultipartUpload checks before the parts become an object.
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (5 MiB minimum part, 10,000 parts).
 */
import { createHash } from 'node:crypto';
import { errors, invalidArgument } from './errors.ts';
import type { Part, Upload } from './model.ts';

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

/** Validate the client's part list in S3's order: order, then existence and ETag, then sizes. */
export function planCompletion(u: Upload, requested: { partNumber: number; etag: string }[]): Completion {
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
