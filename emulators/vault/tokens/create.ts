/**
 * auth/token/create, create-orphan and create/:role, in the order and wording of vault/token_store.go
 * handleCreateCommon: who may set an id, an orphan or a period (root or sudo), which policies a child may get
 * (a subset of its parent's, or the role's allowed set), and how its TTL is computed against the token mount.
 */
import { respError } from '../errors.ts';
import type { Ctx, Resp } from '../route-types.ts';
import { NON_ASSIGNABLE } from '../policy/store.ts';
import { sanitizePolicies } from '../state.ts';
import { parseDurationSeconds } from '../duration.ts';
import { decode } from '../fields.ts';
import { authBlock } from './describe.ts';
import { calculateTtl } from './ttl.ts';
import type { TokenRole } from './roles.ts';

interface CreateInput {
  id: string;
  policies: string[];
  meta: Record<string, string> | null;
  noParent: boolean;
  noDefaultPolicy: boolean;
  ttl: string;
  renewable: boolean | undefined;
  explicitMaxTtl: string;
  displayName: string;
  numUses: number;
  period: string;
  type: string;
}

/** mapstructure.WeakDecode of the body into the create request; a wrong type is "Error decoding request: …". */
function readInput(data: Record<string, unknown>): CreateInput {
  const get = <T>(k: string, t: Parameters<typeof decode>[1], fallback: T): T => {
    if (data[k] === undefined || data[k] === null) return fallback;
    try {
      return decode(data[k], t) as T;
    } catch (e) {
      throw respError(`Error decoding request: 1 error(s) decoding:\n\n* '${k}' ${(e as Error).message.replace(/^'' /, '')}`);
    }
  };
  const ttl = get<string>('ttl', 'string', '') || get<string>('lease', 'string', '');
  return {
    id: get('id', 'string', ''), policies: get<string[]>('policies', 'string-slice', []), meta: data.meta === undefined || data.meta === null ? null : get<Record<string, string>>('meta', 'kv-pairs', {}),
    noParent: get('no_parent', 'bool', false), noDefaultPolicy: get('no_default_policy', 'bool', false), ttl,
    renewable: data.renewable === undefined ? undefined : get('renewable', 'bool', true), explicitMaxTtl: get('explicit_max_ttl', 'string', ''),
    displayName: get('display_name', 'string', ''), numUses: get('num_uses', 'int', 0), period: get('period', 'string', ''), type: get('type', 'string', ''),
  };
}

function seconds(v: string): number {
  try {
    return parseDurationSeconds(v);
  } catch (e) {
    throw respError((e as Error).message);
  }
}

