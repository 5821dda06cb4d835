/**
 * Crash-safe persistence for the embedded S3 (`AWS_PERSIST_DIR`): blob files for bodies and an append-only journal
 * of records for everything else, compacted into snapshots. Layout under `<dir>/s3/`:
 *   blobs/<id>              one immutable file per body (persist/disk-bodies.ts)
 *   journal-<gen>.log       batches of records since snapshot <gen> (persist/journal.ts format)
 *   snapshot-<gen>.log      the whole state when journal <gen> started (records that rebuild it)
 *
 * The order that makes a crash at any instant harmless, as in a database's write-ahead log:
 *   1. a new body is written to tmp/, synced and renamed into blobs/ (nothing references it yet);
 *   2. the operation's records are applied in memory and appended to the journal; concurrent operations share one
 *      write and one fdatasync (group commit), after the blobs directory itself is synced;
 *   3. only then is the client answered, and only then are blobs that records stopped referencing deleted.
 * A crash before 3 loses only unanswered writes; blobs left unreferenced are removed at the next start.
 * Start-up reads the snapshot and journals (metadata only, in bounded chunks), never a body.
 *
 * Like Redis with `appendfsync always`, a write is visible to other clients once ordered and answered once durable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { S3Error } from '../errors.ts';
import { crashPoint } from './crash.ts';
import { encodeBatch, readJournal } from './journal.ts';
import { DiskBodies } from './disk-bodies.ts';
import { migrateManifests } from './migrate.ts';
import type { Rec } from '../records.ts';

/** Journal size that triggers compaction (and at least the last snapshot's size, so a large state is not rewritten too often). */
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
/** Records per snapshot line: lines stay small, and a snapshot yields to requests between lines. */
const SNAPSHOT_LINE_RECORDS = 256;

export interface StoreOptions {
  /** Compact the journal once it passes this many bytes (default 64 MiB, or S3_COMPACT_BYTES). */
  compactBytes?: number;
}

interface Batch {
  chunks: Buffer[];
  bytes: number;
  garbage: string[];
  done: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

const journalName = (gen: number) => `journal-${String(gen).padStart(6, '0')}.log`;
const snapshotName = (gen: number) => `snapshot-${String(gen).padStart(6, '0')}.log`;
const GEN_FILE = /^(journal|snapshot)-(\d+)\.log$/;

const unavailable = () => new S3Error('ServiceUnavailable', 503, 'Persistence failed; writes are refused until restart. Reads keep working.');
const writeFailed = () => new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');

export class DiskStore {
  readonly root: string;
  readonly bodies: DiskBodies;
  /** Rebuilds the whole state as records (set by the state; compaction reads it). */
  snapshotSource?: () => Iterable<Rec>;
  /** Called after a failed journal write: the state reloads itself from disk (memory was ahead of it). */
  onFailure?: () => void;

  private readonly compactBytes: number;
  private gen = 1;
  private fd = -1;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private open: Batch | undefined;
  private inflight: Batch | undefined;
  private writing = false;
  private compacting: Promise<void> | undefined;
  private failed = false;
  /** Bumped by clear(): work started before belongs to a state that no longer exists. */
  private epoch = 0;

  constructor(dir: string, opts: StoreOptions = {}) {
    this.root = path.join(dir, 's3');
    fs.mkdirSync(this.root, { recursive: true });
    takeLock(path.join(this.root, 'LOCK'));
    this.bodies = new DiskBodies(this.root);
    this.compactBytes = opts.compactBytes ?? (Number(process.env.S3_COMPACT_BYTES) || DEFAULT_COMPACT_BYTES);
  }

