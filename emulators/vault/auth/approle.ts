/**
 * The AppRole auth method's model (builtin/credential/approle), one per mount: roles (names kept lower-case), each
 * with a role_id and the secret_ids issued for it (TTL, use count, metadata, CIDRs, accessor). Login checks a
 * role_id + secret_id pair with Vault's order and wording; the token itself is issued by the state.
 * No HTTP here.
 */
import { randomUUID } from 'node:crypto';
import { coreError, respError, VaultError } from '../errors.ts';
import { defaultTokenParams, type TokenParams } from './token-params.ts';
import { inCidrs } from '../cidr.ts';

export interface SecretIdEntry {
  accessor: string;
  numUses: number;
  /** Seconds; 0 never expires. */
  ttl: number;
  creationTime: Date;
  expirationTime: Date | null;
  lastUpdatedTime: Date;
  metadata: Record<string, string>;
  cidrList: string[];
  tokenBoundCidrs: string[];
}

export interface Role {
  name: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdBoundCidrs: string[];
  secretIdNumUses: number;
  secretIdTtl: number;
  localSecretIds: boolean;
  token: TokenParams;
  secretIds: Map<string, SecretIdEntry>;
}

/** A login refusal that counts toward user lockout (logical.ErrInvalidCredentials beside the error response). */
export class InvalidCredentials extends VaultError {
  constructor(message: string) {
    super(400, [message]);
  }
}

export const newRole = (name: string): Role => ({
  name: name.toLowerCase(), roleId: randomUUID(), bindSecretId: true, secretIdBoundCidrs: [], secretIdNumUses: 0, secretIdTtl: 0,
  localSecretIds: false, token: defaultTokenParams(), secretIds: new Map(),
});

export class AppRole {
  private readonly roles = new Map<string, Role>();

  constructor(private readonly now: () => Date) {}

  role(name: string): Role | undefined {
    return this.roles.get(name.toLowerCase());
  }

  names(): string[] {
    return [...this.roles.keys()].sort();
  }

  /** Store a role after setRoleEntry's checks (errors Vault returns without a response: 500s). */
  save(role: Role): void {
    // path_role.go validateRoleConstraints.
    if (!role.bindSecretId && role.secretIdBoundCidrs.length === 0 && role.token.token_bound_cidrs.length === 0) {
      throw coreError('at least one constraint should be enabled on the role', 500);
    }
    const other = [...this.roles.values()].find((r) => r.roleId === role.roleId && r.name !== role.name);
    if (other) throw coreError('role_id already in use', 500);
    this.roles.set(role.name, role);
  }

  delete(name: string): void {
    this.roles.delete(name.toLowerCase());
  }

  /** Register a secret_id (generated or custom) for the role; the role's limits apply unless narrowed. */
  addSecretId(role: Role, secretId: string, opts: { numUses?: number; ttl?: number; metadata: Record<string, string>; cidrList: string[]; tokenBoundCidrs: string[] }): SecretIdEntry {
    // path_role.go handleRoleSecretIDCommon: overrides may only narrow the role's settings.
    if (!role.bindSecretId) throw respError('bind_secret_id is not set on the role');
    let numUses = role.secretIdNumUses;
    if (opts.numUses !== undefined) {
      if (opts.numUses < 0) throw respError('num_uses cannot be negative');
      if ((opts.numUses === 0 && role.secretIdNumUses > 0) || (role.secretIdNumUses > 0 && opts.numUses > role.secretIdNumUses)) throw respError("num_uses cannot be higher than the role's secret_id_num_uses");
      numUses = opts.numUses;
    }
    let ttl = role.secretIdTtl;
    if (opts.ttl !== undefined) {
      if ((opts.ttl === 0 && role.secretIdTtl > 0) || (role.secretIdTtl > 0 && opts.ttl > role.secretIdTtl)) throw respError("ttl cannot be longer than the role's secret_id_ttl");
      ttl = opts.ttl;
    }
    // path_role.go registerSecretIDEntry's error, wrapped by handleRoleSecretIDCommon: a plain error, so 500.
    if (role.secretIds.has(secretId)) throw coreError('failed to store secret_id: SecretID is already registered', 500);
    const now = this.now();
    const entry: SecretIdEntry = {
      accessor: randomUUID(), numUses, ttl, creationTime: now, expirationTime: ttl > 0 ? new Date(now.getTime() + ttl * 1000) : null, lastUpdatedTime: now,
      metadata: opts.metadata, cidrList: opts.cidrList, tokenBoundCidrs: opts.tokenBoundCidrs,
    };
    role.secretIds.set(secretId, entry);
    return entry;
  }

