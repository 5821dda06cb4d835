/**
 * The token auth method at auth/token/ (https://developer.hashicorp.com/vault/api-docs/auth/token): create (also
 * orphan and by role), lookup (by id, self, accessor), renew (by id, self, accessor), revoke (tree, self,
 * accessor, orphan), accessor listing and roles. Wording from vault/token_store.go and vault/expiration.go.
 * The create paths read their body the way token_store.go does (mapstructure), so they flag no unknown fields.
 */
import { coreError, respError } from '../errors.ts';
import type { BackendDef, Ctx, Resp } from '../route-types.ts';
import { parseDurationSeconds } from '../duration.ts';
import { authBlock, lookupData } from './describe.ts';
import { createToken } from './create.ts';
import { describeRole, newRole, type TokenRole } from './roles.ts';
import { calculateTtl } from './ttl.ts';
import type { TokenEntry } from './store.ts';

const ROLE = '(?<role_name>\\w(?:[\\w-.]*\\w)?)';

function byToken(ctx: Ctx, id: string): TokenEntry | undefined {
  return ctx.state.tokens.lookup(id);
}

function byAccessorOrFail(ctx: Ctx): TokenEntry {
  const accessor = ctx.data.get<string>('accessor');
  // token_store.go handleUpdateLookupAccessor / RevokeAccessor: logical.StatusBadRequest errors.
  if (accessor === '') throw coreError('missing accessor', 400);
  const t = ctx.state.tokens.lookupAccessor(accessor);
  if (!t) throw coreError('invalid accessor', 400);
  return t;
}

/** expiration.go RenewToken, with the token's own (or its auth method's current) TTL settings. */
function renew(ctx: Ctx, t: TokenEntry | undefined): Resp {
  if (!t) throw respError('token not found');
  if (!t.expireTime) throw respError('invalid lease ID');
  if (!t.renewable) throw respError('lease is not renewable');
  let increment = 0;
  try {
    increment = parseDurationSeconds(ctx.req.data.increment ?? 0);
  } catch (e) {
    throw respError((e as Error).message);
  }
  const settings = t.renewWith?.() ?? { ttl: t.creationTtl, maxTtl: 0, period: t.period, explicitMaxTtl: t.explicitMaxTtl };
  const now = ctx.state.now().getTime() / 1000;
  const { ttl, warnings } = calculateTtl({
    mount: ctx.state.mountTtls(t.mountAccessor), increment, backendTtl: settings.ttl, period: settings.period, backendMaxTtl: settings.maxTtl,
    explicitMaxTtl: settings.explicitMaxTtl, start: t.issueTime.getTime() / 1000, now,
  });
  ctx.state.tokens.extend(t, ttl);
  return { auth: authBlock(t, ttl), warnings };
}

