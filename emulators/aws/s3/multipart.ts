/**
 * Multipart uploads: parts held until CompleteMultipartUpload validates them and yields the object's input.
 * Rules: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html (5 MiB minimum part, 10,000 parts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { errors, invalidArgument } from './errors.ts';
import type { ObjectInput, StoredHeaders } from './model.ts';

export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10000;

export interface Part {
  partNumber: number;
  body: Buffer;
  etag: string;
  md5: Buffer;
  lastModified: number;
}

export interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  parts: Map<number, Part>;
}

export class MultipartUploads {
  private readonly uploads = new Map<string, Upload>();

  create(bucket: string, key: string, headers: StoredHeaders, metadata: Record<string, string>, now: number): Upload {
    const uploadId = randomBytes(32).toString('base64url');
    const u: Upload = { uploadId, bucket, key, initiated: now, headers, metadata, parts: new Map() };
    this.uploads.set(uploadId, u);
    return u;
  }

  get(bucket: string, key: string, uploadId: string): Upload {
    const u = this.uploads.get(uploadId);
    if (!u || u.bucket !== bucket || u.key !== key) throw errors.NoSuchUpload({ UploadId: uploadId });
    return u;
  }

  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: Buffer, now: number): Part {
    const u = this.get(bucket, key, uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: String(partNumber) });
    }
    const md5 = createHash('md5').update(body).digest();
    const part: Part = { partNumber, body, md5, etag: `"${md5.toString('hex')}"`, lastModified: now };
    u.parts.set(partNumber, part);
    return part;
  }

  listParts(u: Upload): Part[] {
    return [...u.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  /**
   * Validate the client's part list in S3's order (order, then existence and ETag, then sizes) and build the
   * object: body is the parts concatenated, ETag is MD5 of the parts' binary MD5s plus "-N".
   */
  complete(bucket: string, key: string, uploadId: string, requested: { partNumber: number; etag: string }[]): ObjectInput {
    const u = this.get(bucket, key, uploadId);
    if (requested.length === 0) throw errors.MalformedXML();
    for (let i = 1; i < requested.length; i++) {
      if (requested[i].partNumber <= requested[i - 1].partNumber) throw errors.InvalidPartOrder({ UploadId: uploadId });
    }
    const parts = requested.map((r) => {
      const p = u.parts.get(r.partNumber);
      if (!p || normalizeEtag(r.etag) !== p.etag) throw errors.InvalidPart({ UploadId: uploadId, PartNumber: String(r.partNumber), ETag: r.etag });
      return p;
    });
    parts.slice(0, -1).forEach((p) => {
      if (p.body.length < MIN_PART_SIZE) {
        throw errors.EntityTooSmall({ UploadId: uploadId, PartNumber: String(p.partNumber), ProposedSize: String(p.body.length), MinSizeAllowed: String(MIN_PART_SIZE) });
      }
    });
    const md5s = createHash('md5').update(Buffer.concat(parts.map((p) => p.md5))).digest('hex');
    this.uploads.delete(uploadId);
    return {
      body: Buffer.concat(parts.map((p) => p.body)),
      headers: u.headers,
      metadata: u.metadata,
      etag: `"${md5s}-${parts.length}"`,
      partsCount: parts.length,
    };
  }

  abort(bucket: string, key: string, uploadId: string): void {
    this.get(bucket, key, uploadId);
    this.uploads.delete(uploadId);
  }

  inBucket(bucket: string): Upload[] {
    return [...this.uploads.values()].filter((u) => u.bucket === bucket);
  }

  dropBucket(bucket: string): void {
    for (const u of this.inBucket(bucket)) this.uploads.delete(u.uploadId);
  }

  clear(): void {
    this.uploads.clear();
  }

  snapshot(): unknown {
    return [...this.uploads.values()].map((u) => ({ uploadId: u.uploadId, bucket: u.bucket, key: u.key, parts: this.listParts(u).map((p) => ({ partNumber: p.partNumber, size: p.body.length, etag: p.etag })) }));
  }
}

/** Clients send part ETags with or without quotes. */
function normalizeEtag(etag: string): string {
  const bare = etag.trim().replace(/^"|"$/g, '').replace(/^&quot;|&quot;$/g, '');
  return `"${bare}"`;
}
