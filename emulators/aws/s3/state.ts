/**
 * The S3 model: buckets, objects and versioning rules, no HTTP. Optional write-through to disk.
 * Versioning rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html,
 * DeletingObjectVersions.html and AddingObjectstoVersionSuspendedBuckets.html.
 */
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import { errors, S3Error } from './errors.ts';
import type { Bucket, ObjectInput, ObjectVersion, VersioningStatus } from './model.ts';
import type { CorsRule } from './cors.ts';
import { MultipartUploads } from './multipart.ts';
import type { DiskStore } from './persist.ts';

// Bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface DeleteOutcome {
  /** The version removed, or the delete marker created. Absent when the bucket was never versioned. */
  versionId?: string;
  deleteMarker: boolean;
}

export class S3State {
  readonly buckets = new Map<string, Bucket>();
  readonly uploads = new MultipartUploads();

  constructor(private readonly now: () => number, private readonly store?: DiskStore) {
    for (const b of store?.load() ?? []) this.buckets.set(b.name, b);
  }

  bucket(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw errors.NoSuchBucket({ BucketName: name });
    return b;
  }

  listBuckets(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Returns false when the bucket already existed and S3's us-east-1 legacy rule makes re-creating a no-op. */
  createBucket(name: string, region: string): boolean {
    if (!BUCKET_NAME.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) throw errors.InvalidBucketName({ BucketName: name });
    const existing = this.buckets.get(name);
    if (existing) {
      // CreateBucket docs: us-east-1 answers 200 to the owner re-creating a bucket, every other region 409.
      if (existing.region === 'us-east-1' && region === 'us-east-1') return false;
      throw errors.BucketAlreadyOwnedByYou({ BucketName: name });
    }
    const b: Bucket = { name, region, created: this.now(), versioning: 'Unversioned', objects: new Map() };
    this.buckets.set(name, b);
    this.store?.saveBucket(b);
    return true;
  }

  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (b.objects.size > 0) throw errors.BucketNotEmpty({ BucketName: name });
    this.buckets.delete(name);
    this.uploads.dropBucket(name);
    this.store?.deleteBucket(name);
  }

  setVersioning(name: string, status: 'Enabled' | 'Suspended'): void {
    const b = this.bucket(name);
    b.versioning = status;
    this.store?.saveBucket(b);
  }

  setCors(name: string, rules: CorsRule[] | undefined): void {
    const b = this.bucket(name);
    b.cors = rules;
    this.store?.saveBucket(b);
  }

  putObject(bucketName: string, key: string, input: ObjectInput): ObjectVersion {
    const b = this.bucket(bucketName);
    const versioned = b.versioning === 'Enabled';
    const v: ObjectVersion = {
      id: ulid(),
      key,
      versionId: versioned ? newVersionId() : 'null',
      deleteMarker: false,
      lastModified: this.now(),
      body: input.body,
      etag: input.etag ?? `"${createHash('md5').update(input.body).digest('hex')}"`,
      headers: input.headers,
      metadata: input.metadata,
      checksum: input.checksum,
      partsCount: input.partsCount,
    };
    this.store?.writeBlob(b.name, v.id, v.body);
    this.addVersion(b, v);
    return v;
  }

