/**
 * The fake Vault's whole state: KV mounts, tokens, AppRole roles, policies and the server status (sealed,
 * standby…). It decides who may do what; it knows nothing about HTTP.
 */
import { randomUUID } from 'node:crypto';
import { KvV1 } from './kv1.ts';
import { KvV2 } from './kv2.ts';
import { AppRoles, Tokens, type TokenRecord } from './auth.ts';
import { DEFAULT_POLICY, isAllowed, type Capability, type Policy } from './policy.ts';
import { permissionDenied } from './errors.ts';
import type { VaultSeed } from './seed.ts';

export interface Mount {
  path: string;
  version: 1 | 2;
  description: string;
  accessor: string;
  uuid: string;
  engine: KvV1 | KvV2;
}

export interface ServerStatus {
  initialized: boolean;
  sealed: boolean;
  standby: boolean;
  performance_standby: boolean;
}

const ACTIVE: ServerStatus = { initialized: true, sealed: false, standby: false, performance_standby: false };

export class VaultState {
  readonly rootToken: string;
  readonly clusterId = randomUUID();
  mounts = new Map<string, Mount>();
  tokens!: Tokens;
  approles!: AppRoles;
  status: ServerStatus = { ...ACTIVE };
  private policies = new Map<string, Policy>();
  private readonly now: () => Date;

  constructor(private readonly seed: VaultSeed, opts: { rootToken?: string; now?: () => Date } = {}) {
    this.rootToken = opts.rootToken ?? seed.rootToken;
    this.now = opts.now ?? (() => new Date());
    this.reset();
  }

  /** Back to the seed: fresh mounts and secrets, only the root token, server active and unsealed. */
  reset(): void {
    this.status = { ...ACTIVE };
    this.policies = new Map<string, Policy>([['default', DEFAULT_POLICY], ...Object.entries(this.seed.policies)]);
    this.tokens = new Tokens(this.now);
    this.tokens.addRoot(this.rootToken);
    this.approles = new AppRoles(this.seed.approle);
    this.mounts = new Map();
    for (const [path, m] of Object.entries(this.seed.mounts)) {
      const engine = m.version === 2 ? new KvV2(undefined, this.now) : new KvV1();
      this.mounts.set(path, { path, version: m.version, description: m.description ?? '', accessor: `kv_${randomUUID().slice(0, 8)}`, uuid: randomUUID(), engine });
    }
    for (const [full, data] of Object.entries(this.seed.secrets)) {
      const found = this.mountFor(full);
      if (found) found.mount.engine.write(found.rest, data);
    }
  }

  /** The mount serving an API path ("secret/data/x" → mount "secret", rest "data/x"); longest mount path wins. */
  mountFor(path: string): { mount: Mount; rest: string } | undefined {
    let best: Mount | undefined;
    for (const m of this.mounts.values()) {
      if ((path === m.path || path.startsWith(`${m.path}/`)) && (!best || m.path.length > best.path.length)) best = m;
    }
    return best && { mount: best, rest: path.slice(best.path.length + 1) };
  }

  /** The caller's token, or 403: a missing, unknown and expired token all look the same to the client. */
  authenticate(tokenId: string | undefined): TokenRecord {
    const token = this.tokens.lookup(tokenId);
    if (!token) throw permissionDenied();
    return token;
  }

  /** Docs (policies): `root` may do anything; other tokens need the capability on the path from one of their policies. */
  authorize(token: TokenRecord, path: string, cap: Capability): void {
    if (token.policies.includes('root')) return;
    const policies = token.policies.map((n) => this.policies.get(n)).filter((p): p is Policy => !!p);
    if (!isAllowed(policies, path, cap)) throw permissionDenied();
  }

  /** AppRole login: verify the pair, then issue a token with the role's policies and TTL. */
  login(roleId: unknown, secretId: unknown): TokenRecord {
    const role = this.approles.verify(roleId, secretId);
    return this.tokens.issue({ policies: role.policies, ttl: role.ttl, displayName: 'approle', path: 'auth/approle/login', meta: { role_name: role.name } });
  }

  /** Admin view: structure and metadata, never secret values or token ids. */
  snapshot(): Record<string, unknown> {
    const mounts = Object.fromEntries([...this.mounts.values()].map((m) => [`${m.path}/`, { type: 'kv', version: m.version, keys: m.engine.keys() }]));
    return { status: this.status, mounts, policies: [...this.policies.keys()], roles: this.approles.summary(), tokens: this.tokens.summary() };
  }
}
