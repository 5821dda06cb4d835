/**
 * When a store may be read again. A caller asking for a re-read must get a read that STARTS after it asked (a read
 * already under way may predate the rotation it is looking for), every caller until that read starts shares it,
 * reads never overlap, and two reads never start closer than `minIntervalMs` — anyone holding an unknown keyId or
 * a bad webhook signature can ask, so this is also the limit on how hard they can make us hit Vault.
 */
export interface ReadSchedule<T> {
  /** The next read that starts after this call (shared with every caller until it starts). */
  request(reason: string): Promise<T>;
  /** Epoch ms at which the latest read started (the initial load counts). */
  lastStart(): number;
  /** A read is scheduled and has not started yet. */
  pending(): boolean;
}

export function scheduleReads<T>(read: (reason: string) => Promise<T>, o: { now: () => number; minIntervalMs: number }): ReadSchedule<T> {
  let started = o.now();
  let running: Promise<unknown> = Promise.resolve();
  let next: Promise<T> | undefined;
  return {
    request(reason) {
      if (next) return next;
      const p: Promise<T> = running
        .catch(() => {})
        .then(() => new Promise<void>((r) => setTimeout(r, Math.max(0, started + o.minIntervalMs - o.now()))))
        .then(() => {
          next = undefined;
          started = o.now();
          return read(reason);
        });
      next = p;
      running = p;
      return p;
    },
    lastStart: () => started,
    pending: () => next !== undefined,
  };
}