export const TOKEN_BACKEND: BackendDef = {
  root: ['revoke-orphan/*', 'accessors*'],
  paths: [
    { pattern: /^accessors\/?$/, help: 'List token accessors, which can then be used to iterate and discover their properties or revoke them.', ops: { list: (ctx) => ({ data: { keys: ctx.state.tokens.accessors() } }) } },
    { pattern: /^create-orphan$/, arbitraryInput: true, help: 'The token create path is used to create new orphan tokens.', ops: { update: (ctx) => createToken(ctx, true) } },
    {
      pattern: new RegExp(`^create/${ROLE}$`),
      arbitraryInput: true,
      help: 'This token create path is used to create new tokens adhering to the given role.',
      ops: {
        update: (ctx) => {
          const role = ctx.state.tokenRoles.get(ctx.params.role_name);
          // token_store.go handleCreateAgainstRole.
          if (!role) throw respError(`unknown role ${ctx.params.role_name}`);
          return createToken(ctx, false, role);
        },
      },
    },
    { pattern: /^create$/, arbitraryInput: true, help: 'The token create path is used to create new tokens.', ops: { update: (ctx) => createToken(ctx, false) } },
    {
      pattern: /^lookup$/,
      fields: { token: { type: 'string' } },
      help: 'This endpoint will lookup a token and its properties.',
      ops: {
        write: (ctx) => lookup(ctx, ctx.data.get<string>('token') || ctx.token!.id),
        read: (ctx) => lookup(ctx, ctx.data.get<string>('token') || ctx.token!.id),
      },
    },
    { pattern: /^lookup-self$/, help: 'This endpoint will lookup a token and its properties.', ops: { read: (ctx) => lookup(ctx, ctx.token!.id) } },
    {
      pattern: /^lookup-accessor$/,
      fields: { accessor: { type: 'string' } },
      help: 'This endpoint will lookup a token associated with the given accessor and its properties. Response will not contain the token ID.',
      ops: { update: (ctx) => ({ data: lookupData(ctx.state.tokens, byAccessorOrFail(ctx), false) }) },
    },
    {
      pattern: /^renew$/,
      fields: { token: { type: 'string' }, increment: { type: 'duration' } },
      help: 'This endpoint will renew the given token and prevent expiration.',
      ops: {
        update: (ctx) => {
          const id = ctx.data.get<string>('token');
          if (id === '') throw respError('missing token ID');
          return renew(ctx, byToken(ctx, id));
        },
      },
    },
    { pattern: /^renew-self$/, fields: { token: { type: 'string' }, increment: { type: 'duration' } }, help: 'This endpoint will renew the token used to call it and prevent expiration.', ops: { update: (ctx) => renew(ctx, ctx.token) } },
    { pattern: /^renew-accessor$/, fields: { accessor: { type: 'string' }, increment: { type: 'duration' } }, help: 'This endpoint will renew a token associated with the given accessor and its properties. Response will not contain the token ID.', ops: { update: (ctx) => renew(ctx, byAccessorOrFail(ctx)) } },
    {
      pattern: /^revoke$/,
      fields: { token: { type: 'string' } },
      help: 'This endpoint will delete the given token and all of its child tokens.',
      ops: {
        update: (ctx) => {
          const id = ctx.data.get<string>('token');
          if (id === '') throw respError('missing token ID');
          if (byToken(ctx, id)) ctx.state.tokens.revokeTree(id);
          return null;
        },
      },
    },
    { pattern: /^revoke-self$/, help: 'This endpoint will delete the token used to call it and all of its child tokens.', ops: { update: (ctx) => (ctx.state.tokens.revokeTree(ctx.token!.id), null) } },
    { pattern: /^revoke-accessor$/, fields: { accessor: { type: 'string' } }, help: 'This endpoint will delete the token associated with the accessor and all of its child tokens.', ops: { update: (ctx) => (ctx.state.tokens.revokeTree(byAccessorOrFail(ctx).id), null) } },
    {
      pattern: /^revoke-orphan$/,
      fields: { token: { type: 'string' } },
      help: 'This endpoint will delete the token and orphan its child tokens.',
      ops: {
        update: (ctx) => {
          const id = ctx.data.get<string>('token');
          if (id === '') throw respError('missing token ID');
          if (!ctx.state.hasSudo(ctx.token!, ctx.req.path)) throw respError('root or sudo privileges required to revoke and orphan');
          if (!byToken(ctx, id)) throw respError('token to revoke not found');
          ctx.state.tokens.revokeOrphan(id);
          return null;
        },
      },
    },
    { pattern: /^roles\/?$/, help: 'This endpoint lists configured roles.', ops: { list: (ctx) => ({ data: { keys: ctx.state.tokenRoles.names() } }) } },
    {
      pattern: new RegExp(`^roles/${ROLE}$`),
      fields: {
        role_name: { type: 'string' }, allowed_policies: { type: 'comma-string-slice' }, disallowed_policies: { type: 'comma-string-slice' },
        allowed_policies_glob: { type: 'comma-string-slice' }, disallowed_policies_glob: { type: 'comma-string-slice' }, allowed_entity_aliases: { type: 'comma-string-slice' },
        orphan: { type: 'bool' }, renewable: { type: 'bool', default: true }, path_suffix: { type: 'string' }, period: { type: 'duration' }, token_period: { type: 'duration' },
        explicit_max_ttl: { type: 'duration' }, token_explicit_max_ttl: { type: 'duration' }, token_no_default_policy: { type: 'bool' }, token_bound_cidrs: { type: 'comma-string-slice' },
        bound_cidrs: { type: 'comma-string-slice' }, token_type: { type: 'string' }, token_num_uses: { type: 'int' },
      },
      exists: (ctx) => !!ctx.state.tokenRoles.get(ctx.params.role_name),
      help: 'This endpoint allows creating, reading, and deleting roles.',
      ops: {
        read: (ctx) => {
          const r = ctx.state.tokenRoles.get(ctx.params.role_name);
          return r ? { data: describeRole(r) } : null;
        },
        write: writeRole,
        delete: (ctx) => (ctx.state.tokenRoles.delete(ctx.params.role_name), null),
      },
    },
    { pattern: /^tidy$/, help: 'This endpoint performs cleanup tasks that can be run if certain error conditions have occurred.', ops: { update: () => ({ warnings: ['Tidy operation successfully started. Any information from the operation will be printed to Vault\'s server logs.'], status: 202 }) } },
  ],
};

