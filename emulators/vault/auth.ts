/**
 * Tokens and the AppRole auth method. A token carries policies and a TTL; AppRole trades a role_id + secret_id
 * for a new token (https://developer.hashicorp.com/vault/api-docs/auth/approle). No HTTP here.
 */
import { randomBytes } from 'node:crypto';
import { badRequest } from './errors.ts';

export interface TokenRecord {
  id: string;
  accessor: string;
  policies: string[];
  /** Seconds; 0 means the token never expires (the root token). */
  ttl: number;
  issuedAt: Date;
  displayName: string;
  path: string;
  meta: Record<string, string> | null;
  renewable: boolean;
}

export interface RoleSeed {
  role_id: string;
  secret_ids: string[];
  token_policies: string[];
  /** Seconds (Vault's token_ttl); 0 falls back to the mount default of 768h. */
  token_ttl?: number;
}

interface Role extends RoleSeed {
  name: string;
}

// Docs (token concepts): the system max/default TTL is 768h (32 days) unless configured.
const DEFAULT_TTL_SECONDS = 768 * 3600;

const random = (n: number): string => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x');

export class Tokens {
  private byId = new Map<string, TokenRecord>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Register the configured root token: policy `root`, no expiry. */
  addRoot(id: string): TokenRecord {
    return this.add({ id, accessor: random(18), policies: ['root'], ttl: 0, issuedAt: this.now(), displayName: 'root', path: 'auth/token/root', meta: null, renewable: false });
  }

  /** Issue a service token; ids look like Vault 1.10+ service tokens ("hvs." prefix). */
  issue(opts: { policies: string[]; ttl: number; displayName: string; path: string; meta: Record<string, string> }): TokenRecord {
    const policies = [...new Set(['default', ...opts.policies])].sort();
    return this.add({ id: `hvs.${random(24)}`, accessor: random(18), issuedAt: this.now(), renewable: true, ...opts, policies });
  }

  /** The live token with this id; expired tokens are revoked on sight. */
  lookup(id: string | undefined): TokenRecord | undefined {
    if (!id) return undefined;
    const t = this.byId.get(id);
    if (t && this.remaining(t) === 0 && t.ttl > 0) {
      this.byId.delete(id);
      return undefined;
    }
    return t;
  }

  /** Seconds left; 0 for a non-expiring token. */
  remaining(t: TokenRecord): number {
    if (t.ttl === 0) return 0;
    const left = t.ttl - Math.floor((this.now().getTime() - t.issuedAt.getTime()) / 1000);
    return Math.max(0, left);
  }

  /** Shape of GET /auth/token/lookup-self's `data` (docs sample response). */
  describe(t: TokenRecord): Record<string, unknown> {
    const expire = t.ttl ? new Date(t.issuedAt.getTime() + t.ttl * 1000).toISOString() : null;
    return {
      accessor: t.accessor, creation_time: Math.floor(t.issuedAt.getTime() / 1000), creation_ttl: t.ttl,
      display_name: t.displayName, entity_id: '', expire_time: expire, explicit_max_ttl: 0, id: t.id,
      issue_time: t.issuedAt.toISOString(), meta: t.meta, num_uses: 0, orphan: true, path: t.path,
      policies: t.policies, renewable: t.renewable, ttl: this.remaining(t), type: 'service',
    };
  }

  /** Accessors and policies only: token ids never leave through admin views. */
  summary(): Record<string, unknown>[] {
    return [...this.byId.values()].map((t) => ({ accessor: t.accessor, policies: t.policies, ttl: this.remaining(t), path: t.path }));
  }

  private add(t: TokenRecord): TokenRecord {
    this.byId.set(t.id, t);
    return t;
  }
}

export class AppRoles {
  private roles = new Map<string, Role>();

  constructor(seed: Record<string, RoleSeed>) {
    for (const [name, r] of Object.entries(seed)) this.roles.set(name, { name, ...r, secret_ids: [...r.secret_ids] });
  }

  /** Check a role_id + secret_id pair; the role it names is returned so the caller can issue its token. */
  verify(roleId: unknown, secretId: unknown): { name: string; policies: string[]; ttl: number } {
    // Docs (AppRole login): role_id is required; wrong credentials are a 400 with a message that names neither.
    if (typeof roleId !== 'string' || roleId === '') throw badRequest('missing role_id');
    const role = [...this.roles.values()].find((r) => r.role_id === roleId);
    if (typeof secretId !== 'string' || secretId === '') throw badRequest('missing secret_id');
    // Observed (hvac#1145): "invalid role or secret ID" for an unknown role_id or a wrong secret_id alike.
    if (!role || !role.secret_ids.includes(secretId)) throw badRequest('invalid role or secret ID');
    return { name: role.name, policies: role.token_policies, ttl: role.token_ttl || DEFAULT_TTL_SECONDS };
  }

  /** Mint a secret_id for a role (POST /auth/approle/role/:name/secret-id). */
  newSecretId(name: string): string | undefined {
    const role = this.roles.get(name);
    if (!role) return undefined;
    const id = crypto.randomUUID();
    role.secret_ids.push(id);
    return id;
  }

  roleId(name: string): string | undefined {
    return this.roles.get(name)?.role_id;
  }

  summary(): Record<string, unknown>[] {
    return [...this.roles.values()].map((r) => ({ name: r.name, token_policies: r.token_policies, token_ttl: r.token_ttl ?? 0, secret_ids: r.secret_ids.length }));
  }
}
