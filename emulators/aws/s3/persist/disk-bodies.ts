/**
 * Object and part bytes as blob files, one per body, named by its id and never rewritten: written to tmp/, synced,
 * renamed into blobs/ (the directory itself is synced by the journal before the first record naming the blob is
 * written). A blob is deleted only after a durable record stopped referencing it; start-up removes whatever a crash
 * left unreferenced. Zero-byte bodies have no file.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import { ulid } from 'ulid';
import { errors } from '../errors.ts';
import { crashPoint } from './crash.ts';
import type { Bodies, ByteRange, FileSlice, HasBody } from '../bodies.ts';
import type { StoredBody } from '../model.ts';

const EMPTY = Buffer.alloc(0);
const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';
const CHUNK = 1024 * 1024;

export class DiskBodies implements Bodies {
  readonly blobDir: string;
  private readonly tmpDir: string;
  /** Renames into blobs/ so far, and how many of them a directory sync covers. */
  private renamed = 0;
  private synced = 0;

  constructor(root: string) {
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');
    fs.mkdirSync(this.blobDir, { recursive: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  private file(id: string): string {
    return path.join(this.blobDir, id);
  }

  async put(data: Buffer): Promise<StoredBody> {
    const md5 = createHash('md5').update(data).digest('hex');
    if (data.length === 0) return { id: ulid(), size: 0, md5 };
    return { ...(await this.write((fh) => fh.writeFile(data))), size: data.length, md5 };
  }

  async copy(src: HasBody, range: ByteRange | undefined, md5: boolean): Promise<StoredBody> {
    // The source is opened before the first await: a delete of the source committed meanwhile cannot take it away.
    const from = this.read(src, range);
    const size = Buffer.isBuffer(from) ? 0 : from.end - from.start + 1;
    const hash = md5 ? createHash('md5') : undefined;
    if (size === 0 || Buffer.isBuffer(from)) return { id: ulid(), size: 0, md5: hash ? EMPTY_MD5 : undefined };
    const stored = await this.write((fh) => copyRange(from, fh, 0, hash));
    return { ...stored, size, md5: hash?.digest('hex') };
  }

  async concat(parts: HasBody[]): Promise<StoredBody> {
    const size = parts.reduce((n, p) => n + p.size, 0);
    if (size === 0) return { id: ulid(), size: 0 };
    const stored = await this.write(async (fh) => {
      let at = 0;
      for (const p of parts) {
        if (p.size === 0) continue;
        await copyRange(this.open(p, { start: 0, end: p.size - 1 }), fh, at);
        at += p.size;
      }
    });
    return { ...stored, size };
  }

  read(src: HasBody, range?: ByteRange): Buffer | FileSlice {
    if (src.size === 0 || (range && range.end < range.start)) return EMPTY;
    return this.open(src, range ?? { start: 0, end: src.size - 1 });
  }

  private open(src: HasBody, range: ByteRange): FileSlice {
    try {
      return { fd: fs.openSync(this.file(src.id), 'r'), ...range };
    } catch (e) {
      // A record naming a blob that is not there: the directory was changed behind our back.
      console.error(`[s3] blob ${src.id} unreadable: ${(e as Error).message}`);
      throw errors.InternalError();
    }
  }

  discard(stored: StoredBody): void {
    if (stored.size > 0) this.remove([stored.id]);
  }

  remove(ids: string[]): void {
    for (const id of ids) {
      fs.unlink(this.file(id), () => crashPoint('garbage-removed'));
    }
  }

  /** Make every rename into blobs/ so far durable (the journal calls this before writing records that name them). */
  async syncDir(): Promise<void> {
    const upTo = this.renamed;
    if (upTo === this.synced) return;
    const dir = await fsp.open(this.blobDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.synced = Math.max(this.synced, upTo);
  }

  /** Start-up: delete blobs no record references and anything left in tmp/. */
  collect(referenced: Set<string>): { removed: number } {
    let removed = 0;
    for (const name of fs.readdirSync(this.blobDir)) {
      if (referenced.has(name)) continue;
      fs.rmSync(this.file(name), { force: true });
      removed++;
    }
    for (const name of fs.readdirSync(this.tmpDir)) fs.rmSync(path.join(this.tmpDir, name), { force: true, recursive: true });
    return { removed };
  }

  /** Count of blob files (tests and the benchmark check that orphans do not pile up). */
  count(): number {
    return fs.readdirSync(this.blobDir).length;
  }

  clear(): void {
    for (const dir of [this.blobDir, this.tmpDir]) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
    }
  }

  /** tmp/<id>, filled by `fill`, synced, renamed to blobs/<id>. */
  private async write(fill: (fh: fsp.FileHandle) => Promise<void>): Promise<{ id: string }> {
    const id = ulid();
    const tmp = path.join(this.tmpDir, id);
    const fh = await fsp.open(tmp, 'wx');
    try {
      await fill(fh);
      await fh.datasync();
    } catch (e) {
      await fh.close().catch(() => {});
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    await fh.close();
    crashPoint('blob-written');
    await fsp.rename(tmp, this.file(id));
    this.renamed++;
    crashPoint('blob-renamed');
    return { id };
  }
}

/** Copy a file slice (closing its descriptor) into `out` at `at`, feeding `hash` on the way. */
async function copyRange(src: FileSlice, out: fsp.FileHandle, at: number, hash?: Hash): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, src.end - src.start + 1));
  try {
    for (let pos = src.start; pos <= src.end;) {
      const want = Math.min(buf.length, src.end - pos + 1);
      const { bytesRead } = await new Promise<{ bytesRead: number }>((resolve, reject) =>
        fs.read(src.fd, buf, 0, want, pos, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead }))));
      if (bytesRead === 0) throw new Error('blob shorter than its record');
      const chunk = buf.subarray(0, bytesRead);
      hash?.update(chunk);
      await out.write(chunk, 0, bytesRead, at);
      at += bytesRead;
      pos += bytesRead;
    }
  } finally {
    fs.close(src.fd, () => {});
  }
}