  /** The live entry for a secret_id; an expired one is dropped on sight. */
  secretId(role: Role, secretId: string): SecretIdEntry | undefined {
    const e = role.secretIds.get(secretId);
    if (e?.expirationTime && e.expirationTime.getTime() <= this.now().getTime()) {
      role.secretIds.delete(secretId);
      return undefined;
    }
    return e;
  }

  byAccessor(role: Role, accessor: string): [string, SecretIdEntry] | undefined {
    for (const [id, e] of role.secretIds) if (e.accessor === accessor && this.secretId(role, id)) return [id, e];
    return undefined;
  }

  accessors(role: Role): string[] {
    return [...role.secretIds.keys()].filter((id) => this.secretId(role, id)).map((id) => role.secretIds.get(id)!.accessor).sort();
  }

  /**
   * Check a login (path_login.go pathLoginUpdate): the role by role_id, then the secret_id when the role binds one,
   * its remaining uses and CIDRs. "invalid role or secret ID" never says which half was wrong.
   */
  verify(roleId: string, secretId: string, remoteAddress: string): { role: Role; metadata: Record<string, string>; tokenBoundCidrs: string[] } {
    if (roleId.trim() === '') throw respError('missing role_id');
    const role = [...this.roles.values()].find((r) => r.roleId === roleId.trim());
    if (!role) throw respError('invalid role or secret ID');
    const where = JSON.stringify(remoteAddress);
    let metadata: Record<string, string> = {};
    let tokenBoundCidrs = role.token.token_bound_cidrs;
    if (role.bindSecretId) {
      const sid = secretId.trim();
      if (sid === '') throw respError('missing secret_id');
      const entry = this.secretId(role, sid);
      // Returned with logical.ErrInvalidCredentials: counts toward user lockout.
      if (!entry) throw new InvalidCredentials('invalid role or secret ID');
      if (entry.numUses === 0) {
        if (!inCidrs(remoteAddress, entry.cidrList)) throw respError(`source address ${where} unauthorized through CIDR restrictions on the secret ID`);
      } else {
        // A limited secret_id spends the use before its CIDRs are checked, and that refusal's text ends in Go's
        // rendering of a nil %w ("%!w(<nil>)"), both as path_login.go has it.
        entry.numUses -= 1;
        entry.lastUpdatedTime = this.now();
        if (entry.numUses === 0) role.secretIds.delete(sid);
        if (!inCidrs(remoteAddress, entry.cidrList)) throw respError(`source address ${where} unauthorized by CIDR restrictions on the secret ID: %!w(<nil>)`);
      }
      metadata = { ...entry.metadata };
      // The secret_id's own token_bound_cidrs, when it has some, replace the role's.
      if (entry.tokenBoundCidrs.length > 0) tokenBoundCidrs = entry.tokenBoundCidrs;
    }
    if (!inCidrs(remoteAddress, role.secretIdBoundCidrs)) throw respError(`source address ${where} unauthorized by CIDR restrictions on the role: %!w(<nil>)`);
    return { role, metadata: { ...metadata, role_name: role.name }, tokenBoundCidrs };
  }
}

/** secretIDStorageEntry.ToResponseData. */
export function describeSecretId(e: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: e.cidrList, creation_time: e.creationTime.toISOString(), expiration_time: e.expirationTime ? e.expirationTime.toISOString() : '0001-01-01T00:00:00Z',
    last_updated_time: e.lastUpdatedTime.toISOString(), metadata: e.metadata, secret_id_accessor: e.accessor, secret_id_num_uses: e.numUses,
    secret_id_ttl: e.ttl, token_bound_cidrs: e.tokenBoundCidrs,
  };
}
