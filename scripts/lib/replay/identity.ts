/**
 * Who a recorded request was from, and fresh credentials for them. A capture's JWT is long expired (or redacted),
 * so replay mints a new one for the same identity with the gateway's local key; a redacted identity
 * (`user-<hash8>@redacted.invalid`) maps back to the seeded user with that hash, else to a stable test email.
 * Cards' `token` header gets a fresh API token for the identity, and a redacted `x-api-key` a local usage-plan key.
 */
import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { ReplayEntry } from './har.ts';
import type { Redactor } from './redaction.ts';
import type { WebhookKeys } from './webhooks.ts';

export interface Credentials {
  /** A Bearer JWT the target gateway accepts for this email; `expired`: one it refuses as expired. */
  bearer(email: string, o?: { expired?: boolean }): Promise<string>;
  /** An API token for the cards routes' `token` header. */
  apiToken?(email: string): Promise<string>;
  /** A gateway API key (x-api-key) of an enabled usage plan. */
  apiKey?: string;
  /** The target's webhook signing keys: replayed webhooks are signed afresh with them (webhooks.ts). */
  webhookKeys?: WebhookKeys;
}

// An email as it appears in text or, percent-encoded, in a URL.
const EMAIL_TOKEN = /[A-Za-z0-9._+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/gi;
// A path segment that is an email and nothing else: `<id@mg.example.com>` (a Mailgun message id) names no user.
const EMAIL_IN_PATH = /(?:^|\/)([A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?:\/|$)/;

export class IdentityMap {
  private readonly known = new Map<string, string>();
  private readonly used = new Map<string, string>();

  constructor(private readonly redact: Redactor, seededEmails: Iterable<string> = []) {
    for (const e of seededEmails) this.known.set(redact.emailPlaceholder(e), e);
  }

  /** The email to act as: a placeholder becomes its seeded user, or `replay-<hash8>@example.test`. */
  resolve(email: string): string {
    const e = email.toLowerCase();
    if (!this.redact.isPlaceholder(e)) return e;
    let real = this.used.get(e);
    if (!real) {
      real = this.known.get(e) ?? `replay-${createHash('sha256').update(e).digest('hex').slice(0, 8)}@example.test`;
      this.used.set(e, real);
    }
    return real;
  }

  /** Placeholders in outgoing text (paths, bodies) replaced by the emails replay acts as. */
  forward(text: string): string {
    if (!text.includes(this.redact.rules.emailPlaceholderDomain)) return text;
    const domain = this.redact.rules.emailPlaceholderDomain.replace(/\./g, '\\.');
    return text.replace(new RegExp(`user-[0-9a-f]{8}(@|%40)${domain}`, 'gi'), (m, at: string) => {
      const real = this.resolve(m.replace('%40', '@'));
      return at === '@' ? real : real.replace('@', '%40');
    });
  }

  /**
   * The emails replay acted as, turned back into their placeholders (so live answers compare with recorded ones).
   * Called for every header and body of every answer, so it scans the text once for email-shaped tokens and looks
   * each up, instead of searching the text once per user (200 users made that a fifth of the replayer's CPU).
   */
  backward(text: string): string {
    if (this.used.size === 0 || (!text.includes('@') && !text.includes('%40'))) return text;
    return text.replace(EMAIL_TOKEN, (m) => {
      const encoded = !m.includes('@');
      const placeholder = this.reverse().get(encoded ? m.replace(/%40/i, '@') : m);
      if (placeholder === undefined) return m;
      return encoded ? placeholder.replace('@', '%40') : placeholder;
    });
  }

  private reversed?: { size: number; map: Map<string, string> };

  private reverse(): Map<string, string> {
    if (this.reversed?.size !== this.used.size) {
      this.reversed = { size: this.used.size, map: new Map([...this.used].map(([placeholder, real]) => [real, placeholder])) };
    }
    return this.reversed.map;
  }

  /** The user lane an entry belongs to: its recorded identity, its JWT's email, an email in its path, or anonymous. */
  identityOf(entry: ReplayEntry): string | undefined {
    if (entry.identity) return entry.identity.toLowerCase();
    const bearer = /^Bearer\s+(\S+)/i.exec(entry.headers.authorization ?? '')?.[1];
    if (bearer) {
      try {
        const claims = decodeJwt(bearer);
        const email = typeof claims.email === 'string' ? claims.email : claims.sub;
        if (email) return email.toLowerCase();
      } catch { /* redacted or not a JWT */ }
    }
    const m = EMAIL_IN_PATH.exec(entry.url.pathname);
    return m ? decodeURIComponent(m[1]).toLowerCase() : undefined;
  }
}

/**
 * API Gateway's own 401 for a JWT it cannot accept (`{"message":"Unauthorized"}`, the gateway's shape, not the
 * proxy's `{"error":…}`): the capture's token was expired or bad, so the replay sends one the gateway refuses too.
 */
export function gatewayRefusedToken(status: number, body: string): boolean {
  if (status !== 401) return false;
  try { return (JSON.parse(body) as { message?: unknown }).message === 'Unauthorized'; } catch { return false; }
}

/** Credential headers for the replayed request: what the capture carried, re-minted for `email`. */
export async function freshCredentials(headers: Record<string, string>, email: string | undefined, creds: Credentials, marker: string, o: { refusedToken?: boolean } = {}): Promise<Record<string, string>> {
  const out = { ...headers };
  // The gateway replaces these with its own; a stale copy would only be noise (or a 401 for a bad JWT).
  delete out.signature;
  delete out.digest;
  delete out['x-user-email'];
  if (out.authorization !== undefined) {
    if (email) out.authorization = `Bearer ${await creds.bearer(email, { expired: o.refusedToken })}`;
    else if (!o.refusedToken) delete out.authorization;
  }
  if (out.token !== undefined && email && creds.apiToken) out.token = await creds.apiToken(email);
  if (out['x-api-key']?.includes(marker) && creds.apiKey) out['x-api-key'] = creds.apiKey;
  return out;
}
