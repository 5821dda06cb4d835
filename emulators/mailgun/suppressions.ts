/**
 * A domain's suppression tables (bounces, unsubscribes, complaints) with Mailgun's address-cursor paging.
 * Shapes follow documentation.mailgun.com "Bounces" / "Unsubscribe" / "Complaints" API references.
 */
export type SuppressionKind = 'bounces' | 'unsubscribes' | 'complaints';
export const SUPPRESSION_KINDS: readonly SuppressionKind[] = ['bounces', 'unsubscribes', 'complaints'];

export interface Bounce {
  address: string;
  code: string;
  error: string;
  created_at: string;
}
export interface Unsubscribe {
  address: string;
  tags: string[];
  created_at: string;
}
export interface Complaint {
  address: string;
  created_at: string;
}
export type SuppressionRecord = Bounce | Unsubscribe | Complaint;

export type SuppressionInput = { address: string; code?: string | number; error?: string; tag?: string; tags?: string[]; created_at?: string };

/** Why Mailgun drops a message to a suppressed address (event `reason`, delivery-status code and text). */
export interface SuppressionHit {
  reason: 'suppress-bounce' | 'suppress-unsubscribe' | 'suppress-complaint';
  code: number;
  description: string;
}

// Codes and wording as Mailgun reports them in failed events (e.g. Symfony MailgunPayloadConverter, GitLab runbooks).
const HITS: Record<SuppressionKind, SuppressionHit> = {
  bounces: { reason: 'suppress-bounce', code: 605, description: 'Not delivering to previously bounced address' },
  unsubscribes: { reason: 'suppress-unsubscribe', code: 606, description: 'Not delivering to unsubscribed address' },
  complaints: { reason: 'suppress-complaint', code: 607, description: 'Not delivering to a user who marked your messages as spam' },
};

export interface PageQuery {
  limit: number;
  page?: string;
  address?: string;
  term?: string;
}

function toRecord(kind: SuppressionKind, input: SuppressionInput, now: Date): SuppressionRecord {
  const address = input.address.trim().toLowerCase();
  const created_at = input.created_at ?? now.toUTCString();
  if (kind === 'bounces') return { address, code: String(input.code ?? '550'), error: input.error ?? '', created_at };
  if (kind === 'unsubscribes') return { address, tags: input.tags ?? [input.tag ?? '*'], created_at };
  return { address, created_at };
}

export class SuppressionTables {
  private tables: Record<SuppressionKind, Map<string, SuppressionRecord>> = { bounces: new Map(), unsubscribes: new Map(), complaints: new Map() };

  add(kind: SuppressionKind, input: SuppressionInput, now = new Date()): SuppressionRecord {
    const record = toRecord(kind, input, now);
    this.tables[kind].set(record.address, record);
    return record;
  }

  get(kind: SuppressionKind, address: string): SuppressionRecord | undefined {
    return this.tables[kind].get(address.trim().toLowerCase());
  }

  remove(kind: SuppressionKind, address: string): boolean {
    return this.tables[kind].delete(address.trim().toLowerCase());
  }

  clear(kind: SuppressionKind): void {
    this.tables[kind].clear();
  }

  all(kind: SuppressionKind): SuppressionRecord[] {
    return [...this.tables[kind].values()].sort((a, b) => a.address.localeCompare(b.address));
  }

  /** Whether a message with these tags may go to `email`; bounces win over complaints over unsubscribes. */
  check(email: string, tags: string[]): SuppressionHit | undefined {
    if (this.get('bounces', email)) return HITS.bounces;
    if (this.get('complaints', email)) return HITS.complaints;
    const unsub = this.get('unsubscribes', email) as Unsubscribe | undefined;
    if (unsub && (unsub.tags.includes('*') || unsub.tags.some((t) => tags.includes(t)))) return HITS.unsubscribes;
    return undefined;
  }

  /** One page, ordered by address (pageByKey). */
  page(kind: SuppressionKind, q: PageQuery): SuppressionRecord[] {
    return pageByKey(this.all(kind), (r) => r.address, q);
  }

  snapshot(): Record<SuppressionKind, SuppressionRecord[]> {
    return { bounces: this.all('bounces'), unsubscribes: this.all('unsubscribes'), complaints: this.all('complaints') };
  }
}

/**
 * One page of records ordered by `key`. `page` is Mailgun's direction word relative to the `address` cursor:
 * first (default), last, next (after the cursor), previous (before it); `term` keeps keys starting with it.
 */
export function pageByKey<T>(sorted: T[], key: (r: T) => string, q: PageQuery): T[] {
  const items = q.term ? sorted.filter((r) => key(r).startsWith(q.term!.toLowerCase())) : sorted;
  const cursor = q.address?.toLowerCase() ?? '';
  switch (q.page) {
    case 'next':
      return items.filter((r) => key(r) > cursor).slice(0, q.limit);
    case 'previous':
      return items.filter((r) => cursor === '' || key(r) < cursor).slice(-q.limit);
    case 'last':
      return items.slice(-q.limit);
    default:
      return items.slice(0, q.limit);
  }
}
