/**
 * What a backend is to the router: path patterns with per-operation handlers (sdk/framework.Path), the special
 * paths that skip the token check or need `sudo` (logical.Paths), and what a handler returns (logical.Response).
 */
import type { FieldData, Fields } from './fields.ts';
import type { VaultRequest } from './request.ts';
import type { MountEntry } from './mounts.ts';
import type { TokenEntry } from './tokens/store.ts';
import type { VaultState } from './state.ts';

/** A write becomes create or update after the existence check (vault/request_handling.go CheckToken). */
export type LogicalOp = 'read' | 'list' | 'create' | 'update' | 'delete' | 'patch';

/** The `auth` block of a login or token-create response (logical.Auth as the HTTP layer renders it). */
export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

/** A handler's answer; `null` means "nothing": 404 for reads and lists, 204 for the rest. */
export interface Resp {
  data?: unknown;
  auth?: AuthBlock;
  warnings?: string[];
  leaseId?: string;
  leaseDuration?: number;
  renewable?: boolean;
  /** A body sent as-is, outside the envelope (sys/health, sys/seal-status, unwrap's stored response…). */
  raw?: { status: number; body: unknown };
  /** Overrides the status of an envelope reply (e.g. 202). */
  status?: number;
  /** The accessor a wrapped response hides (a token's or a secret_id's), shown as wrap_info.wrapped_accessor. */
  wrappedAccessor?: string;
}

export interface Ctx {
  req: VaultRequest;
  state: VaultState;
  mount: MountEntry;
  /** The path inside the mount ("data/app/x" for "secret/data/app/x"). */
  rest: string;
  /** Named captures of the path pattern. */
  params: Record<string, string>;
  data: FieldData;
  op: LogicalOp;
  /** The caller's token; undefined on unauthenticated paths (login, health…). */
  token?: TokenEntry;
}

export type Handler = (ctx: Ctx) => Resp | null;

export interface PathDef {
  /** Matched against the path inside the mount; named groups become `params`. */
  pattern: RegExp;
  fields?: Fields;
  /** `write` serves both create and update unless either is given on its own. */
  ops: Partial<Record<LogicalOp | 'write', Handler>>;
  /** Vault's existence check: a write to a missing target needs `create`, to an existing one `update`. */
  exists?: (ctx: Ctx) => boolean;
  /** HelpSynopsis, shown by `?help=1`. */
  help?: string;
  /** The path takes any data (KV secrets): no field validation, no "ignored parameters" warning. */
  arbitraryInput?: boolean;
}

export interface BackendDef {
  paths: PathDef[];
  /** Globs relative to the mount that need no token (login paths). A trailing `*` is a prefix. */
  unauthenticated?: string[];
  /** Globs relative to the mount that also need `sudo`. */
  root?: string[];
}

/** Is `rest` covered by one of Vault's special-path globs ("login", "login/*", "accessors*")? */
export function matchesSpecial(globs: string[] | undefined, rest: string): boolean {
  return (globs ?? []).some((g) => (g.endsWith('*') ? rest.startsWith(g.slice(0, -1)) : rest === g || rest === `${g}/`));
}
