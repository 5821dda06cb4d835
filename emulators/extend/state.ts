/**
 * The fake Extend's model: users, sessions, virtual cards and transactions, with Extend's visibility rule
 * (a user sees the cards they receive or hold, and those cards' transactions). No HTTP here.
 */
import { randomBytes } from 'node:crypto';
import { ExtendError } from './errors.ts';
import { ExtendSessions, type IssuedTokens, type TokenRejection } from './sessions.ts';
import { paginate, paginateLookahead, sortItems, type Page, type PageRequest } from './listing.ts';
import type { CardStatus, ExtendSeed, TransactionRecord, TransactionStatus, UserRecord, VirtualCardRecord } from './types.ts';

/** Sortable card fields (query `sortField`) and the value each sorts by. */
export const CARD_SORT_FIELDS = {
  createdAt: (c: VirtualCardRecord) => c.createdAt,
  updatedAt: (c: VirtualCardRecord) => c.updatedAt,
  displayName: (c: VirtualCardRecord) => c.displayName.toLowerCase(),
  status: (c: VirtualCardRecord) => c.status,
  balanceCents: (c: VirtualCardRecord) => c.balanceCents,
  limitCents: (c: VirtualCardRecord) => c.limitCents,
  spentCents: (c: VirtualCardRecord) => c.spentCents,
  expires: (c: VirtualCardRecord) => c.expires,
  activeFrom: (c: VirtualCardRecord) => c.validFrom,
  activeTo: (c: VirtualCardRecord) => c.validTo,
  recipientName: (c: VirtualCardRecord) => `${c.recipient.firstName} ${c.recipient.lastName}`.toLowerCase(),
} as const;
export type CardSortField = keyof typeof CARD_SORT_FIELDS;

/** Sortable transaction fields; `date` is the authorization time, the order Extend lists activity in. */
export const TRANSACTION_SORT_FIELDS = {
  date: (t: TransactionRecord) => t.authedAt,
  authedAt: (t: TransactionRecord) => t.authedAt,
  clearedAt: (t: TransactionRecord) => t.clearedAt ?? '',
  amount: (t: TransactionRecord) => t.authBillingAmountCents,
  merchantName: (t: TransactionRecord) => t.merchantName.toLowerCase(),
  status: (t: TransactionRecord) => t.status,
} as const;
export type TransactionSortField = keyof typeof TRANSACTION_SORT_FIELDS;

export interface Sort<F extends string> {
  field: F;
  descending: boolean;
}

export interface CardQuery extends PageRequest {
  statuses?: CardStatus[];
  sort: Sort<CardSortField>;
}

export interface TransactionQuery extends PageRequest {
  statuses?: TransactionStatus[];
  sort: Sort<TransactionSortField>;
  virtualCardId?: string;
  /** Inclusive YYYY-MM-DD bounds on the authorization date. */
  fromDate?: string;
  toDate?: string;
}

export interface ExtendStateOptions {
  /** Access token lifetime (default 600 s: Extend tokens last 10 minutes). */
  accessTokenTtlSeconds?: number;
  /** Refresh token lifetime (default 30 days, Cognito's default). */
  refreshTokenTtlSeconds?: number;
  now?: () => number;
}

export interface SignInStats {
  signIns: number;
  failedSignIns: number;
  renewals: number;
  failedRenewals: number;
  byEmail: Record<string, number>;
}

export interface Session {
  user: UserRecord;
  tokens: IssuedTokens;
}

const REJECTION_CODE = { unknown: 'token_unknown', expired: 'token_expired', revoked: 'token_revoked' } as const satisfies Record<TokenRejection, string>;

export class ExtendState {
  private data!: ExtendSeed;
  private sessions!: ExtendSessions;
  private stats!: SignInStats;
  private clockOffsetMs = 0;

  constructor(private readonly seed: ExtendSeed, private readonly opts: ExtendStateOptions = {}) {
    this.reset();
  }

  /** The fake's clock: the injected clock plus the offset tests advance. */
  now(): number {
    return (this.opts.now ?? Date.now)() + this.clockOffsetMs;
  }

  reset(): void {
    this.data = structuredClone(this.seed);
    this.clockOffsetMs = 0;
    this.stats = { signIns: 0, failedSignIns: 0, renewals: 0, failedRenewals: 0, byEmail: {} };
    this.sessions = new ExtendSessions({
      accessTtlMs: (this.opts.accessTokenTtlSeconds ?? 600) * 1000,
      refreshTtlMs: (this.opts.refreshTokenTtlSeconds ?? 30 * 86_400) * 1000,
      now: () => this.now(),
    });
  }

  signIn(email: string, password: string): Session {
    const user = this.findUser(email);
    if (!user || user.password !== password) {
      this.stats.failedSignIns++;
      throw new ExtendError('bad_credentials');
    }
    this.stats.signIns++;
    this.stats.byEmail[user.email] = (this.stats.byEmail[user.email] ?? 0) + 1;
    return { user, tokens: this.sessions.issue(user.id) };
  }

  renew(refreshToken: string): Session {
    const result = this.sessions.renew(refreshToken);
    if (!result.ok) {
      this.stats.failedRenewals++;
      throw new ExtendError('refresh_invalid');
    }
    this.stats.renewals++;
    return { user: this.userById(result.userId), tokens: result };
  }

  /** The user an access token belongs to, or a 401-class error saying why not. */
  authenticate(token: string | undefined): UserRecord {
    if (!token) throw new ExtendError('missing_token');
    const check = this.sessions.verify(token);
    if (!check.ok) throw new ExtendError(REJECTION_CODE[check.reason]);
    return this.userById(check.userId);
  }

