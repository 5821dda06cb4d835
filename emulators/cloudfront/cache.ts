/**
 * The edge cache: whole objects by cache key (the path: the default cache policy leaves the query string out),
 * each kept for its behaviour's TTL. Bounded so a local run cannot grow without limit; oldest entries go first.
 */

export interface CachedObject {
  body: Buffer;
  etag?: string;
  contentType?: string;
  lastModified?: string;
}

interface Entry {
  object: CachedObject;
  storedAt: number;
  ttlMs: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
}

export class EdgeCache {
  private entries = new Map<string, Entry>();
  private bytes = 0;
  private hits = 0;
  private misses = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024, private readonly maxObjectBytes = 8 * 1024 * 1024) {}

  /** A fresh entry and its age in seconds (for the `Age` header), or undefined; counts the hit or miss. */
  lookup(key: string, now: number): { object: CachedObject; ageSeconds: number } | undefined {
    const e = this.entries.get(key);
    if (e && now - e.storedAt < e.ttlMs) {
      this.hits++;
      return { object: e.object, ageSeconds: Math.max(0, Math.floor((now - e.storedAt) / 1000)) };
    }
    if (e) this.drop(key);
    this.misses++;
    return undefined;
  }

  store(key: string, object: CachedObject, ttlSeconds: number, now: number): void {
    if (ttlSeconds <= 0 || object.body.length > this.maxObjectBytes) return;
    this.drop(key);
    this.entries.set(key, { object, storedAt: now, ttlMs: ttlSeconds * 1000 });
    this.bytes += object.body.length;
    for (const oldest of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
    this.hits = 0;
    this.misses = 0;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.entries.size, bytes: this.bytes };
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.bytes -= e.object.body.length;
    this.entries.delete(key);
  }
}

/** A single `bytes=` range resolved against a length, or undefined when it is not one we can serve from cache. */
export function resolveRange(header: string, length: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return undefined;
    return { start: Math.max(0, length - suffix), end: length - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? length - 1 : Math.min(Number(m[2]), length - 1);
  return start < length && start <= end ? { start, end } : undefined;
}
