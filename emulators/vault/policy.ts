/**
 * ACL policies: path patterns → capabilities, evaluated the way Vault's docs describe
 * (https://developer.hashicorp.com/vault/docs/concepts/policies): a trailing `*` is a prefix glob, `+` matches
 * one path segment, the most specific matching pattern decides, capabilities for that pattern are the union over
 * the token's policies, and `deny` beats everything.
 */
export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny';
export type Policy = Record<string, Capability[]>;

export const CAPABILITIES: readonly Capability[] = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny'];

// Docs ("Built-in policies"): every token gets `default`, which lets it look itself up, renew and revoke itself.
export const DEFAULT_POLICY: Policy = {
  'auth/token/lookup-self': ['read'],
  'auth/token/renew-self': ['update'],
  'auth/token/revoke-self': ['update'],
  'sys/capabilities-self': ['update'],
};

export function isAllowed(policies: Policy[], path: string, cap: Capability): boolean {
  const matching = policies.flatMap((p) => Object.keys(p).filter((pattern) => matches(pattern, path)));
  if (matching.length === 0) return false;
  const best = matching.reduce((a, b) => (specificity(b) > specificity(a) ? b : a));
  const caps = new Set(policies.flatMap((p) => p[best] ?? []));
  return !caps.has('deny') && caps.has(cap);
}

function matches(pattern: string, path: string): boolean {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const re = body.split('+').map(escape).join('[^/]+');
  return new RegExp(`^${re}${glob ? '' : '$'}`).test(path);
}

/** Exact patterns beat globs; then the longer literal prefix wins; fewer `+` wildcards win ties. */
function specificity(pattern: string): number {
  const exact = pattern.endsWith('*') ? 0 : 1;
  const plus = pattern.split('+').length - 1;
  return exact * 1e6 + pattern.replace(/\*$/, '').length * 100 - plus;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
