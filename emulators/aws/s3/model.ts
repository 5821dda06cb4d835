/**
 * The data S3 keeps: buckets, object versions, multipart uploads. Plain types, no behaviour.
 *
 * Persistence is generic: every field of a *Record type is written to the journal as JSON and read back as is, so a
 * field added here (tags, ACLs, SSE settings …) survives a restart without touching the persistence code. Fields
 * must therefore be JSON values. Runtime-only fields live on the extending types (Bucket, ObjectVersion, Upload,
 * Part) and are never persisted; a Buffer anywhere in a record is dropped on the way to disk.
 */
import type { CorsRule } from './cors.ts';
import type { Acl } from './access/acl.ts';
import type { Ownership, PublicAccessBlock } from './access/settings.ts';
import type { SseRecord, BucketEncryption } from './sse/model.ts';

/** Tags as [key, value] pairs (a tag key may be any text, "__proto__" included, so never object keys). */
export type Tags = [string, string][];

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
  value: string; // base64, as on the wire (a COMPOSITE one ends in "-<parts>")
  /** COMPOSITE: a checksum of the parts' checksums; absent: FULL_OBJECT, of the whole object. */
  type?: 'COMPOSITE';
}

/** The checksum a multipart upload was created with (x-amz-checksum-algorithm, x-amz-checksum-type). */
export interface UploadChecksum {
  algorithm: string;
  type: 'COMPOSITE' | 'FULL_OBJECT';
}

export type VersioningStatus = 'Unversioned' | 'Enabled' | 'Suspended';

/** A bucket's configuration: everything but its objects. */
export interface BucketRecord {
  name: string;
  region: string;
  created: number;
  versioning: VersioningStatus;
  cors?: CorsRule[];
  /** Created with x-amz-bucket-object-lock-enabled (versioning is then Enabled for good). */
  objectLock?: boolean;
  /** The owning account's id; absent: the default account (access/settings.ts). */
  owner?: string;
  /** Absent: the owner with FULL_CONTROL. */
  acl?: Acl;
  /** The PutBucketPolicy document as sent. */
  policy?: string;
  tags?: Tags;
  /** Absent: BucketOwnerEnforced, the default since April 2023; null: ownership controls deleted. */
  ownership?: Ownership | null;
  /** Absent: all four settings on (the default since April 2023); null: the configuration deleted. */
  publicAccessBlock?: PublicAccessBlock | null;
  /** Absent: no default encryption and SSE-C blocked (sse/model.ts). */
  encryption?: BucketEncryption;
}

export interface Bucket extends BucketRecord {
  /** Versions of each key, newest first. Each write replaces the key's array, so its identity marks a change. */
  objects: Map<string, ObjectVersion[]>;
  /** Sorted key cache for listings; dropped when a key appears or goes. */
  sortedKeys?: string[];
}

/** One version of an object, or a delete marker. */
export interface ObjectRecord {
  /** Internal unique id: names the body's blob on disk. */
  id: string;
  key: string;
  /** "null" for objects written while versioning was off or suspended. */
  versionId: string;
  deleteMarker: boolean;
  lastModified: number;
  size: number;
  /** Quoted, as S3 sends it. */
  etag: string;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  checksum?: Checksum;
  /** Part sizes, in order, of an object assembled by CompleteMultipartUpload (GET ?partNumber=, x-amz-mp-parts-count). */
  parts?: number[];
  /** The multipart upload that produced this version (a repeated CompleteMultipartUpload answers from it). */
  uploadId?: string;
  /** Each part's checksum, where the upload had a checksum algorithm (GetObjectAttributes lists them). */
  partChecksums?: string[];
  /** Set where it is not the bucket's owner (ACLs enabled, written by another account). */
  owner?: string;
  /** Absent: the owner with FULL_CONTROL. */
  acl?: Acl;
  tags?: Tags;
  /** How the stored bytes are encrypted; absent: stored as sent. */
  sse?: SseRecord;
  /** Absent: STANDARD. */
  storageClass?: string;
  websiteRedirect?: string;
}

export interface ObjectVersion extends ObjectRecord {
  /** The bytes, when bodies are kept in memory (no persistence directory). */
  body?: Buffer;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  /** What the completed object will carry (set by CreateMultipartUpload's headers). */
  settings?: ObjectSettings;
  checksum?: UploadChecksum;
}

/** What a write sets on a version besides its bytes and headers: the fields CreateMultipartUpload saves for later. */
export interface ObjectSettings {
  owner?: string;
  acl?: Acl;
  tags?: Tags;
  sse?: SseRecord;
  storageClass?: string;
  websiteRedirect?: string;
}

export interface PartRecord {
  partNumber: number;
  /** Names the part's blob. */
  id: string;
  size: number;
  etag: string;
  lastModified: number;
  /** The part's bytes are encrypted as one segment of the object (sse/crypt.ts). */
  sse?: { nonce: string; storedSize: number };
  checksum?: Checksum;
}

export interface Part extends PartRecord {
  body?: Buffer;
}

export interface Upload extends UploadRecord {
  parts: Map<number, Part>;
}

/** Bytes already written where they will live (memory or a durable blob), not yet referenced by any record. */
export interface StoredBody {
  id: string;
  size: number;
  /** Hex MD5 of the bytes, when it was computed while storing them. */
  md5?: string;
  body?: Buffer;
}

/** What a write gives the state: the stored body plus everything the new version records. */
export interface ObjectInput {
  stored: StoredBody;
  /** The object's size when it differs from the stored body's (encrypted bytes carry their tags). */
  size?: number;
  etag: string;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  checksum?: Checksum;
  parts?: number[];
  uploadId?: string;
  partChecksums?: string[];
  settings?: ObjectSettings;
}

export const OWNER = { id: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', displayName: 'webfile' };
