/**
 * The fake Vault's whole state and its rules: the mount tables, policies, tokens (and their cubbyholes), the seal,
 * audit devices. It decides who may do what; it knows nothing about HTTP. Backends (KV, AppRole…) are built by an
 * injected registry, and a fresh state is brought to its seed by an injected bootstrap (the seed's API calls).
 */
import { randomUUID } from 'node:crypto';
import { invalidToken, missingToken, permissionDenied, respError } from './errors.ts';
import { MountTable, newEntry, routePath, type MountConfig, type MountEntry, type MountTableKind } from './mounts.ts';
import { PolicyStore, NON_ASSIGNABLE } from './policy/store.ts';
import type { Acl, Op } from './policy/acl.ts';
import { TokenStore, type NewToken, type TokenEntry } from './tokens/store.ts';
import { TokenRoles } from './tokens/roles.ts';
import { calculateTtl, SYSTEM_TTL, type MountTtls } from './tokens/ttl.ts';
import { Seal, type ServerStatus } from './seal/seal.ts';
import { AuditBroker } from './audit/broker.ts';
import { inCidrs } from './cidr.ts';
import type { BackendDef } from './route-types.ts';

export type { ServerStatus } from './seal/seal.ts';

/** Builds a mount's backend from its type; throws Vault's refusal for a type it does not know. */
export interface EngineRegistry {
  create(entry: Omit<MountEntry, 'engine' | 'backend'>, state: VaultState): { engine: unknown; backend: BackendDef };
}

export interface VaultStateOptions {
  rootToken?: string;
  now?: () => Date;
  engines: EngineRegistry;
  /** Replays the seed through the API after every reset. */
  bootstrap?: (state: VaultState) => void;
}

/** Mounts a dev-mode Vault has before anyone enables anything (`vault secrets list` on a fresh server, less `secret/`). */
const BUILTIN_MOUNTS: [MountTableKind, string, string, string][] = [
  ['secret', 'cubbyhole/', 'cubbyhole', 'per-token private secret storage'],
  ['secret', 'identity/', 'identity', 'identity store'],
  ['secret', 'sys/', 'system', 'system endpoints used for control, policy and debugging'],
  ['auth', 'token/', 'token', 'token based credentials'],
];

export class VaultState {
  readonly rootToken: string;
  readonly clusterId = randomUUID();
  readonly now: () => Date;
  /** Seconds added to the real clock (POST /__admin/clock), for TTL tests against a running fake. */
  clockOffset = 0;
  seal!: Seal;
  mounts!: MountTable;
  policies!: PolicyStore;
  tokens!: TokenStore;
  tokenRoles!: TokenRoles;
  audit!: AuditBroker;
  /** Per-token private storage (cubbyhole/): token id → path → data. */
  cubbyholes = new Map<string, Map<string, Record<string, unknown>>>();
  /** sys/remount migrations, by id. */
  migrations = new Map<string, { source: string; target: string; status: string }>();
  private readonly engines: EngineRegistry;
  private readonly bootstrap?: (state: VaultState) => void;

  constructor(opts: VaultStateOptions) {
    this.rootToken = opts.rootToken ?? 'root';
    const base = opts.now ?? (() => new Date());
    this.now = () => new Date(base().getTime() + this.clockOffset * 1000);
    this.engines = opts.engines;
    this.bootstrap = opts.bootstrap;
    this.reset();
  }

  get status(): ServerStatus {
    return this.seal.status;
  }

  /** A fresh initialized, unsealed Vault with the built-in mounts and the root token, then the seed. */
  reset(): void {
    this.clockOffset = 0;
    this.seal = new Seal(this.now);
    this.policies = new PolicyStore();
    this.tokens = new TokenStore(this.now);
    this.tokens.onRevoke = (id) => this.cubbyholes.delete(id);
    this.tokenRoles = new TokenRoles();
    this.cubbyholes = new Map();
    this.migrations = new Map();
    this.audit?.close();
    this.audit = new AuditBroker(this.now);
    this.mounts = new MountTable();
    for (const [table, path, type, description] of BUILTIN_MOUNTS) {
      const entry = newEntry(table, path, type, { description, local: type === 'cubbyhole' });
      this.mounts.add({ ...entry, ...this.engines.create(entry, this) }, true);
    }
    this.createRootToken(this.rootToken);
    this.bootstrap?.(this);
  }

  /** A root token (policy `root`, no expiry), as `vault server -dev -dev-root-token-id` creates. */
  createRootToken(id?: string): TokenEntry {
    return this.tokens.create({
      id, parent: '', policies: ['root'], path: 'auth/token/root', meta: null, displayName: 'root', numUses: 0,
      creationTtl: 0, explicitMaxTtl: 0, period: 0, renewable: false, role: '', mountAccessor: this.tokenMount().accessor,
    });
  }

  tokenMount(): MountEntry {
    return this.mounts.get('auth', 'token/')!;
  }

  /** Enable a secrets engine or auth method; Vault's refusals for a used path or an unknown type. */
  enable(table: MountTableKind, path: string, type: string, init: Partial<MountEntry>): MountEntry {
    const entry = newEntry(table, path, type, init);
    const built = this.engines.create(entry, this);
    const mount: MountEntry = { ...entry, ...built };
    this.mounts.add(mount);
    return mount;
  }