export function createToken(ctx: Ctx, orphanPath: boolean, role?: TokenRole): Resp {
  const { state } = ctx;
  const parent = ctx.token!;
  // token_store.go: a token with a use limit could escape it through children.
  if (parent.numUses > 0) throw respError('restricted use token cannot generate child tokens');
  const isSudo = state.hasSudo(parent, ctx.req.path);
  const d = readInput(ctx.req.data);
  let renewable = d.renewable ?? true;
  if (d.type === 'batch') throw respError('batch tokens are not served by this Vault emulator');
  if (d.type !== '' && d.type !== 'service') throw respError("invalid 'token_type' value");
  if (d.numUses < 0) throw respError('number of uses cannot be negative');
  let path = `auth/token/${ctx.rest}`;
  if (role) {
    if (renewable && !role.renewable) renewable = false;
    if (role.path_suffix) path = `${path}/${role.path_suffix}`;
  }
  const displayName = d.displayName ? `token-${d.displayName}`.replace(/[^a-zA-Z0-9-]/g, '-').replace(/-+$/, '') : 'token';
  if (d.id && !isSudo) throw respError('root or sudo privileges required to specify token id');
  if (d.id && state.tokens.lookup(d.id)) throw respError('cannot create a token with a duplicate ID');
  const policies = childPolicies(d, parent.policies, isSudo, role);
  for (const p of policies) if (NON_ASSIGNABLE.includes(p)) throw respError(`cannot assign policy ${JSON.stringify(p)}`);
  if (policies.includes('root') && !parent.policies.includes('root')) throw respError('root tokens may not be created without parent token being root');
  let orphan = false;
  if (role) orphan = role.orphan;
  else if (d.noParent) {
    if (!isSudo) throw respError('root or sudo privileges required to create orphan token');
    orphan = true;
  } else orphan = orphanPath;
  let explicitMax = d.explicitMaxTtl ? seconds(d.explicitMaxTtl) : 0;
  if (explicitMax < 0) throw respError('explicit_max_ttl must be positive');
  let period = d.period ? seconds(d.period) : 0;
  if (period < 0) throw respError('period must be positive');
  if (period > 0 && !isSudo) throw respError('root or sudo privileges required to create periodic token');
  let ttl = d.ttl ? seconds(d.ttl) : 0;
  if (ttl < 0) throw respError('ttl must be positive');
  const warnings: string[] = [];
  if (role) {
    if (role.token_explicit_max_ttl) {
      if (explicitMax) warnings.push(`Explicit max TTL specified both during creation call and in role; using the lesser value of ${Math.min(explicitMax, role.token_explicit_max_ttl)} seconds`);
      explicitMax = explicitMax ? Math.min(explicitMax, role.token_explicit_max_ttl) : role.token_explicit_max_ttl;
    }
    if (role.token_period) {
      if (period) warnings.push(`Period specified both during creation call and in role; using the lesser value of ${Math.min(period, role.token_period)} seconds`);
      period = period ? Math.min(period, role.token_period) : role.token_period;
    }
  }
  const now = state.now().getTime() / 1000;
  if (period > 0 || ttl > 0 || !policies.includes('root')) {
    const calc = calculateTtl({ mount: state.mountTtls(state.tokenMount().accessor), backendTtl: ttl, period, explicitMaxTtl: explicitMax, start: now, now });
    ttl = calc.ttl;
    warnings.push(...calc.warnings);
  }
  if (ttl === 0 && explicitMax > 0) ttl = explicitMax;
  if (ttl === 0) {
    if (parent.expireTime) throw respError('expiring root tokens cannot create non-expiring root tokens');
    renewable = false;
  }
  if (d.id) warnings.push('Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups.');
  const token = state.tokens.create({
    id: d.id || undefined, parent: orphan ? '' : parent.id, policies, path, meta: d.meta, displayName, numUses: d.numUses,
    creationTtl: ttl, explicitMaxTtl: explicitMax, period, renewable, role: role?.name ?? '', mountAccessor: state.tokenMount().accessor,
    // token_store.go handleCreateCommon: only a role binds a created token to CIDRs.
    boundCidrs: role?.token_bound_cidrs ?? [],
  });
  for (const p of policies) if (p !== 'root' && !state.policies.get(p)) warnings.push(`Policy ${JSON.stringify(p)} does not exist`);
  return { auth: authBlock(token, ttl), warnings, wrappedAccessor: token.accessor };
}

/** The child's policies (token_store.go: role allowed/disallowed sets, else inherit, else subset of the parent unless sudo). */
function childPolicies(d: CreateInput, parentPolicies: string[], isSudo: boolean, role?: TokenRole): string[] {
  let addDefault = false;
  let chosen = d.policies;
  if (role && (role.allowed_policies.length || role.disallowed_policies.length)) {
    const localDefault = !d.noDefaultPolicy && !role.disallowed_policies.includes('default');
    let final = chosen.length ? sanitizePolicies(chosen, localDefault) : [];
    if (role.allowed_policies.length) {
      const allowed = sanitizePolicies(role.allowed_policies, localDefault);
      if (!final.length) final = allowed;
      else if (!final.every((p) => allowed.includes(p))) {
        throw respError(`token policies (${goList(final)}) must be subset of the role's allowed policies (${goList(allowed)})`);
      }
    } else if (!final.length) final = sanitizePolicies(parentPolicies, localDefault);
    for (const p of final) if (role.disallowed_policies.includes(p)) throw respError(`token policy ${JSON.stringify(p)} is disallowed by this role`);
    chosen = final;
  } else if (!chosen.length) {
    chosen = sanitizePolicies(parentPolicies, false);
  } else if (!isSudo) {
    const wanted = sanitizePolicies(chosen, false);
    const have = sanitizePolicies(parentPolicies, false);
    if (!wanted.every((p) => have.includes(p))) throw respError('child policies must be subset of parent');
    addDefault = !d.noDefaultPolicy && parentPolicies.includes('default');
  } else addDefault = !d.noDefaultPolicy;
  let out = sanitizePolicies(chosen, addDefault);
  if (d.noDefaultPolicy) out = out.filter((p) => p !== 'default');
  return out;
}

/** Go's %q of a []string: ["a" "b"]. */
const goList = (xs: string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

