/** The data S3 keeps: buckets, object versions and their stored headers. Plain types, no behaviour. */
import type { CorsRule } from './cors.ts';

/** Headers S3 stores with an object and returns on GET/HEAD. */
export interface StoredHeaders {
  contentType?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
}

export interface Checksum {
  algorithm: string; // CRC32, CRC32C, CRC64NVME, SHA1, SHA256
  value: string; // base64, as on the wire
}

export interface ObjectVersion {
  /** Internal unique id: names the blob on disk. */
  id: string;
  key: string;
  /** "null" for objects written while versioning was off or suspended. */
  versionId: string;
  deleteMarker: boolean;
  lastModified: number;
  body: Buffer;
  /** Quoted, as S3 sends it. */
  etag: string;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  checksum?: Checksum;
  partsCount?: number;
}

export type VersioningStatus = 'Unversioned' | 'Enabled' | 'Suspended';

export interface Bucket {
  name: string;
  region: string;
  created: number;
  versioning: VersioningStatus;
  /** Versions of each key, newest first. */
  objects: Map<string, ObjectVersion[]>;
  cors?: CorsRule[];
  /** Sorted key cache for listings; dropped on every write. */
  sortedKeys?: string[];
}

export interface ObjectInput {
  body: Buffer;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  checksum?: Checksum;
  /** Multipart uploads bring their own md5-of-md5s ETag. */
  etag?: string;
  partsCount?: number;
}

export const OWNER = { id: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', displayName: 'webfile' };
