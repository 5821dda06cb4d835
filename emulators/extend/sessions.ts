/**
 * Extend sign-in sessions: short-lived access tokens and longer-lived refresh tokens, judged against an
 * injectable clock so tests can expire them without waiting. Tokens are opaque random strings; revoked and
 * expired tokens are kept (until reset) so a rejection can say why.
 */
import { randomBytes } from 'node:crypto';

interface TokenRecord {
  userId: string;
  expiresAt: number;
  revoked: boolean;
}

export type TokenRejection = 'unknown' | 'expired' | 'revoked';
export type TokenCheck = { ok: true; userId: string } | { ok: false; reason: TokenRejection };

export interface IssuedTokens {
  token: string;
  refreshToken: string;
  expiresAt: number;
}

export interface SessionOptions {
  accessTtlMs: number;
  refreshTtlMs: number;
  now: () => number;
}

export class ExtendSessions {
  private readonly access = new Map<string, TokenRecord>();
  private readonly refresh = new Map<string, TokenRecord>();

  constructor(private readonly opts: SessionOptions) {}

  issue(userId: string): IssuedTokens {
    const refreshToken = newToken();
    this.refresh.set(refreshToken, { userId, expiresAt: this.opts.now() + this.opts.refreshTtlMs, revoked: false });
    return { ...this.issueAccess(userId), refreshToken };
  }

  /** A new access token for a valid refresh token. The refresh token itself is not rotated (Cognito behaviour, which Extend sign-in uses). */
  renew(refreshToken: string): ({ ok: true; userId: string } & IssuedTokens) | { ok: false; reason: TokenRejection } {
    const check = this.judge(this.refresh.get(refreshToken));
    if (!check.ok) return check;
    return { ok: true, userId: check.userId, ...this.issueAccess(check.userId), refreshToken };
  }

  verify(token: string): TokenCheck {
    return this.judge(this.access.get(token));
  }

  /** Every live access token of the user expires now; refresh tokens stay valid, so renewal is the way back. */
  expireUser(userId: string): number {
    const now = this.opts.now();
    let n = 0;
    for (const rec of this.access.values()) {
      if (rec.userId !== userId || rec.revoked || rec.expiresAt <= now) continue;
      rec.expiresAt = now;
      n++;
    }
    return n;
  }

  /** Revoke every access and refresh token of the user: only a new sign-in works afterwards. */
  revokeUser(userId: string): number {
    let n = 0;
    for (const rec of [...this.access.values(), ...this.refresh.values()]) {
      if (rec.userId !== userId || rec.revoked) continue;
      rec.revoked = true;
      n++;
    }
    return n;
  }

  clear(): void {
    this.access.clear();
    this.refresh.clear();
  }

  /** Counts only: a snapshot never shows a token. */
  stats(): { liveAccessTokens: number; liveRefreshTokens: number } {
    const live = (m: Map<string, TokenRecord>) => [...m.values()].filter((r) => this.judge(r).ok).length;
    return { liveAccessTokens: live(this.access), liveRefreshTokens: live(this.refresh) };
  }

  private issueAccess(userId: string): { token: string; expiresAt: number } {
    const token = newToken();
    const expiresAt = this.opts.now() + this.opts.accessTtlMs;
    this.access.set(token, { userId, expiresAt, revoked: false });
    return { token, expiresAt };
  }

  private judge(rec: TokenRecord | undefined): TokenCheck {
    if (!rec) return { ok: false, reason: 'unknown' };
    if (rec.revoked) return { ok: false, reason: 'revoked' };
    if (rec.expiresAt <= this.opts.now()) return { ok: false, reason: 'expired' };
    return { ok: true, userId: rec.userId };
  }
}

const newToken = (): string => randomBytes(32).toString('base64url');
