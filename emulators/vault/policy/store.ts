/**
 * The ACL policy store (vault/policy_store.go): names are trimmed and lower-cased, `default` and
 * `response-wrapping` exist from the start, `root` is implicit (readable, never stored), `root` and
 * `response-wrapping` cannot be written or deleted, `default` can be rewritten but not deleted.
 */
import { Acl } from './acl.ts';
import { parsePolicy, type ParsedPolicy } from './parse.ts';
import { DEFAULT_POLICY, RESPONSE_WRAPPING_POLICY } from './builtin.ts';

export const IMMUTABLE = ['root', 'response-wrapping', 'control-group'];
/** Policies a token can never be given (token_store.go nonAssignablePolicies). */
export const NON_ASSIGNABLE = ['response-wrapping', 'control-group'];

export class PolicyError extends Error {}

export class PolicyStore {
  private readonly byName = new Map<string, ParsedPolicy>();

  constructor() {
    this.byName.set('default', parsePolicy('default', DEFAULT_POLICY));
    this.byName.set('response-wrapping', parsePolicy('response-wrapping', RESPONSE_WRAPPING_POLICY));
  }

  static sanitize(name: string): string {
    return name.trim().toLowerCase();
  }

  /** Parse and store; throws PolicyParseError with Vault's text for a bad body, PolicyError for a protected name. */
  set(name: string, raw: string): void {
    const n = PolicyStore.sanitize(name);
    if (IMMUTABLE.includes(n)) throw new PolicyError(`cannot update ${JSON.stringify(n)} policy`);
    this.byName.set(n, parsePolicy(n, raw));
  }

  /** The stored policy; `root` reads as an empty one. */
  get(name: string): ParsedPolicy | undefined {
    const n = PolicyStore.sanitize(name);
    if (n === 'root') return { name: 'root', raw: '', rules: [] };
    return this.byName.get(n);
  }

  delete(name: string): void {
    const n = PolicyStore.sanitize(name);
    if (IMMUTABLE.includes(n)) throw new PolicyError(`cannot delete ${JSON.stringify(n)} policy`);
    if (n === 'default') throw new PolicyError('cannot delete default policy');
    this.byName.delete(n);
  }

  /** Stored, assignable names in storage order (sorted), as ListPolicies returns them. */
  list(): string[] {
    return [...this.byName.keys()].filter((n) => !NON_ASSIGNABLE.includes(n)).sort();
  }

  /** The ACL for a token's policy names; unknown names are skipped as Vault does. */
  acl(names: string[]): Acl {
    if (names.includes('root')) return new Acl(['root']);
    return new Acl(names.map((n) => this.byName.get(PolicyStore.sanitize(n))).filter((p): p is ParsedPolicy => !!p));
  }
}
