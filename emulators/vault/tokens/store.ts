/**
 * The token store (vault/token_store.go + the token half of vault/expiration.go), as a model with no HTTP:
 * service tokens with policies, a parent (revoking a parent revokes its children, unless orphaned), a TTL that
 * expires them (the clock is injected), a use count, an accessor, and an auth lease whose id Vault builds from the
 * creation path and the salted token id.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface TokenEntry {
  id: string;
  accessor: string;
  /** The parent token's id; '' for an orphan. */
  parent: string;
  policies: string[];
  /** The creation path ("auth/token/create", "auth/approle/login"). */
  path: string;
  meta: Record<string, string> | null;
  displayName: string;
  /** Uses left; 0 means unlimited. */
  numUses: number;
  /** Seconds since the epoch. */
  creationTime: number;
  /** The TTL the token was created with (0: never expires). */
  creationTtl: number;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  role: string;
  /** The accessor of the auth mount that issued it (auth/token for tokens made by the token store). */
  mountAccessor: string;
  issueTime: Date;
  expireTime: Date | null;
  lastRenewal: Date | null;
  /** CIDR blocks the token may be used from (a role's or login's token_bound_cidrs); none: anywhere. */
  boundCidrs?: string[];
  /** What a renewal of a login token asks its auth method for: the role's current TTL settings. */
  renewWith?: () => { ttl: number; maxTtl: number; period: number; explicitMaxTtl: number };
}

export type NewToken = Omit<TokenEntry, 'id' | 'accessor' | 'creationTime' | 'issueTime' | 'expireTime' | 'lastRenewal'> & { id?: string };

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const randomBase62 = (n: number): string => [...randomBytes(n)].map((b) => BASE62[b % 62]).join('');

export class TokenStore {
  private readonly byId = new Map<string, TokenEntry>();
  private readonly byAccessor = new Map<string, string>();
  private readonly children = new Map<string, Set<string>>();
  private readonly salt = randomBytes(32);
  /** Called with every token id the store drops (its cubbyhole goes with it). */
  onRevoke: (id: string) => void = () => {};

  constructor(private readonly now: () => Date) {}

  /** Store a new token; ids look like Vault 1.10+ service tokens ("hvs." prefix). */
  create(t: NewToken): TokenEntry {
    const issued = this.now();
    const entry: TokenEntry = {
      ...t,
      id: t.id ?? `hvs.${randomBase62(24)}`,
      accessor: randomBase62(24),
      creationTime: Math.floor(issued.getTime() / 1000),
      issueTime: issued,
      expireTime: t.creationTtl > 0 ? new Date(issued.getTime() + t.creationTtl * 1000) : null,
      lastRenewal: null,
    };
    this.byId.set(entry.id, entry);
    this.byAccessor.set(entry.accessor, entry.id);
    if (entry.parent) {
      const set = this.children.get(entry.parent) ?? new Set<string>();
      set.add(entry.id);
      this.children.set(entry.parent, set);
    }
    return entry;
  }

  /** The live token with this id; an expired token (and its children) is revoked on sight. */
  lookup(id: string | undefined): TokenEntry | undefined {
    if (!id) return undefined;
    const t = this.byId.get(id);
    if (t && t.expireTime && t.expireTime.getTime() <= this.now().getTime()) {
      this.revokeTree(id);
      return undefined;
    }
    return t;
  }

  lookupAccessor(accessor: string): TokenEntry | undefined {
    const id = this.byAccessor.get(accessor);
    return id ? this.lookup(id) : undefined;
  }

  /** Seconds left; 0 for a token that never expires. */
  remaining(t: TokenEntry): number {
    if (!t.expireTime) return 0;
    return Math.max(0, Math.floor((t.expireTime.getTime() - this.now().getTime()) / 1000));
  }

  /** Count one use (vault/token_store.go UseToken); true when that was the last and the token must go after the request. */
  use(t: TokenEntry): boolean {
    if (t.numUses <= 0) return false;
    t.numUses -= 1;
    return t.numUses === 0;
  }

  /** Revoke a token and, recursively, every child it created. */
  revokeTree(id: string): void {
    for (const child of [...(this.children.get(id) ?? [])]) this.revokeTree(child);
    this.drop(id);
  }

  /** Revoke a token and leave its children as orphans. */
  revokeOrphan(id: string): void {
    for (const child of this.children.get(id) ?? []) {
      const c = this.byId.get(child);
      if (c) c.parent = '';
    }
    this.children.delete(id);
    this.drop(id);
  }

  /** Revoke every token whose creation path starts with `prefix` (sys/leases/revoke-prefix on auth paths). */
  revokePrefix(prefix: string): number {
    const ids = [...this.byId.values()].filter((t) => t.path.startsWith(prefix) || `${t.path}/`.startsWith(prefix)).map((t) => t.id);
    for (const id of ids) if (this.byId.has(id)) this.revokeTree(id);
    return ids.length;
  }

  /** Revoke everything an auth mount issued (when it is disabled or moved). */
  revokeByMount(mountAccessor: string): void {
    for (const t of [...this.byId.values()]) if (t.mountAccessor === mountAccessor && this.byId.has(t.id)) this.revokeTree(t.id);
  }

  /** Push the expiry to now + ttl after a renewal. */
  extend(t: TokenEntry, ttl: number): void {
    const now = this.now();
    t.expireTime = new Date(now.getTime() + ttl * 1000);
    t.lastRenewal = now;
  }

  accessors(): string[] {
    return [...this.byId.values()].filter((t) => this.lookup(t.id)).map((t) => t.accessor).sort();
  }

  /** The auth lease id of a token with a TTL (expiration.go: creation path + salted id). */
  leaseId(t: TokenEntry): string | undefined {
    if (!t.expireTime) return undefined;
    return `${t.path}/h${createHmac('sha256', this.salt).update(t.id).digest('hex')}`;
  }

  /** The token behind an auth lease id. */
  byLease(leaseId: string): TokenEntry | undefined {
    for (const t of [...this.byId.values()]) if (this.leaseId(t) === leaseId) return this.lookup(t.id);
    return undefined;
  }

  /** Lease ids under a prefix, one level deep as LIST sys/leases/lookup/<prefix> shows them. */
  leaseKeys(prefix: string): string[] {
    const keys = new Set<string>();
    for (const t of [...this.byId.values()]) {
      const id = this.lookup(t.id) && this.leaseId(t);
      if (!id || !id.startsWith(prefix)) continue;
      const rest = id.slice(prefix.length);
      const slash = rest.indexOf('/');
      keys.add(slash < 0 ? rest : rest.slice(0, slash + 1));
    }
    return [...keys].sort();
  }

  all(): TokenEntry[] {
    return [...this.byId.values()].filter((t) => this.lookup(t.id));
  }

  private drop(id: string): void {
    const t = this.byId.get(id);
    if (!t) return;
    this.byId.delete(id);
    this.byAccessor.delete(t.accessor);
    this.children.delete(id);
    if (t.parent) this.children.get(t.parent)?.delete(id);
    this.onRevoke(id);
  }
}
