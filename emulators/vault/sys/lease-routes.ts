/**
 * Leases (https://developer.hashicorp.com/vault/api-docs/system/leases) and their older sys/renew, sys/revoke,
 * sys/revoke-prefix paths. The fake's engines issue no dynamic secrets, so the leases it holds are the auth leases
 * of tokens with a TTL: lookup and list show them, revoke and revoke-prefix revoke the tokens, and renew answers
 * as Vault does for an auth lease ("tokens cannot be renewed through this endpoint").
 */
import { respError } from '../errors.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import type { TokenEntry } from '../tokens/store.ts';

const LEASE_FIELDS = { lease_id: { type: 'string' as const }, url_lease_id: { type: 'string' as const }, increment: { type: 'duration' as const }, sync: { type: 'bool' as const } };

/** The lease id from the body or the URL; logical_system.go: "lease_id must be specified". */
function leaseId(ctx: Ctx): string {
  const id = ctx.data.get<string>('lease_id') || ctx.params.url_lease_id || '';
  if (id === '') throw respError('lease_id must be specified');
  return id;
}

function lookup(ctx: Ctx): Resp {
  const t = ctx.state.tokens.byLease(leaseId(ctx));
  // logical_system.go handleLeaseLookup.
  if (!t) throw respError('invalid lease');
  return { data: leaseData(ctx, t) };
}

function leaseData(ctx: Ctx, t: TokenEntry): Record<string, unknown> {
  return {
    id: ctx.state.tokens.leaseId(t), issue_time: t.issueTime.toISOString(), expire_time: t.expireTime?.toISOString() ?? null,
    last_renewal: t.lastRenewal?.toISOString() ?? null, renewable: t.renewable, ttl: ctx.state.tokens.remaining(t),
  };
}

function renew(ctx: Ctx): Resp {
  const t = ctx.state.tokens.byLease(leaseId(ctx));
  // vault/expiration.go Renew: leaseEntry.renewable() on a missing entry, then the auth-lease refusal.
  if (!t) throw respError('lease not found');
  throw respError('tokens cannot be renewed through this endpoint');
}

function revoke(ctx: Ctx): null {
  const t = ctx.state.tokens.byLease(leaseId(ctx));
  if (t) ctx.state.tokens.revokeTree(t.id);
  return null;
}

const revokePrefix = (ctx: Ctx): null => (ctx.state.tokens.revokePrefix(ctx.params.prefix), null);

export const LEASE_PATHS: PathDef[] = [
  { pattern: /^leases\/lookup$/, fields: LEASE_FIELDS, help: 'View or list lease metadata.', ops: { update: lookup } },
  {
    pattern: /^leases\/lookup\/(?<prefix>.*)$/,
    help: 'View or list lease metadata.',
    ops: { list: (ctx) => ({ data: { keys: ctx.state.tokens.leaseKeys(ctx.params.prefix) } }) },
  },
  ...['leases/renew', 'renew'].map((p): PathDef => ({ pattern: new RegExp(`^${p}(?:/(?<url_lease_id>.+))?$`), fields: LEASE_FIELDS, help: 'Renews a lease, requesting to extend the lease.', ops: { update: renew } })),
  ...['leases/revoke', 'revoke'].map((p): PathDef => ({ pattern: new RegExp(`^${p}(?:/(?<url_lease_id>.+))?$`), fields: LEASE_FIELDS, help: 'Revokes a lease immediately.', ops: { update: revoke } })),
  ...['leases/revoke-prefix', 'revoke-prefix', 'leases/revoke-force', 'revoke-force'].map((p): PathDef => ({
    pattern: new RegExp(`^${p}/(?<prefix>.+)$`), fields: { prefix: { type: 'string' }, sync: { type: 'bool' } }, help: 'Revokes all secrets or tokens generated under a given prefix immediately.', ops: { update: revokePrefix },
  })),
  { pattern: /^leases\/tidy$/, help: 'This endpoint performs cleanup tasks that can be run if certain error conditions have occurred.', ops: { update: () => ({ warnings: ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."], status: 202 }) } },
];
