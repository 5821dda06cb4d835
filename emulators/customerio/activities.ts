/** Per-person activity history: what the App API's activities endpoint lists. */
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';
import type { Activity, Attributes, Delivery, Person } from './types.ts';

export interface ActivityFilter {
  type?: string;
  name?: string;
  limit: number;
  /** The opaque `next` token of the previous page. */
  start?: string;
}

export class ActivityLog {
  private items: Activity[] = [];
  private nextId = monotonicFactory(pooledRandom());

  constructor(private readonly now: () => number) {}

  add(cioId: string, type: string, a: { name?: string; data: Attributes; timestamp?: number; delivery?: Delivery }): void {
    this.items.push({
      id: this.nextId(),
      cioId,
      type,
      name: a.name,
      timestamp: a.timestamp ?? this.now(),
      data: a.data,
      deliveryId: a.delivery?.deliveryId ?? null,
      deliveryType: a.delivery?.type ?? null,
    });
  }

  /** Newest first, like the App API. */
  of(person: Person, filter: ActivityFilter): { items: Activity[]; next: string } {
    const all = this.items
      .filter((a) => a.cioId === person.cioId && (!filter.type || a.type === filter.type) && (!filter.name || a.name === filter.name))
      .reverse();
    const from = Number(filter.start ?? 0) || 0;
    const items = all.slice(from, from + filter.limit);
    return { items, next: from + filter.limit < all.length ? String(from + filter.limit) : '' };
  }

  /** Hand a person's activity (those `keep` selects) to another person, as a merge does. */
  reassign(fromCioId: string, toCioId: string, keep: (a: Activity) => boolean): void {
    for (const a of this.items) if (a.cioId === fromCioId && keep(a)) a.cioId = toCioId;
  }

  all(): Activity[] {
    return this.items;
  }

  /** A deleted or suppressed person's activity goes with them. */
  removeFor(cioId: string): void {
    this.items = this.items.filter((a) => a.cioId !== cioId);
  }

  clear(): void {
    this.items = [];
  }
}

/**
 * ulid's default source asks the OS for one byte per character (16 calls per id); drawing from a refilled pool of
 * crypto bytes gives the same quality without the per-call cost.
 */
function pooledRandom(): () => number {
  const pool = new Uint8Array(4096);
  let at = pool.length;
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    return pool[at++] / 256;
  };
}