function lookup(ctx: Ctx, id: string): Resp {
  const t = byToken(ctx, id);
  // token_store.go handleLookup: an unknown token is "bad token" beside ErrPermissionDenied.
  if (!t) throw respError('bad token', 403);
  return { data: lookupData(ctx.state.tokens, t) };
}

function writeRole(ctx: Ctx): Resp | null {
  const d = ctx.data;
  const role: TokenRole = structuredClone(ctx.state.tokenRoles.get(ctx.params.role_name) ?? newRole(ctx.params.role_name));
  for (const k of ['allowed_policies', 'disallowed_policies', 'allowed_policies_glob', 'disallowed_policies_glob', 'allowed_entity_aliases'] as const) {
    if (d.has(k)) role[k] = d.get<string[]>(k).map((p) => p.toLowerCase());
  }
  if (d.has('orphan')) role.orphan = d.get<boolean>('orphan');
  if (d.has('renewable')) role.renewable = d.get<boolean>('renewable');
  if (d.has('path_suffix')) {
    const suffix = d.get<string>('path_suffix');
    // token_store.go tokenStoreRoleCreateUpdate.
    if (suffix.includes('..')) throw respError('error registering role: path suffix contains ".."');
    role.path_suffix = suffix;
  }
  const period = d.getFirst<number>('token_period', 'period');
  if (period !== undefined) role.token_period = period;
  const explicit = d.getFirst<number>('token_explicit_max_ttl', 'explicit_max_ttl');
  if (explicit !== undefined) role.token_explicit_max_ttl = explicit;
  if (d.has('token_no_default_policy')) role.token_no_default_policy = d.get<boolean>('token_no_default_policy');
  const cidrs = d.getFirst<string[]>('token_bound_cidrs', 'bound_cidrs');
  if (cidrs !== undefined) role.token_bound_cidrs = cidrs;
  if (d.has('token_type')) {
    const t = d.get<string>('token_type');
    if (!['default', 'service', 'batch', 'default-service', 'default-batch'].includes(t)) throw respError(`invalid 'token_type' value ${JSON.stringify(t)}`);
    role.token_type = t === 'default' ? 'default-service' : t;
  }
  const warnings: string[] = [];
  const max = ctx.state.mountTtls(ctx.state.tokenMount().accessor).maxTtl;
  if (role.token_explicit_max_ttl > max) warnings.push('Given explicit max TTL of ' + role.token_explicit_max_ttl + ' is greater than system/mount allowed value of ' + max + ' seconds; until this is fixed attempting to create tokens against this role will result in an error');
  ctx.state.tokenRoles.set(role);
  return warnings.length ? { warnings } : null;
}
