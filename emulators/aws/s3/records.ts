/**
 * The only way the S3 model changes: records, applied in order. A write is decided in state.ts, expressed as
 * records, applied here and (with persistence) appended to the journal; start-up replays the same records through
 * the same function, so the live model and the restarted one cannot disagree.
 *
 * Every record is explicit (a `put` never implies which older version it replaces; a `remove` names the versions)
 * and idempotent (applying one twice changes nothing more), which lets a snapshot be taken while writes go on:
 * records written after the snapshot started are replayed over it and converge on the same state.
 */
import type { Bucket, BucketRecord, ObjectRecord, ObjectVersion, Part, PartRecord, Upload, UploadRecord } from './model.ts';

export type Rec =
  | { t: 'bucket'; bucket: BucketRecord }
  | { t: 'drop-bucket'; name: string }
  | { t: 'put'; bucket: string; version: ObjectRecord }
  /** The whole record of an existing version, changed (tags, ACL …): replaces the one with the same id. */
  | { t: 'update'; bucket: string; version: ObjectRecord }
  | { t: 'remove'; bucket: string; key: string; ids: string[] }
  | { t: 'upload'; upload: UploadRecord }
  | { t: 'part'; uploadId: string; part: PartRecord }
  | { t: 'drop-upload'; uploadId: string };

export interface S3Model {
  buckets: Map<string, Bucket>;
  uploads: Map<string, Upload>;
}

/** Apply one record. Returns the blob ids nothing references any more (to delete once the record is durable). */
export function applyRecord(m: S3Model, r: Rec): string[] {
  switch (r.t) {
    case 'bucket': {
      const b = m.buckets.get(r.bucket.name);
      if (!b) {
        m.buckets.set(r.bucket.name, { ...r.bucket, objects: new Map() });
        return [];
      }
      // The record is the whole configuration: a field it lacks (CORS deleted, then JSON dropped it) is gone.
      for (const k of Object.keys(b) as (keyof Bucket)[]) if (k !== 'objects' && k !== 'sortedKeys' && !(k in r.bucket)) delete b[k];
      Object.assign(b, r.bucket);
      return [];
    }
    case 'drop-bucket':
      m.buckets.delete(r.name);
      return [];
    case 'put':
      return putVersion(m, r.bucket, r.version);
    case 'update':
      return updateVersion(m, r.bucket, r.version);
    case 'remove':
      return removeVersions(m, r.bucket, r.key, r.ids);
    case 'upload':
      if (!m.uploads.has(r.upload.uploadId)) m.uploads.set(r.upload.uploadId, { ...r.upload, parts: new Map() });
      return [];
    case 'part': {
      const u = m.uploads.get(r.uploadId);
      if (!u) return [r.part.id];
      const old = u.parts.get(r.part.partNumber);
      if (old?.id === r.part.id) return [];
      u.parts.set(r.part.partNumber, r.part as Part);
      return old ? [old.id] : [];
    }
    case 'drop-upload': {
      const u = m.uploads.get(r.uploadId);
      m.uploads.delete(r.uploadId);
      return u ? [...u.parts.values()].map((p) => p.id) : [];
    }
  }
}

/** A new version goes first in its key's list (unless already there: replay over a snapshot). */
function putVersion(m: S3Model, bucket: string, v: ObjectVersion): string[] {
  const b = m.buckets.get(bucket);
  if (!b) return [v.id];
  const list = b.objects.get(v.key);
  if (list?.some((x) => x.id === v.id)) return [];
  if (!list) b.sortedKeys = undefined;
  b.objects.set(v.key, list ? [v, ...list] : [v]);
  return [];
}

/** The version keeps its place (and in memory its bytes); the key's list becomes a new array, as on any write. */
function updateVersion(m: S3Model, bucket: string, v: ObjectRecord): string[] {
  const b = m.buckets.get(bucket);
  const list = b?.objects.get(v.key);
  const at = list?.findIndex((x) => x.id === v.id) ?? -1;
  if (!b || !list || at < 0) return [];
  const next = [...list];
  next[at] = { ...v, body: list[at].body };
  b.objects.set(v.key, next);
  return [];
}

function removeVersions(m: S3Model, bucket: string, key: string, ids: string[]): string[] {
  const b = m.buckets.get(bucket);
  const list = b?.objects.get(key);
  if (!b || !list) return [];
  const gone = list.filter((x) => ids.includes(x.id));
  if (gone.length === 0) return [];
  const kept = list.filter((x) => !ids.includes(x.id));
  if (kept.length) b.objects.set(key, kept);
  else {
    b.objects.delete(key);
    b.sortedKeys = undefined;
  }
  return gone.filter((x) => x.size > 0).map((x) => x.id);
}

/**
 * The whole model as records that rebuild it (a snapshot), yielded lazily so a large state is never serialized at
 * once. Versions come oldest first because `put` inserts at the front.
 */
export function* modelRecords(m: S3Model): Generator<Rec> {
  for (const b of m.buckets.values()) {
    yield { t: 'bucket', bucket: bucketRecord(b) };
    for (const list of b.objects.values()) for (let i = list.length - 1; i >= 0; i--) yield { t: 'put', bucket: b.name, version: list[i] };
  }
  for (const u of m.uploads.values()) {
    const { parts, ...upload } = u;
    yield { t: 'upload', upload };
    for (const part of parts.values()) yield { t: 'part', uploadId: u.uploadId, part };
  }
}

/** A bucket's configuration without its runtime fields. */
export function bucketRecord(b: Bucket): BucketRecord {
  const { objects: _objects, sortedKeys: _sorted, ...rec } = b;
  return rec;
}

/** Blob ids the model references: everything else in the blob directory is an orphan. */
export function referencedBlobs(m: S3Model): Set<string> {
  const ids = new Set<string>();
  for (const b of m.buckets.values()) for (const list of b.objects.values()) for (const v of list) if (v.size > 0) ids.add(v.id);
  for (const u of m.uploads.values()) for (const p of u.parts.values()) if (p.size > 0) ids.add(p.id);
  return ids;
}
