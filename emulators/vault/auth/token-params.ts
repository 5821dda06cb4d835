/**
 * The token_* settings every auth method role carries (sdk/helper/tokenutil TokenParams): their fields, how a
 * write updates them (including the deprecated `policies` and `period`, which tokenutil.UpgradeValue maps onto
 * token_policies and token_period), and how a read shows them.
 */
import { cidrText, isCidr } from '../cidr.ts';
import { respError } from '../errors.ts';
import type { FieldData, Fields } from '../fields.ts';

export interface TokenParams {
  token_policies: string[];
  token_ttl: number;
  token_max_ttl: number;
  token_explicit_max_ttl: number;
  token_no_default_policy: boolean;
  token_num_uses: number;
  token_period: number;
  token_bound_cidrs: string[];
  token_type: string;
  /** Set when the role was written with the deprecated `policies` / `period` (a read then shows them too). */
  legacyPolicies: boolean;
  legacyPeriod: boolean;
}

export const TOKEN_FIELDS: Fields = {
  token_policies: { type: 'comma-string-slice' }, policies: { type: 'comma-string-slice' },
  token_ttl: { type: 'duration' }, token_max_ttl: { type: 'duration' }, token_explicit_max_ttl: { type: 'duration' },
  token_no_default_policy: { type: 'bool' }, token_num_uses: { type: 'int' }, token_period: { type: 'duration' }, period: { type: 'duration' },
  token_bound_cidrs: { type: 'comma-string-slice' }, token_type: { type: 'string', default: 'default-service' },
};

export const defaultTokenParams = (): TokenParams => ({
  token_policies: [], token_ttl: 0, token_max_ttl: 0, token_explicit_max_ttl: 0, token_no_default_policy: false, token_num_uses: 0,
  token_period: 0, token_bound_cidrs: [], token_type: 'default-service', legacyPolicies: false, legacyPeriod: false,
});

const TOKEN_TYPES = ['default', 'service', 'batch', 'default-service', 'default-batch'];

/** Apply a write's token fields (tokenutil ParseTokenFields + UpgradeValue), with Vault's refusals. */
export function parseTokenFields(t: TokenParams, d: FieldData): void {
  if (d.has('token_policies')) {
    t.token_policies = d.get<string[]>('token_policies');
    t.legacyPolicies = false;
  } else if (d.has('policies')) {
    t.token_policies = d.get<string[]>('policies');
    t.legacyPolicies = true;
  }
  if (d.has('token_period')) {
    t.token_period = d.get<number>('token_period');
    t.legacyPeriod = false;
  } else if (d.has('period')) {
    t.token_period = d.get<number>('period');
    t.legacyPeriod = true;
  }
  for (const k of ['token_ttl', 'token_max_ttl', 'token_explicit_max_ttl', 'token_num_uses'] as const) if (d.has(k)) t[k] = d.get<number>(k);
  if (d.has('token_no_default_policy')) t.token_no_default_policy = d.get<boolean>('token_no_default_policy');
  if (d.has('token_bound_cidrs')) t.token_bound_cidrs = d.get<string[]>('token_bound_cidrs');
  if (d.has('token_type')) {
    const type = d.get<string>('token_type');
    if (!TOKEN_TYPES.includes(type)) throw respError(`invalid 'token_type' value ${JSON.stringify(type)}`);
    t.token_type = type === 'default' ? 'default-service' : type;
  }
  // tokenutil ParseTokenFields checks.
  if (t.token_ttl > 0 && t.token_max_ttl > 0 && t.token_ttl > t.token_max_ttl) throw respError("'token_ttl' cannot be greater than 'token_max_ttl'");
  if (t.token_num_uses < 0) throw respError("'token_num_uses' cannot be negative");
  for (const c of t.token_bound_cidrs) if (!isCidr(c)) throw respError(`invalid CIDR blocks: ${JSON.stringify(c)}`);
}

/** tokenutil PopulateTokenData, plus the deprecated mirrors a role read adds when they were used. */
export function tokenData(t: TokenParams): Record<string, unknown> {
  return {
    token_bound_cidrs: t.token_bound_cidrs.map(cidrText), token_explicit_max_ttl: t.token_explicit_max_ttl, token_max_ttl: t.token_max_ttl,
    token_no_default_policy: t.token_no_default_policy, token_num_uses: t.token_num_uses, token_period: t.token_period,
    token_policies: t.token_policies, token_ttl: t.token_ttl, token_type: t.token_type,
    ...(t.legacyPolicies ? { policies: t.token_policies } : {}),
    ...(t.legacyPeriod ? { period: t.token_period } : {}),
  };
}