  /** Disable a mount: its data goes, and tokens an auth mount issued are revoked (vault/auth.go disableCredential). */
  disable(mount: MountEntry): void {
    this.mounts.remove(mount);
    if (mount.table === 'auth') this.tokens.revokeByMount(mount.accessor);
    else this.tokens.revokePrefix(routePath(mount));
  }

  /** The caller's token. No token: "permission denied"; unknown, expired or used up: also "invalid token". */
  authenticate(tokenId: string | undefined, remoteAddress: string): TokenEntry {
    if (!tokenId) throw missingToken();
    const token = this.tokens.lookup(tokenId);
    if (!token) throw invalidToken();
    // request_handling.go fetchACLTokenEntryAndEntity: "CIDR checks bind all tokens except non-expiring root tokens".
    if (token.creationTtl !== 0 && token.boundCidrs?.length && !inCidrs(remoteAddress, token.boundCidrs)) throw permissionDenied();
    return token;
  }

  acl(token: TokenEntry): Acl {
    return this.policies.acl(token.policies);
  }

  /** Refuse unless the token's ACL allows `op` on `path` with this data (and `sudo` too on root-protected paths). */
  authorize(token: TokenEntry, path: string, op: Op, needsSudo: boolean, request?: { data: Record<string, unknown>; wrapTtl?: number }): void {
    const { allowed, sudo } = this.acl(token).allows(path, op, request);
    if (!allowed || (needsSudo && !sudo)) throw permissionDenied();
  }

  /** Does the token have root or sudo on this path (token_store.go SudoPrivilege)? */
  hasSudo(token: TokenEntry, path: string): boolean {
    return this.acl(token).allows(path, 'update').sudo || this.acl(token).allows(path, 'read').sudo;
  }

  /** A mount's default and max lease TTL as CalculateTTL reads them (0 falls back to the system's 768h). */
  mountTtls(mountAccessor: string): MountTtls {
    const m = [...this.mounts.list('auth'), ...this.mounts.list('secret')].find((x) => x.accessor === mountAccessor);
    return { defaultTtl: m?.config.default_lease_ttl || SYSTEM_TTL, maxTtl: m?.config.max_lease_ttl || SYSTEM_TTL };
  }

  /**
   * Issue a token for an auth method's login (vault/request_handling.go LoginCreateToken): `default` added unless
   * refused, the TTL computed against the auth mount's limits, no parent.
   */
  loginToken(mount: MountEntry, t: {
    policies: string[]; noDefaultPolicy: boolean; ttl: number; maxTtl: number; period: number; explicitMaxTtl: number;
    numUses: number; meta: Record<string, string>; displayName: string; renewWith: NewToken['renewWith']; boundCidrs: string[];
  }): { token: TokenEntry; warnings: string[] } {
    // request_handling.go: "auth methods cannot create root tokens".
    if (t.policies.includes('root')) throw respError('auth methods cannot create root tokens');
    const policies = sanitizePolicies(t.policies, !t.noDefaultPolicy);
    for (const p of policies) if (NON_ASSIGNABLE.includes(p)) throw respError(`cannot assign policy ${JSON.stringify(p)}`);
    const now = this.now().getTime() / 1000;
    const { ttl, warnings } = calculateTtl({ mount: this.mountTtls(mount.accessor), backendTtl: t.ttl, backendMaxTtl: t.maxTtl, period: t.period, explicitMaxTtl: t.explicitMaxTtl, start: now, now });
    const token = this.tokens.create({
      parent: '', policies, path: `${routePath(mount)}login`, meta: t.meta, displayName: t.displayName, numUses: t.numUses,
      creationTtl: ttl, explicitMaxTtl: t.explicitMaxTtl, period: t.period, renewable: true, role: '', mountAccessor: mount.accessor, renewWith: t.renewWith,
      boundCidrs: t.boundCidrs,
    });
    return { token, warnings };
  }

  /** Admin view: structure and metadata, never secret values or token ids. */
  snapshot(): Record<string, unknown> {
    const mounts = (table: MountTableKind) => Object.fromEntries(this.mounts.list(table).map((m) => [m.path, { type: m.type, options: m.options, accessor: m.accessor }]));
    return {
      status: this.seal.status,
      clockOffsetSeconds: this.clockOffset,
      mounts: mounts('secret'),
      auth: mounts('auth'),
      policies: this.policies.list(),
      tokens: this.tokens.all().map((t) => ({ accessor: t.accessor, policies: t.policies, path: t.path, ttl: this.tokens.remaining(t) })),
      audit: this.audit.list().map((d) => ({ path: d.path, type: d.type })),
    };
  }

  /** Mount config as a tune or a mount listing shows it. */
  static describeConfig(config: MountConfig): Record<string, unknown> {
    return { ...config };
  }
}

/** policyutil.SanitizePolicies: trimmed, lower-cased, de-duplicated, sorted; `default` added when asked unless root. */
export function sanitizePolicies(policies: string[], addDefault: boolean): string[] {
  const set = new Set(policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== ''));
  if (set.has('root')) return ['root'];
  if (addDefault) set.add('default');
  return [...set].sort();
}