  listCards(user: UserRecord, q: CardQuery): Page<VirtualCardRecord> {
    const cards = this.visibleCards(user).filter((c) => !q.statuses || q.statuses.includes(c.status));
    return paginate(sortItems(cards, { key: CARD_SORT_FIELDS[q.sort.field], descending: q.sort.descending }), q);
  }

  /** Another user's card answers exactly like a card that does not exist. */
  getCard(user: UserRecord, id: string): VirtualCardRecord {
    const card = this.visibleCards(user).find((c) => c.id === id);
    if (!card) throw new ExtendError('card_not_found');
    return card;
  }

  listCardTransactions(user: UserRecord, cardId: string, q: TransactionQuery): Page<TransactionRecord> {
    const card = this.getCard(user, cardId);
    return paginate(this.queryTransactions(new Set([card.id]), q), q);
  }

  listTransactions(user: UserRecord, q: TransactionQuery): Page<TransactionRecord> {
    const ids = new Set(this.visibleCards(user).map((c) => c.id));
    return paginateLookahead(this.queryTransactions(ids, q), q);
  }

  getTransaction(user: UserRecord, id: string): TransactionRecord {
    const ids = new Set(this.visibleCards(user).map((c) => c.id));
    const txn = this.data.transactions.find((t) => t.id === id && ids.has(t.virtualCardId));
    if (!txn) throw new ExtendError('transaction_not_found');
    return txn;
  }

  /**
   * Adds a user, or gives an existing one a new password and revokes their tokens (a password reset signs the user
   * out). Lets tests and provider states sign in with credentials they choose, without knowing the seed's.
   */
  putUser(input: { email: string; password: string; firstName?: string; lastName?: string }): { user: Omit<UserRecord, 'password'>; created: boolean } {
    const existing = this.findUser(input.email);
    if (existing) {
      existing.password = input.password;
      this.sessions.revokeUser(existing.id);
      const { password: _p, ...user } = existing;
      return { user, created: false };
    }
    const user: UserRecord = {
      id: `u_${randomBytes(16).toString('base64url').replace(/[^A-Za-z0-9]/g, '').slice(0, 22).padEnd(22, '0')}`,
      email: input.email.trim(),
      password: input.password,
      firstName: input.firstName ?? '',
      lastName: input.lastName ?? '',
      organizationId: this.data.users[0]?.organizationId ?? 'org_fake',
      createdAt: new Date(this.now()).toISOString(),
    };
    this.data.users.push(user);
    const { password: _p, ...shown } = user;
    return { user: shown, created: true };
  }

  signInStats(): SignInStats {
    return structuredClone(this.stats);
  }

  /** Expire the user's access tokens now (refresh still works). Returns how many were live, or undefined for an unknown user. */
  expireTokens(email: string): number | undefined {
    const user = this.findUser(email);
    return user && this.sessions.expireUser(user.id);
  }

  /** Revoke all of the user's tokens (a new sign-in is needed). */
  revokeTokens(email: string): number | undefined {
    const user = this.findUser(email);
    return user && this.sessions.revokeUser(user.id);
  }

  advanceClock(seconds: number): { offsetSeconds: number; now: string } {
    this.clockOffsetMs += seconds * 1000;
    return this.clock();
  }

  clock(): { offsetSeconds: number; now: string } {
    return { offsetSeconds: this.clockOffsetMs / 1000, now: new Date(this.now()).toISOString() };
  }

  /** Everything but secrets: no passwords, no tokens, no card numbers. */
  /** Every transaction (of one card when given), newest authorisation first: the console's view, not the API's. */
  transactions(virtualCardId?: string): TransactionRecord[] {
    return this.data.transactions.filter((t) => !virtualCardId || t.virtualCardId === virtualCardId).sort((a, b) => b.authedAt.localeCompare(a.authedAt));
  }

  snapshot(): unknown {
    return {
      users: this.data.users.map(({ password: _p, ...u }) => u),
      virtualCards: this.data.virtualCards.map(({ vcn: _v, securityCode: _s, ...c }) => ({
        ...c,
        transactionCount: this.data.transactions.filter((t) => t.virtualCardId === c.id).length,
      })),
      transactionCount: this.data.transactions.length,
      sessions: this.sessions.stats(),
      signIns: this.signInStats(),
      clock: this.clock(),
    };
  }

  private queryTransactions(cardIds: Set<string>, q: TransactionQuery): TransactionRecord[] {
    const day = (t: TransactionRecord) => t.authedAt.slice(0, 10);
    const matches = this.data.transactions.filter(
      (t) =>
        cardIds.has(t.virtualCardId) &&
        (!q.virtualCardId || t.virtualCardId === q.virtualCardId) &&
        (!q.statuses || q.statuses.includes(t.status)) &&
        (!q.fromDate || day(t) >= q.fromDate) &&
        (!q.toDate || day(t) <= q.toDate),
    );
    return sortItems(matches, { key: TRANSACTION_SORT_FIELDS[q.sort.field], descending: q.sort.descending });
  }

  private visibleCards(user: UserRecord): VirtualCardRecord[] {
    return this.data.virtualCards.filter((c) => c.recipientId === user.id || c.cardholderId === user.id);
  }

  private findUser(email: string): UserRecord | undefined {
    const wanted = email.trim().toLowerCase();
    return this.data.users.find((u) => u.email.toLowerCase() === wanted);
  }

  private userById(id: string): UserRecord {
    const user = this.data.users.find((u) => u.id === id);
    if (!user) throw new ExtendError('token_unknown');
    return user;
  }
}