  /**
   * Replay the newest snapshot and every journal after it through `apply`, cut a torn tail off the last journal,
   * delete files compaction made obsolete, and open the journal for appending.
   */
  load(apply: (r: Rec) => void): void {
    migrateManifests(path.dirname(this.root), this);
    const gens = this.generations();
    const snap = Math.max(0, ...gens.snapshot);
    if (snap > 0) {
      const read = readJournal(this.file(snapshotName(snap)), (recs) => recs.forEach(apply));
      if (!read.clean) console.error(`[s3] ${snapshotName(snap)} is damaged after ${read.goodBytes} bytes; state from there on is lost`);
      this.snapshotBytes = read.goodBytes;
    }
    const journals = gens.journal.filter((g) => g >= snap).sort((a, b) => a - b);
    for (const g of journals) {
      const file = this.file(journalName(g));
      const read = readJournal(file, (recs) => recs.forEach(apply));
      if (!read.clean) {
        // A crash mid-append leaves a partial last batch: it was never acknowledged, so it is dropped.
        fs.truncateSync(file, read.goodBytes);
        if (g !== journals[journals.length - 1]) console.error(`[s3] ${journalName(g)} was damaged at byte ${read.goodBytes}; cut there`);
      }
    }
    this.gen = Math.max(1, snap, ...journals);
    for (const name of fs.readdirSync(this.root)) {
      const m = GEN_FILE.exec(name);
      if (name.endsWith('.tmp') || (m && Number(m[2]) < snap)) fs.rmSync(this.file(name), { force: true });
    }
    this.openJournal();
  }

  /** After a failed write: close the journal and replay what is durable into a fresh model. */
  reopen(apply: (r: Rec) => void): void {
    try {
      if (this.fd >= 0) fs.closeSync(this.fd);
    } catch {
      // the descriptor that failed may be unusable; a new one is opened below
    }
    this.fd = -1;
    this.load(apply);
  }

  /** Start-up only: delete blobs nothing references (left by a crash), given the loaded state's references. */
  collect(referenced: Set<string>): number {
    return this.bodies.collect(referenced).removed;
  }

  /** Refuse writes once persistence has failed for good (memory must not run ahead of disk). */
  checkWritable(): void {
    if (this.failed) throw unavailable();
  }

  /** Queue an operation's records; `garbage` are blobs to delete once they are durable. */
  append(recs: Rec[], garbage: string[]): void {
    const line = encodeBatch(recs);
    if (!this.open) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const done = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
      done.catch(() => {}); // a rejection is reported through durable(), never unhandled
      this.open = { chunks: [], bytes: 0, garbage: [], done, resolve, reject };
      // One write and one sync for everything appended while this turn of the event loop lasts.
      setImmediate(() => void this.drain());
    }
    this.open.chunks.push(line);
    this.open.bytes += line.length;
    this.open.garbage.push(...garbage);
  }

  /** Resolves once everything appended so far is durable; rejects if its batch could not be written. */
  durable(): Promise<void> {
    return (this.open ?? this.inflight)?.done ?? Promise.resolve();
  }

  /** Wait for pending writes and compaction, then close the journal (an in-process restart reopens the directory). */
  async close(): Promise<void> {
    await this.durable().catch(() => {});
    await this.compacting;
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    fs.rmSync(path.join(this.root, 'LOCK'), { force: true });
  }

