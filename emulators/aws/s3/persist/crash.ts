/**
 * Crash points for the crash tests: armed with `S3_CRASH_AT=<point>[:<n>]` (or `armCrash` from a test's child
 * process), the process SIGKILLs itself the n-th time (default: first) it reaches the named step of a write, so a
 * test can stop it exactly between two steps. Unarmed, each point costs one comparison.
 */
export type CrashPoint =
  | 'blob-written' // a new blob's bytes are synced in tmp/, not yet renamed into blobs/
  | 'blob-renamed' // the blob is in blobs/, no record references it yet
  | 'journal-written' // the batch's records are written, not yet synced
  | 'journal-synced' // the batch is durable, the client not yet answered and replaced blobs not yet deleted
  | 'garbage-removed' // one replaced blob was deleted
  | 'snapshot-written' // compaction: the snapshot is synced under its temporary name
  | 'snapshot-renamed'; // compaction: the snapshot is in place, the files it replaces not yet deleted

let armed: { point: string; remaining: number } | undefined;

export function armCrash(spec: string): void {
  const [point, nth] = spec.split(':');
  armed = point ? { point, remaining: Number(nth || 1) } : undefined;
}

armCrash(process.env.S3_CRASH_AT ?? '');

export function crashPoint(point: CrashPoint): void {
  if (armed?.point !== point) return;
  if (--armed.remaining > 0) return;
  process.kill(process.pid, 'SIGKILL');
}
