/** What a route is: per-operation handlers plus how Vault authorizes them. Shared by the KV and sys/auth tables. */
import type { Operation, VaultRequest } from './request.ts';
import type { Reply } from './reply.ts';
import type { Mount, VaultState } from './state.ts';

export interface RouteContext {
  req: VaultRequest;
  state: VaultState;
  /** The secret path inside a mount, or the route pattern's first capture. */
  rest: string;
  mount?: Mount;
}

export type Handler = (ctx: RouteContext) => Reply;

export interface RouteDef {
  ops: Partial<Record<Operation, Handler>>;
  /** Reachable without a token (health, seal status, login). */
  open?: boolean;
  /** Reachable while sealed (health, seal status). */
  whileSealed?: boolean;
  /** Vault's existence check: a write to a missing target needs `create`, to an existing one `update`. */
  exists?: (ctx: RouteContext) => boolean;
  /** The path also needs `sudo` (root-protected endpoints such as sys/seal). */
  sudo?: boolean;
}