  /** Forget everything: the admin reset. Pending batches are settled as the state they belong to is gone. */
  clear(): void {
    this.epoch++;
    this.open?.resolve();
    this.open = undefined;
    const old = this.fd;
    this.fd = -1;
    if (!this.writing && old >= 0) fs.closeSync(old);
    for (const name of fs.readdirSync(this.root)) if (GEN_FILE.test(name) || name.endsWith('.tmp')) fs.rmSync(this.file(name), { force: true });
    this.bodies.clear();
    this.gen = 1;
    this.snapshotBytes = 0;
    this.failed = false;
    this.openJournal();
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.open) {
        const batch = this.open;
        this.open = undefined;
        this.inflight = batch;
        const { fd, epoch } = this;
        try {
          await this.bodies.syncDir();
          await writeAll(fd, Buffer.concat(batch.chunks, batch.bytes));
          crashPoint('journal-written');
          await new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
          crashPoint('journal-synced');
        } catch (e) {
          if (epoch !== this.epoch) {
            fs.close(fd, () => {});
            batch.resolve();
            continue;
          }
          this.fail(e as Error, batch);
          return;
        }
        this.inflight = undefined;
        if (epoch !== this.epoch) {
          fs.close(fd, () => {});
          batch.resolve();
          continue;
        }
        this.journalBytes += batch.bytes;
        batch.resolve();
        this.bodies.remove(batch.garbage);
        if (!this.compacting && this.journalBytes > Math.max(this.compactBytes, this.snapshotBytes)) this.startCompaction();
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * A journal write failed: the batch and any after it are refused (their clients get 500, nothing was
   * acknowledged), and the state reloads from what is durable (load() also cuts off a partly written batch). If
   * even that fails, writes are refused from then on while reads go on.
   */
  private fail(e: Error, batch: Batch): void {
    console.error(`[s3] journal write failed: ${e.message}`);
    this.inflight = undefined;
    const err = writeFailed();
    batch.reject(err);
    this.open?.reject(err);
    this.open = undefined;
    try {
      this.onFailure?.();
    } catch (re) {
      console.error(`[s3] cannot reload from ${this.root} (${(re as Error).message}); refusing writes from now on`);
      this.failed = true;
    }
  }

  /**
   * Switch to a new journal generation now (between batches), then write the snapshot of the state as of that
   * switch in the background. Writes go on meanwhile: the snapshot may also contain some of them, which replaying
   * the new journal over it repeats harmlessly (records are idempotent).
   */
  private startCompaction(): void {
    const gen = this.gen + 1;
    const fd = fs.openSync(this.file(journalName(gen)), 'a');
    syncDirSync(this.root);
    fs.close(this.fd, () => {});
    this.fd = fd;
    this.gen = gen;
    this.journalBytes = 0;
    const epoch = this.epoch;
    this.compacting = this.writeSnapshot(gen, epoch)
      .catch((e: Error) => console.error(`[s3] compaction failed (the journal keeps everything): ${e.message}`))
      .finally(() => (this.compacting = undefined));
  }

  private async writeSnapshot(gen: number, epoch: number): Promise<void> {
    const tmp = this.file(`${snapshotName(gen)}.tmp`);
    const fd = fs.openSync(tmp, 'w');
    let bytes = 0;
    try {
      let recs: Rec[] = [];
      for (const r of this.snapshotSource?.() ?? []) {
        recs.push(r);
        if (recs.length < SNAPSHOT_LINE_RECORDS) continue;
        bytes += await writeAll(fd, encodeBatch(recs));
        recs = [];
        if (epoch !== this.epoch) return;
      }
      if (recs.length) bytes += await writeAll(fd, encodeBatch(recs));
      await new Promise<void>((res, rej) => fs.fdatasync(fd, (e) => (e ? rej(e) : res())));
    } finally {
      fs.closeSync(fd);
    }
    if (epoch !== this.epoch) return;
    crashPoint('snapshot-written');
    fs.renameSync(tmp, this.file(snapshotName(gen)));
    syncDirSync(this.root);
    crashPoint('snapshot-renamed');
    this.snapshotBytes = bytes;
    for (const name of fs.readdirSync(this.root)) {
      const m = GEN_FILE.exec(name);
      if (m && Number(m[2]) < gen) fs.rmSync(this.file(name), { force: true });
    }
  }

  private openJournal(): void {
    const file = this.file(journalName(this.gen));
    this.fd = fs.openSync(file, 'a');
    syncDirSync(this.root);
    this.journalBytes = fs.fstatSync(this.fd).size;
  }

  private generations(): { journal: number[]; snapshot: number[] } {
    const out = { journal: [] as number[], snapshot: [] as number[] };
    for (const name of fs.readdirSync(this.root)) {
      const m = GEN_FILE.exec(name);
      if (m) out[m[1] as 'journal' | 'snapshot'].push(Number(m[2]));
    }
    return out;
  }

  private file(name: string): string {
    return path.join(this.root, name);
  }
}

/**
 * One writer per directory: two processes appending to one journal would interleave batches. The lock names its
 * process; a lock whose process is gone (killed, crashed) is taken over.
 */
function takeLock(file: string): void {
  let holder: number | undefined;
  try {
    holder = Number(fs.readFileSync(file, 'utf8'));
  } catch {
    // no lock yet
  }
  // Our own pid is a lock left by an earlier life of this pid (reused) or of this process: ours to take.
  if (holder && holder !== process.pid && isAlive(holder)) throw new Error(`${path.dirname(file)} is in use by process ${holder}`);
  fs.writeFileSync(file, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Write a whole buffer at the end of an append-mode file; resolves to its length. */
function writeAll(fd: number, data: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const step = (at: number): void => {
      if (at >= data.length) return resolve(data.length);
      fs.write(fd, data, at, data.length - at, null, (e, n) => (e ? reject(e) : step(at + n)));
    };
    step(0);
  });
}

function syncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
