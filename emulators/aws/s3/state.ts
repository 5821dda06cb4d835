/**
 * The S3 model's rules, no HTTP: every write is decided here, expressed as records (records.ts) and committed —
 * applied in memory and, with persistence, appended to the journal. Handlers await `durable()` before answering.
 * Versioning rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html,
 * DeletingObjectVersions.html and AddingObjectstoVersionSuspendedBuckets.html.
 */
import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import { errors, S3Error } from './errors.ts';
import { MemoryBodies, type Bodies } from './bodies.ts';
import { applyRecord, bucketRecord, modelRecords, referencedBlobs, type Rec, type S3Model } from './records.ts';
import { checkWrite, type WriteCondition } from './conditions.ts';
import { compareKeys } from './listing.ts';
import type { Bucket, BucketRecord, ObjectInput, ObjectRecord, ObjectSettings, ObjectVersion, Part, StoredBody, StoredHeaders, Upload, UploadChecksum, UploadRecord } from './model.ts';
import type { CorsRule } from './cors.ts';
import type { DiskStore } from './persist/store.ts';
import { DEFAULT_ACCOUNT_ID } from './accounts.ts';

// Bucket naming rules: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface DeleteOutcome {
  /** The version removed, or the delete marker created. Absent when the bucket was never versioned. */
  versionId?: string;
  deleteMarker: boolean;
}

export class S3State {
  readonly model: S3Model = { buckets: new Map(), uploads: new Map() };
  readonly bodies: Bodies;

  constructor(private readonly now: () => number, private readonly store?: DiskStore) {
    this.bodies = store?.bodies ?? new MemoryBodies();
    if (!store) return;
    store.load((r) => applyRecord(this.model, r));
    const removed = store.collect(referencedBlobs(this.model));
    if (removed) console.error(`[s3] removed ${removed} unreferenced blob(s) left by an interrupted write`);
    store.snapshotSource = () => modelRecords(this.model);
    store.onFailure = () => this.reload();
  }

  get buckets(): Map<string, Bucket> {
    return this.model.buckets;
  }

  /** Resolves when every write committed so far is durable (at once without persistence). */
  durable(): Promise<void> {
    return this.store?.durable() ?? Promise.resolve();
  }

  /** Run a commit that references a just-stored body; when it throws (a failed condition), the body is discarded. */
  adopt<T>(stored: StoredBody, commit: () => T): T {
    try {
      return commit();
    } catch (e) {
      this.bodies.discard(stored);
      throw e;
    }
  }

  bucket(name: string): Bucket {
    const b = this.model.buckets.get(name);
    if (!b) throw errors.NoSuchBucket({ BucketName: name });
    return b;
  }

