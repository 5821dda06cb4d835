/**
 * Token store roles (auth/token/roles/:name, vault/token_store.go tsRoleEntry): what a token created through
 * auth/token/create/:role may carry. The model only; the fields' parsing is in tokens/routes.ts.
 */
import { cidrText } from '../cidr.ts';

export interface TokenRole {
  name: string;
  allowed_policies: string[];
  disallowed_policies: string[];
  allowed_policies_glob: string[];
  disallowed_policies_glob: string[];
  allowed_entity_aliases: string[];
  orphan: boolean;
  renewable: boolean;
  path_suffix: string;
  token_period: number;
  token_explicit_max_ttl: number;
  token_no_default_policy: boolean;
  token_bound_cidrs: string[];
  token_type: string;
}

export const newRole = (name: string): TokenRole => ({
  name, allowed_policies: [], disallowed_policies: [], allowed_policies_glob: [], disallowed_policies_glob: [], allowed_entity_aliases: [],
  orphan: false, renewable: true, path_suffix: '', token_period: 0, token_explicit_max_ttl: 0, token_no_default_policy: false,
  token_bound_cidrs: [], token_type: 'default-service',
});

export class TokenRoles {
  private readonly byName = new Map<string, TokenRole>();

  get(name: string): TokenRole | undefined {
    return this.byName.get(name);
  }

  set(role: TokenRole): void {
    this.byName.set(role.name, role);
  }

  delete(name: string): void {
    this.byName.delete(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}

/** The role's read response (tokenStoreRoleRead), with the deprecated period/explicit_max_ttl mirrors. */
export function describeRole(r: TokenRole): Record<string, unknown> {
  return {
    allowed_entity_aliases: r.allowed_entity_aliases, allowed_policies: r.allowed_policies, allowed_policies_glob: r.allowed_policies_glob,
    disallowed_policies: r.disallowed_policies, disallowed_policies_glob: r.disallowed_policies_glob, explicit_max_ttl: r.token_explicit_max_ttl,
    name: r.name, orphan: r.orphan, path_suffix: r.path_suffix, period: r.token_period, renewable: r.renewable,
    token_bound_cidrs: r.token_bound_cidrs.map(cidrText), token_explicit_max_ttl: r.token_explicit_max_ttl, token_no_default_policy: r.token_no_default_policy,
    token_period: r.token_period, token_type: r.token_type,
  };
}
