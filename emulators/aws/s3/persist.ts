/**
 * Write-through disk persistence for S3 state: one JSON manifest per bucket (metadata of every version) and one
 * file per object body. Every mutation rewrites the touched bucket's manifest atomically (tmp + rename): simple
 * and correct over clever. Reads never touch the disk; `load` runs once at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bucket, ObjectVersion } from './model.ts';

interface BucketManifest {
  name: string;
  region: string;
  created: number;
  versioning: Bucket['versioning'];
  cors?: Bucket['cors'];
  versions: Omit<ObjectVersion, 'body'>[];
}

export class DiskStore {
  private readonly root: string;
  constructor(dir: string) {
    this.root = path.join(dir, 'buckets');
    fs.mkdirSync(this.root, { recursive: true });
  }

  private bucketDir(name: string): string {
    return path.join(this.root, name);
  }

  saveBucket(b: Bucket): void {
    const dir = this.bucketDir(b.name);
    fs.mkdirSync(path.join(dir, 'blobs'), { recursive: true });
    const versions = [...b.objects.values()].flat().map(({ body: _body, ...meta }) => meta);
    const manifest: BucketManifest = { name: b.name, region: b.region, created: b.created, versioning: b.versioning, cors: b.cors, versions };
    const tmp = path.join(dir, 'manifest.json.tmp');
    fs.writeFileSync(tmp, JSON.stringify(manifest));
    fs.renameSync(tmp, path.join(dir, 'manifest.json'));
  }

  writeBlob(bucket: string, id: string, body: Buffer): void {
    fs.mkdirSync(path.join(this.bucketDir(bucket), 'blobs'), { recursive: true });
    fs.writeFileSync(path.join(this.bucketDir(bucket), 'blobs', id), body);
  }

  deleteBlob(bucket: string, id: string): void {
    fs.rmSync(path.join(this.bucketDir(bucket), 'blobs', id), { force: true });
  }

  deleteBucket(name: string): void {
    fs.rmSync(this.bucketDir(name), { recursive: true, force: true });
  }

  clear(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true });
  }

  /** Every bucket on disk, bodies read back into memory. A bucket whose manifest is unreadable is skipped. */
  load(): Bucket[] {
    const out: Bucket[] = [];
    for (const name of fs.readdirSync(this.root)) {
      const file = path.join(this.bucketDir(name), 'manifest.json');
      if (!fs.existsSync(file)) continue;
      let m: BucketManifest;
      try {
        m = JSON.parse(fs.readFileSync(file, 'utf8')) as BucketManifest;
      } catch {
        continue;
      }
      const objects = new Map<string, ObjectVersion[]>();
      for (const meta of m.versions) {
        const blob = path.join(this.bucketDir(name), 'blobs', meta.id);
        const body = meta.deleteMarker || !fs.existsSync(blob) ? Buffer.alloc(0) : fs.readFileSync(blob);
        const list = objects.get(meta.key) ?? [];
        list.push({ ...meta, body });
        objects.set(meta.key, list);
      }
      out.push({ name: m.name, region: m.region, created: m.created, versioning: m.versioning, cors: m.cors, objects });
    }
    return out;
  }
}