  /** The current version, or the one named; a delete marker as current is NoSuchKey, by id it is MethodNotAllowed. */
  getObject(bucketName: string, key: string, versionId?: string): ObjectVersion {
    const b = this.bucket(bucketName);
    const versions = b.objects.get(key);
    if (versionId === undefined) {
      const latest = versions?.[0];
      if (!latest) throw errors.NoSuchKey({ Key: key });
      // GetObject docs: a current delete marker answers 404 with x-amz-delete-marker: true.
      if (latest.deleteMarker) throw errors.NoSuchKey({ Key: key }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': latest.versionId });
      return latest;
    }
    const v = versions?.find((x) => x.versionId === versionId);
    if (!v) throw versionId === 'null' || b.versioning !== 'Unversioned' ? errors.NoSuchVersion({ Key: key, VersionId: versionId }) : invalidVersion(versionId);
    if (v.deleteMarker) throw errors.MethodNotAllowed({ Method: 'GET', ResourceType: 'DeleteMarker' }, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': v.versionId, allow: 'DELETE' });
    return v;
  }

  deleteObject(bucketName: string, key: string, versionId?: string): DeleteOutcome {
    const b = this.bucket(bucketName);
    if (versionId !== undefined) return this.deleteVersion(b, key, versionId);
    if (b.versioning === 'Unversioned') {
      this.removeVersions(b, key, () => true);
      return { deleteMarker: false };
    }
    const marker: ObjectVersion = {
      id: ulid(), key, versionId: b.versioning === 'Enabled' ? newVersionId() : 'null', deleteMarker: true,
      lastModified: this.now(), body: Buffer.alloc(0), etag: '', headers: {}, metadata: {},
    };
    this.addVersion(b, marker);
    return { versionId: marker.versionId, deleteMarker: true };
  }

  sortedKeys(b: Bucket): string[] {
    if (!b.sortedKeys) b.sortedKeys = [...b.objects.keys()].sort(compareKeys);
    return b.sortedKeys;
  }

  reset(): void {
    this.buckets.clear();
    this.uploads.clear();
    this.store?.clear();
  }

  snapshot(): unknown {
    return {
      buckets: this.listBuckets().map((b) => ({
        name: b.name, region: b.region, versioning: b.versioning, cors: b.cors,
        objects: [...b.objects.values()].flat().map((v) => ({ key: v.key, versionId: v.versionId, deleteMarker: v.deleteMarker, size: v.body.length, etag: v.etag, lastModified: new Date(v.lastModified).toISOString() })),
      })),
      uploads: this.uploads.snapshot(),
    };
  }

  private deleteVersion(b: Bucket, key: string, versionId: string): DeleteOutcome {
    const v = b.objects.get(key)?.find((x) => x.versionId === versionId);
    // Deleting a version that does not exist succeeds (S3 DELETE is idempotent); a malformed id is rejected.
    if (!v && versionId !== 'null' && b.versioning === 'Unversioned') throw invalidVersion(versionId);
    this.removeVersions(b, key, (x) => x.versionId === versionId);
    return { versionId, deleteMarker: v?.deleteMarker ?? false };
  }

  /** New version goes first; outside Enabled it replaces the "null" version, as S3 keeps one null per key. */
  private addVersion(b: Bucket, v: ObjectVersion): void {
    const list = b.objects.get(v.key) ?? [];
    const kept = b.versioning === 'Enabled' ? list : list.filter((x) => x.versionId !== 'null');
    for (const gone of list) if (!kept.includes(gone)) this.store?.deleteBlob(b.name, gone.id);
    if (!b.objects.has(v.key)) b.sortedKeys = undefined;
    b.objects.set(v.key, [v, ...kept]);
    this.store?.saveBucket(b);
  }

  private removeVersions(b: Bucket, key: string, pred: (v: ObjectVersion) => boolean): void {
    const list = b.objects.get(key);
    if (!list) return;
    const kept = list.filter((x) => !pred(x));
    for (const gone of list) if (pred(gone)) this.store?.deleteBlob(b.name, gone.id);
    if (kept.length) b.objects.set(key, kept);
    else {
      b.objects.delete(key);
      b.sortedKeys = undefined;
    }
    this.store?.saveBucket(b);
  }
}

/** S3 sorts keys by their UTF-8 bytes; for ASCII and BMP text, code-unit order is the same. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function newVersionId(): string {
  // Opaque, URL-safe and time-ordered, like S3's 32-character version ids.
  return `${ulid()}${Math.random().toString(36).slice(2, 8)}`;
}

function invalidVersion(versionId: string): S3Error {
  return new S3Error('InvalidArgument', 400, 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
}

export type { VersioningStatus };
