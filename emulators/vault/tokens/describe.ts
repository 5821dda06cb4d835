/** How tokens appear on the wire: the `auth` block of a login or create, and a lookup's `data`. */
import type { AuthBlock } from '../route-types.ts';
import { cidrText } from '../cidr.ts';
import type { TokenEntry, TokenStore } from './store.ts';

/** logical.Auth as the HTTP layer renders it (docs sample responses of auth/token/create and AppRole login). */
export function authBlock(t: TokenEntry, ttl: number): AuthBlock {
  return {
    client_token: t.id, accessor: t.accessor, policies: t.policies, token_policies: t.policies, metadata: t.meta,
    lease_duration: ttl, renewable: t.renewable && !!t.expireTime, entity_id: '', token_type: 'service',
    orphan: t.parent === '', mfa_requirement: null, num_uses: t.numUses,
  };
}

/** auth/token/lookup's data (token_store.go handleLookup); `id` is blanked for lookups by accessor. */
export function lookupData(store: TokenStore, t: TokenEntry, showId = true): Record<string, unknown> {
  const data: Record<string, unknown> = {
    accessor: t.accessor, creation_time: t.creationTime, creation_ttl: t.creationTtl, display_name: t.displayName, entity_id: '',
    expire_time: t.expireTime ? t.expireTime.toISOString() : null, explicit_max_ttl: t.explicitMaxTtl, id: showId ? t.id : '',
    meta: t.meta, num_uses: t.numUses, orphan: t.parent === '', path: t.path, policies: t.policies, ttl: store.remaining(t), type: 'service',
  };
  if (t.expireTime) {
    data.issue_time = t.issueTime.toISOString();
    data.renewable = t.renewable;
  }
  if (t.lastRenewal) {
    data.last_renewal = t.lastRenewal.toISOString();
    data.last_renewal_time = Math.floor(t.lastRenewal.getTime() / 1000);
  }
  if (t.role) data.role = t.role;
  if (t.period) data.period = t.period;
  if (t.boundCidrs?.length) data.bound_cidrs = t.boundCidrs.map(cidrText);
  return data;
}
