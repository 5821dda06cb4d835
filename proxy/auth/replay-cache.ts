/**
 * The signatures this container accepted and that are still inside their validity window, so the same signed
 * request is served once. An entry lives until the request's own signature would be refused as too old anyway
 * (Date or created + the allowed skew, or `expires`), so nothing is remembered longer than it could matter.
 *
 * Memory is bounded: at `maxEntries` the oldest entry is dropped to admit the new one (and counted), so a
 * container under more load than the bound allows loses protection for its oldest signatures first instead of
 * growing without limit. Entries are keyed by a 128-bit hash of the decoded signature bytes (not the base64 text,
 * whose padding bits could otherwise be varied to dodge the cache), ~100 bytes each.
 */
import { createHash } from 'node:crypto';

export const DEFAULT_REPLAY_CACHE_ENTRIES = 200_000;

export class SignatureReplayCache {
  /** key → expiry (epoch ms). A Map iterates in insertion order, which is close to expiry order. */
  private readonly seen = new Map<string, number>();
  private evicted = 0;

  constructor(readonly maxEntries = DEFAULT_REPLAY_CACHE_ENTRIES) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new Error('maxEntries must be a positive integer');
  }

  /** True the first time a signature is seen inside its window; false for a replay. */
  admit(signature: Buffer, expiresAt: number, now: number): boolean {
    this.sweep(now);
    const key = createHash('sha256').update(signature).digest('base64url').slice(0, 22);
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    if (known !== undefined) this.seen.delete(key);
    while (this.seen.size >= this.maxEntries) {
      this.seen.delete(this.seen.keys().next().value!);
      this.evicted++;
    }
    this.seen.set(key, expiresAt);
    return true;
  }

  stats(): { entries: number; evicted: number } {
    return { entries: this.seen.size, evicted: this.evicted };
  }

  /** Drop expired entries from the front; amortised O(1) per admit. */
  private sweep(now: number): void {
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > now) return;
      this.seen.delete(key);
    }
  }
}