  listBuckets(): Bucket[] {
    return [...this.model.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The versions of a key, newest first: a new array after every write to the key (what a 409 compares). */
  versionsOf(bucket: string, key: string): ObjectVersion[] | undefined {
    return this.bucket(bucket).objects.get(key);
  }

  /**
   * A new bucket owned by `owner` (an account id), with whatever else the request set (ownership, ACL …). Returns
   * false when the owner re-creates it and S3's us-east-1 legacy rule makes that a no-op.
   */
  createBucket(name: string, region: string, owner: string = DEFAULT_ACCOUNT_ID, settings: Partial<BucketRecord> = {}): boolean {
    if (!BUCKET_NAME.test(name) || name.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(name)) throw errors.InvalidBucketName({ BucketName: name });
    const existing = this.model.buckets.get(name);
    if (existing) {
      // The bucket namespace is shared by all accounts (API_CreateBucket.html, error BucketAlreadyExists).
      if ((existing.owner ?? DEFAULT_ACCOUNT_ID) !== owner) throw errors.BucketAlreadyExists({ BucketName: name });
      // CreateBucket docs: us-east-1 answers 200 to the owner re-creating a bucket, every other region 409.
      if (existing.region === 'us-east-1' && region === 'us-east-1') return false;
      throw errors.BucketAlreadyOwnedByYou({ BucketName: name });
    }
    // Object Lock needs versioning: a lock-enabled bucket is created with it Enabled (object-lock.html).
    const bucket: BucketRecord = { ...settings, name, region, created: this.now(), versioning: settings.objectLock ? 'Enabled' : 'Unversioned' };
    if (owner !== DEFAULT_ACCOUNT_ID) bucket.owner = owner;
    this.commit([{ t: 'bucket', bucket }]);
    return true;
  }

  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (b.objects.size > 0) throw errors.BucketNotEmpty({ BucketName: name });
    const uploads = this.uploadsIn(name).map((u): Rec => ({ t: 'drop-upload', uploadId: u.uploadId }));
    this.commit([...uploads, { t: 'drop-bucket', name }]);
  }

  setVersioning(name: string, status: 'Enabled' | 'Suspended'): void {
    if (this.bucket(name).objectLock && status !== 'Enabled') {
      throw new S3Error('InvalidBucketState', 409, 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
    }
    this.updateBucket(name, (b) => ({ ...b, versioning: status }));
  }

  setCors(name: string, rules: CorsRule[] | undefined): void {
    this.updateBucket(name, ({ cors: _old, ...rest }) => (rules ? { ...rest, cors: rules } : rest));
  }

  /**
   * Change a bucket's configuration: `change` returns the whole new record (a field it leaves out is removed).
   * Whatever it holds is persisted as is, so a new setting (policy, ACL, tags …) needs no persistence code.
   */
  updateBucket(name: string, change: (b: BucketRecord) => BucketRecord): void {
    const bucket = change(bucketRecord(this.bucket(name)));
    if (bucket.name !== name) throw new Error('updateBucket cannot rename a bucket');
    this.commit([{ t: 'bucket', bucket }]);
  }

  /**
   * Change a stored version's record (tags, ACL …; not its bytes or identity): `change` returns the whole new
   * record, persisted as is. The version is the current one, or the one named.
   */
  updateVersion(bucketName: string, key: string, versionId: string | undefined, change: (v: ObjectRecord) => ObjectRecord): ObjectVersion {
    const current = this.getObject(bucketName, key, versionId);
    const { body: _body, ...record } = current;
    const next = change(record);
    if (next.id !== current.id || next.key !== current.key || next.versionId !== current.versionId || next.size !== current.size) throw new Error('updateVersion cannot change a version\'s identity or bytes');
    this.commit([{ t: 'update', bucket: bucketName, version: next }]);
    return this.bucket(bucketName).objects.get(key)!.find((x) => x.id === next.id)!;
  }

  /** A new version from a stored body; `cond` holds a conditional write's headers and what it saw when it began. */
  putObject(bucketName: string, key: string, input: ObjectInput, cond?: WriteCondition): ObjectVersion {
    const b = this.bucket(bucketName);
    checkWrite(key, b.objects.get(key), cond);
    const [v, recs] = this.newVersion(b, key, input);
    this.commit(recs);
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

  deleteObject(bucketName: string, key: string, versionId?: string, cond?: WriteCondition): DeleteOutcome {
    const b = this.bucket(bucketName);
    const list = b.objects.get(key) ?? [];
    checkWrite(key, list, cond);
    if (versionId !== undefined) {
      const v = list.find((x) => x.versionId === versionId);
      // Deleting a version that does not exist succeeds (S3 DELETE is idempotent); a malformed id is rejected.
      if (!v && versionId !== 'null' && b.versioning === 'Unversioned') throw invalidVersion(versionId);
      if (v) this.commit([{ t: 'remove', bucket: b.name, key, ids: [v.id] }]);
      return { versionId, deleteMarker: v?.deleteMarker ?? false };
    }
    if (b.versioning === 'Unversioned') {
      if (list.length) this.commit([{ t: 'remove', bucket: b.name, key, ids: list.map((x) => x.id) }]);
      return { deleteMarker: false };
    }
    const marker: ObjectVersion = {
      id: ulid(), key, versionId: b.versioning === 'Enabled' ? newVersionId() : 'null', deleteMarker: true,
      lastModified: this.now(), size: 0, etag: '', headers: {}, metadata: {},
    };
    this.commit([{ t: 'put', bucket: b.name, version: marker }, ...this.replacedNull(b, key)]);
    return { versionId: marker.versionId, deleteMarker: true };
  }

  sortedKeys(b: Bucket): string[] {
    if (!b.sortedKeys) b.sortedKeys = [...b.objects.keys()].sort(compareKeys);
    return b.sortedKeys;
  }

  createUpload(bucket: string, key: string, headers: StoredHeaders, metadata: Record<string, string>, settings?: ObjectSettings, checksum?: UploadChecksum): Upload {
    this.bucket(bucket);
    const upload: UploadRecord = { uploadId: randomBytes(32).toString('base64url'), bucket, key, initiated: this.now(), headers, metadata };
    if (settings && Object.keys(settings).length) upload.settings = settings;
    if (checksum) upload.checksum = checksum;
    this.commit([{ t: 'upload', upload }]);
    return this.model.uploads.get(upload.uploadId)!;
  }

  upload(bucket: string, key: string, uploadId: string): Upload {
    this.bucket(bucket);
    const u = this.model.uploads.get(uploadId);
    if (!u || u.bucket !== bucket || u.key !== key) throw errors.NoSuchUpload({ UploadId: uploadId });
    return u;
  }

  uploadsIn(bucket: string): Upload[] {
    return [...this.model.uploads.values()].filter((u) => u.bucket === bucket);
  }

  /** Store a part (replacing one uploaded before under the same number); `extra` holds its encryption and checksum. */
  putPart(bucket: string, key: string, uploadId: string, partNumber: number, stored: StoredBody, etag: string, extra: Partial<Pick<Part, 'sse' | 'checksum' | 'size'>> = {}): Part {
    const u = this.upload(bucket, key, uploadId);
    const part: Part = { partNumber, id: stored.id, size: stored.size, etag, lastModified: this.now(), ...extra, body: stored.body };
    for (const k of Object.keys(part) as (keyof Part)[]) if (part[k] === undefined) delete part[k];
    this.commit([{ t: 'part', uploadId: u.uploadId, part }]);
    return part;
  }

  abortUpload(bucket: string, key: string, uploadId: string): void {
    this.upload(bucket, key, uploadId);
    this.commit([{ t: 'drop-upload', uploadId }]);
  }

  /**
   * The upload's object, from the parts assembled into `input.stored`. The parts must still be those assembled
   * (a part re-uploaded or the upload aborted meanwhile makes the assembled body stale).
   */
  completeUpload(u: Upload, used: Part[], input: ObjectInput, cond?: WriteCondition): ObjectVersion {
    const now = this.upload(u.bucket, u.key, u.uploadId);
    if (used.some((p) => now.parts.get(p.partNumber) !== p)) throw errors.InvalidPart({ UploadId: u.uploadId });
    const b = this.bucket(u.bucket);
    checkWrite(u.key, b.objects.get(u.key), cond);
    // One batch: the object appears and the upload goes in the same durable step.
    const [v, recs] = this.newVersion(b, u.key, input);
    this.commit([...recs, { t: 'drop-upload', uploadId: u.uploadId }]);
    return v;
  }

  reset(): void {
    this.model.buckets.clear();
    this.model.uploads.clear();
    this.store?.clear();
  }

  snapshot(): unknown {
    return {
      buckets: this.listBuckets().map((b) => ({
        name: b.name, region: b.region, versioning: b.versioning, cors: b.cors, objectLock: b.objectLock,
        objects: [...b.objects.values()].flat().map((v) => ({ key: v.key, versionId: v.versionId, deleteMarker: v.deleteMarker, size: v.size, etag: v.etag, lastModified: new Date(v.lastModified).toISOString() })),
      })),
      uploads: [...this.model.uploads.values()].map((u) => ({ uploadId: u.uploadId, bucket: u.bucket, key: u.key, parts: [...u.parts.values()].map((p) => ({ partNumber: p.partNumber, size: p.size, etag: p.etag })) })),
    };
  }

  /** Apply records in memory and hand them to the journal (which deletes blobs they orphan once durable). */
  private commit(recs: Rec[]): void {
    this.store?.checkWritable();
    const garbage = recs.flatMap((r) => applyRecord(this.model, r));
    this.store?.append(recs, garbage);
  }

  /** The version a write creates and the records that add it (and drop the "null" version it replaces). */
  private newVersion(b: Bucket, key: string, input: ObjectInput): [ObjectVersion, Rec[]] {
    const v: ObjectVersion = {
      id: input.stored.id,
      key,
      versionId: b.versioning === 'Enabled' ? newVersionId() : 'null',
      deleteMarker: false,
      lastModified: this.now(),
      size: input.size ?? input.stored.size,
      etag: input.etag,
      headers: input.headers,
      metadata: input.metadata,
      checksum: input.checksum,
      parts: input.parts,
      uploadId: input.uploadId,
      partChecksums: input.partChecksums,
      ...input.settings,
      body: input.stored.body,
    };
    for (const k of Object.keys(v) as (keyof ObjectVersion)[]) if (v[k] === undefined) delete v[k];
    return [v, [{ t: 'put', bucket: b.name, version: v }, ...this.replacedNull(b, key)]];
  }

  /** Outside Enabled a new version (or marker) replaces the key's "null" version: S3 keeps one null per key. */
  private replacedNull(b: Bucket, key: string): Rec[] {
    if (b.versioning === 'Enabled') return [];
    const ids = (b.objects.get(key) ?? []).filter((x) => x.versionId === 'null').map((x) => x.id);
    return ids.length ? [{ t: 'remove', bucket: b.name, key, ids }] : [];
  }

  /** A journal write failed: memory is ahead of disk, so rebuild it from what is durable. */
  private reload(): void {
    // Built aside and swapped in whole: if reading the disk fails too, reads keep the state they had.
    const fresh: S3Model = { buckets: new Map(), uploads: new Map() };
    this.store!.reopen((r) => applyRecord(fresh, r));
    this.model.buckets = fresh.buckets;
    this.model.uploads = fresh.uploads;
  }
}

function newVersionId(): string {
  // Opaque, URL-safe and time-ordered, like S3's 32-character version ids.
  return `${ulid()}${Math.random().toString(36).slice(2, 8)}`;
}

function invalidVersion(versionId: string): S3Error {
  return new S3Error('InvalidArgument', 400, 'Invalid version id specified', { ArgumentName: 'versionId', ArgumentValue: versionId });
}

export type { VersioningStatus } from './model.ts';
