/**
 * Response wrapping (docs "Response wrapping", vault/wrapping.go): instead of the answer the client gets a
 * single-use token whose cubbyhole holds it; sys/wrapping/unwrap (or a read of cubbyhole/response with that token)
 * gives it back once. Wrapping tokens carry only the `response-wrapping` policy and the requested TTL.
 */
import { badRequest } from './errors.ts';
import type { WrapInfo } from './reply.ts';
import type { VaultState } from './state.ts';
import type { TokenEntry } from './tokens/store.ts';

const RESPONSE_KEY = 'response';

export interface Wrapped {
  info: WrapInfo;
  token: TokenEntry;
}

/** Store `body` (the reply that would have been sent) behind a new wrapping token. */
export function wrap(state: VaultState, body: unknown, ttl: number, creationPath: string, wrappedAccessor = ''): WrapInfo {
  const token = state.tokens.create({
    parent: '', policies: ['response-wrapping'], path: creationPath, meta: null, displayName: '', numUses: 1,
    creationTtl: ttl, explicitMaxTtl: 0, period: 0, renewable: false, role: '', mountAccessor: state.tokenMount().accessor,
  });
  state.cubbyholes.set(token.id, new Map([[RESPONSE_KEY, { response: JSON.stringify(body), creation_path: creationPath, wrapped_accessor: wrappedAccessor }]]));
  return {
    token: token.id, accessor: token.accessor, ttl, creation_time: token.issueTime.toISOString(),
    creation_path: creationPath, wrapped_accessor: wrappedAccessor,
  };
}

/** The live wrapping token with this id, or Vault's refusal (consts.ErrInvalidWrappingToken → 400). */
export function wrappingToken(state: VaultState, id: unknown): TokenEntry {
  const t = typeof id === 'string' ? state.tokens.lookup(id) : undefined;
  const stored = t && state.cubbyholes.get(t.id)?.get(RESPONSE_KEY);
  if (!t || !stored || t.policies.length !== 1 || t.policies[0] !== 'response-wrapping') throw badRequest('wrapping token is not valid or does not exist');
  return t;
}

/** What the token wraps: the stored body and where it was made. */
export function wrapped(state: VaultState, t: TokenEntry): { response: unknown; creationPath: string; wrappedAccessor: string } {
  const stored = state.cubbyholes.get(t.id)!.get(RESPONSE_KEY)!;
  return { response: JSON.parse(String(stored.response)), creationPath: String(stored.creation_path), wrappedAccessor: String(stored.wrapped_accessor) };
}

/** Give the wrapped answer back once: the token is revoked as it is read. */
export function unwrap(state: VaultState, t: TokenEntry): unknown {
  const { response } = wrapped(state, t);
  state.tokens.revokeTree(t.id);
  return response;
}
