/**
 * The mount tables (vault/mount.go, vault/auth.go): secrets engines and auth methods, each entry a path, a type,
 * an accessor and a config, served by a backend. The router finds the mount with the longest matching path.
 * Enabling checks what Vault checks, with its wording: protected paths, singleton types, and any overlap with an
 * existing mount ("path is already in use at secret/").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { respError } from './errors.ts';
import type { BackendDef } from './route-types.ts';

export type MountTableKind = 'secret' | 'auth';

export interface MountConfig {
  /** Seconds; 0 means the system default. */
  default_lease_ttl: number;
  max_lease_ttl: number;
  force_no_cache: boolean;
  listing_visibility?: string;
  audit_non_hmac_request_keys?: string[];
  audit_non_hmac_response_keys?: string[];
  passthrough_request_headers?: string[];
  allowed_response_headers?: string[];
  /** Auth mounts only. */
  token_type?: string;
}

export interface MountEntry {
  table: MountTableKind;
  /** The path in its table, with a trailing slash: "secret/", or "approle/" for auth/approle/. */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  config: MountConfig;
  options: Record<string, string> | null;
  local: boolean;
  sealWrap: boolean;
  externalEntropyAccess: boolean;
  /** The backend's own state (a KV store, an AppRole backend…). */
  engine: unknown;
  backend: BackendDef;
}

/** Where the router serves a mount: secrets at their path, auth methods under "auth/". */
export const routePath = (m: MountEntry): string => (m.table === 'auth' ? `auth/${m.path}` : m.path);

// vault/mount.go protectedMounts and singletonMounts.
const PROTECTED = ['audit/', 'auth/', 'sys/', 'cubbyhole/', 'identity/'];
const SINGLETONS = ['cubbyhole', 'system', 'token', 'identity'];

/** "kv_1a2b3c4d", "auth_approle_1a2b3c4d" (vault/mount.go generateMountAccessor). */
export const mountAccessor = (table: MountTableKind, type: string): string =>
  `${table === 'auth' ? 'auth_' : ''}${type}_${randomBytes(4).toString('hex')}`;

export function newEntry(table: MountTableKind, path: string, type: string, init: Partial<MountEntry> = {}): Omit<MountEntry, 'engine' | 'backend'> {
  return {
    table, path: withSlash(path), type, description: '', accessor: mountAccessor(table, type), uuid: randomUUID(),
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, ...(table === 'auth' ? { token_type: 'default-service' } : {}) },
    options: null, local: false, sealWrap: false, externalEntropyAccess: false, ...init,
  };
}

export const withSlash = (p: string): string => (p.endsWith('/') ? p : `${p}/`);

export class MountTable {
  private entries: MountEntry[] = [];

  /** The mount serving an API path, and the path inside it; the longest mount path wins. */
  find(apiPath: string): { mount: MountEntry; rest: string } | undefined {
    let best: MountEntry | undefined;
    for (const m of this.entries) {
      const at = routePath(m);
      if ((apiPath.startsWith(at) || `${apiPath}/` === at) && (!best || at.length > routePath(best).length)) best = m;
    }
    return best && { mount: best, rest: apiPath.slice(routePath(best).length) };
  }

  list(table: MountTableKind): MountEntry[] {
    return this.entries.filter((m) => m.table === table);
  }

  get(table: MountTableKind, path: string): MountEntry | undefined {
    const p = withSlash(path);
    return this.entries.find((m) => m.table === table && m.path === p);
  }

  /** Add a user-enabled mount after Vault's checks (system mounts are added with `builtin`). */
  add(entry: MountEntry, builtin = false): void {
    if (!builtin) this.check(entry);
    this.entries.push(entry);
  }

  remove(entry: MountEntry): void {
    this.entries = this.entries.filter((m) => m !== entry);
  }

  private check(entry: MountEntry): void {
    if (entry.table === 'secret') {
      // vault/mount.go mount(): protected prefixes, then singleton types.
      if (PROTECTED.some((p) => entry.path.startsWith(p))) throw respError(`cannot mount ${JSON.stringify(entry.path)}`);
      if (SINGLETONS.includes(entry.type)) throw respError(`mount type of ${JSON.stringify(entry.type)} is not mountable`);
    }
    for (const m of this.list(entry.table)) {
      // mountInternal / enableCredentialInternal: either path a prefix of the other.
      if (m.path.startsWith(entry.path) || entry.path.startsWith(m.path)) throw respError(`path is already in use at ${m.path}`);
    }
    if (entry.table === 'auth' && entry.type === 'token') throw respError('token credential backend cannot be instantiated');
  }
}
