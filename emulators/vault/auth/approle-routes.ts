/**
 * AppRole's wire layer at any mount (https://developer.hashicorp.com/vault/api-docs/auth/approle): role CRUD,
 * role-id, secret-id generate / custom / list / lookup / destroy and their by-accessor forms, and login.
 * Refusals keep path_role.go's mix: error responses (400, or 404 beside ErrUnsupportedPath) and a few plain
 * errors Vault answers with 500 (a lookup on a role that does not exist).
 */
import { coreError, respError, unsupportedPath } from '../errors.ts';
import type { FieldData, Fields } from '../fields.ts';
import type { BackendDef, Ctx, Resp } from '../route-types.ts';
import { authBlock } from '../tokens/describe.ts';
import { AppRole, describeSecretId, InvalidCredentials, newRole, type Role } from './approle.ts';
import { UserLockout } from './lockout.ts';
import { parseTokenFields, tokenData, TOKEN_FIELDS } from './token-params.ts';
import { isCidr } from '../cidr.ts';
import { VAULT_JSON_LIMITS } from '../journal-body.ts';
import { parseJsonWithin } from '../../../proxy/core/json-limits.ts';

export interface AppRoleEngine {
  model: AppRole;
  lockout: UserLockout;
}

const eng = (ctx: Ctx): AppRoleEngine => ctx.mount.engine as AppRoleEngine;
// framework.GenericNameWithAtRegex("role_name").
const ROLE = 'role/(?<role_name>\\w(?:[\\w-.@]*\\w)?)';

const ROLE_FIELDS: Fields = {
  ...TOKEN_FIELDS,
  role_name: { type: 'string' }, bind_secret_id: { type: 'bool', default: true }, secret_id_bound_cidrs: { type: 'comma-string-slice' },
  bound_cidr_list: { type: 'comma-string-slice' }, secret_id_num_uses: { type: 'int' }, secret_id_ttl: { type: 'duration' },
  local_secret_ids: { type: 'bool' }, role_id: { type: 'string' },
};
const SECRET_ID_FIELDS: Fields = {
  role_name: { type: 'string' }, metadata: { type: 'string' }, cidr_list: { type: 'comma-string-slice' }, token_bound_cidrs: { type: 'comma-string-slice' },
  num_uses: { type: 'int' }, ttl: { type: 'duration' },
};

/** The role named in the path, or the response a missing one gets on that path. */
function role(ctx: Ctx, missing: () => never): Role {
  return eng(ctx).model.role(ctx.params.role_name) ?? missing();
}

export const APPROLE_BACKEND: BackendDef = {
  unauthenticated: ['login'],
  paths: [
    { pattern: /^role\/?$/, help: 'Lists all the roles registered with the backend.', ops: { list: (ctx) => ({ data: { keys: eng(ctx).model.names() } }) } },
    {
      pattern: new RegExp(`^${ROLE}$`),
      fields: ROLE_FIELDS,
      exists: (ctx) => !!eng(ctx).model.role(ctx.params.role_name),
      help: 'Register an role with the backend.',
      ops: {
        create: (ctx) => writeRole(ctx, newRole(ctx.params.role_name)),
        update: (ctx) => writeRole(ctx, structuredClone(role(ctx, () => { throw respError(`role name ${JSON.stringify(ctx.params.role_name)} doesn't exist`, 404); }))),
        read: (ctx) => {
          const r = eng(ctx).model.role(ctx.params.role_name);
          if (!r) return null;
          return { data: { bind_secret_id: r.bindSecretId, local_secret_ids: r.localSecretIds, secret_id_bound_cidrs: r.secretIdBoundCidrs, secret_id_num_uses: r.secretIdNumUses, secret_id_ttl: r.secretIdTtl, ...tokenData(r.token) } };
        },
        delete: (ctx) => (eng(ctx).model.delete(ctx.params.role_name), null),
      },
    },
    {
      pattern: new RegExp(`^${ROLE}/role-id$`),
      fields: { role_name: { type: 'string' }, role_id: { type: 'string' } },
      help: 'Returns the \'role_id\' of the role.',
      ops: {
        read: (ctx) => {
          const r = eng(ctx).model.role(ctx.params.role_name);
          return r ? { data: { role_id: r.roleId } } : null;
        },
        write: (ctx) => {
          const r = structuredClone(role(ctx, () => { throw unsupportedPath(); }));
          const id = ctx.data.get<string>('role_id').trim();
          if (id === '') throw respError('missing role_id');
          r.roleId = id;
          eng(ctx).model.save(r);
          return null;
        },
      },
    },
    {
      pattern: new RegExp(`^${ROLE}/secret-id/?$`),
      fields: SECRET_ID_FIELDS,
      help: 'Generate a SecretID against this role.',
      ops: {
        update: (ctx) => issueSecretId(ctx, crypto.randomUUID()),
        list: (ctx) => {
          const r = role(ctx, () => { throw respError(`role ${JSON.stringify(ctx.params.role_name)} does not exist`); });
          return { data: { keys: eng(ctx).model.accessors(r) } };
        },
      },
    },
    {
      pattern: new RegExp(`^${ROLE}/custom-secret-id$`),
      fields: { ...SECRET_ID_FIELDS, secret_id: { type: 'string' } },
      help: 'Assign a SecretID of choice against the role.',
      ops: { update: (ctx) => issueSecretId(ctx, ctx.data.get<string>('secret_id')) },
    },
    {
      pattern: new RegExp(`^${ROLE}/secret-id/lookup/?$`),
      fields: { role_name: { type: 'string' }, secret_id: { type: 'string' } },
      help: 'Read the properties of an issued secret_id',
      ops: {
        update: (ctx) => {
          const { r, sid } = bySecretId(ctx);
          const e = eng(ctx).model.secretId(r, sid);
          return e ? { data: describeSecretId(e) } : null;
        },
      },
    },
    {
      pattern: new RegExp(`^${ROLE}/secret-id/destroy/?$`),
      fields: { role_name: { type: 'string' }, secret_id: { type: 'string' } },
      help: 'Invalidate an issued secret_id',
      ops: {
        write: destroySecretId,
        delete: destroySecretId,
      },
    },
    {
      pattern: new RegExp(`^${ROLE}/secret-id-accessor/lookup/?$`),
      fields: { role_name: { type: 'string' }, secret_id_accessor: { type: 'string' } },
      help: 'Read an issued secret_id, using its accessor',
      ops: {
        update: (ctx) => {
          const { r, accessor } = byAccessor(ctx);
          const found = eng(ctx).model.byAccessor(r, accessor);
          // path_role.go: a 404 that still carries the error text.
          if (!found) throw respError(`failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`, 404);
          return { data: describeSecretId(found[1]) };
        },
      },
    },
    {
      pattern: new RegExp(`^${ROLE}/secret-id-accessor/destroy/?$`),
      fields: { role_name: { type: 'string' }, secret_id_accessor: { type: 'string' } },
      help: 'Delete an issued secret_id, using its accessor',
      ops: {
        write: destroyByAccessor,
        delete: destroyByAccessor,
      },
    },
    {
      pattern: /^login$/,
      fields: { role_id: { type: 'string' }, secret_id: { type: 'string' } },
      help: 'Issue a token based on the credentials supplied',
      ops: { update: login },
    },
  ],
};

function writeRole(ctx: Ctx, r: Role): Resp | null {
  const d = ctx.data;
  parseTokenFields(r.token, d);
  const warnings: string[] = [];
  if (d.has('local_secret_ids')) {
    if (ctx.op !== 'create') throw respError('local_secret_ids can only be modified during role creation');
    r.localSecretIds = d.get<boolean>('local_secret_ids');
  }
  if (d.has('role_id')) r.roleId = d.get<string>('role_id');
  if (r.roleId === '') throw respError('invalid role_id supplied, or failed to generate a role_id');
  if (d.has('bind_secret_id')) r.bindSecretId = d.get<boolean>('bind_secret_id');
  const cidrs = d.getFirst<string[]>('secret_id_bound_cidrs', 'bound_cidr_list');
  if (cidrs) r.secretIdBoundCidrs = cidrs;
  if (r.secretIdBoundCidrs.some((c) => !isCidr(c))) throw respError('invalid CIDR blocks');
  if (d.has('secret_id_num_uses')) r.secretIdNumUses = d.get<number>('secret_id_num_uses');
  if (r.secretIdNumUses < 0) throw respError('secret_id_num_uses cannot be negative');
  if (d.has('secret_id_ttl')) r.secretIdTtl = d.get<number>('secret_id_ttl');
  const maxTtl = ctx.state.mountTtls(ctx.mount.accessor).maxTtl;
  if (r.token.token_max_ttl > maxTtl) warnings.push("token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated");
  eng(ctx).model.save(r);
  return warnings.length ? { warnings } : null;
}

function issueSecretId(ctx: Ctx, secretId: string): Resp {
  if (secretId === '') throw respError('missing secret_id');
  // path_role.go: an unknown role is an error response beside ErrUnsupportedPath, so 404.
  const r = role(ctx, () => { throw respError(`role ${JSON.stringify(ctx.params.role_name)} does not exist`, 404); });
  const d: FieldData = ctx.data;
  const cidrList = d.get<string[]>('cidr_list');
  if (cidrList.some((c) => !isCidr(c))) throw respError('failed to validate CIDR blocks');
  const tokenBoundCidrs = d.get<string[]>('token_bound_cidrs');
  if (tokenBoundCidrs.some((c) => !isCidr(c))) throw respError('failed to validate token CIDR blocks');
  const entry = eng(ctx).model.addSecretId(r, secretId, {
    numUses: d.getOk<number>('num_uses'), ttl: d.getOk<number>('ttl'), metadata: parseMetadata(d.get<string>('metadata')), cidrList, tokenBoundCidrs,
  });
  return {
    data: { secret_id: secretId, secret_id_accessor: entry.accessor, secret_id_num_uses: entry.numUses, secret_id_ttl: entry.ttl },
    wrappedAccessor: entry.accessor,
  };
}

/** strutil.ParseArbitraryKeyValues: the metadata field is a JSON object (or base64 of one) of strings. */
function parseMetadata(raw: string): Record<string, string> {
  if (raw.trim() === '') return {};
  let text = raw;
  if (!raw.trim().startsWith('{')) text = Buffer.from(raw, 'base64').toString('utf8');
  try {
    const parsed = parseJsonWithin(text, VAULT_JSON_LIMITS);
    if (!parsed.ok) throw new Error(parsed.message);
    const v = parsed.value;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
  } catch (e) {
    throw respError(`failed to parse metadata: ${(e as Error).message}`);
  }
}

function bySecretId(ctx: Ctx): { r: Role; sid: string } {
  const sid = ctx.data.get<string>('secret_id');
  if (sid === '') throw respError('missing secret_id');
  // path_role.go: a lookup or destroy on a role that does not exist is a plain error, which Vault answers with 500.
  const r = role(ctx, () => { throw coreError(`role ${JSON.stringify(ctx.params.role_name)} does not exist`, 500); });
  return { r, sid };
}

function byAccessor(ctx: Ctx): { r: Role; accessor: string } {
  const accessor = ctx.data.get<string>('secret_id_accessor');
  if (accessor === '') throw respError('missing secret_id_accessor');
  const r = role(ctx, () => { throw coreError(`role ${JSON.stringify(ctx.params.role_name)} does not exist`, 500); });
  return { r, accessor };
}

function destroySecretId(ctx: Ctx): null {
  const { r, sid } = bySecretId(ctx);
  r.secretIds.delete(sid);
  return null;
}

function destroyByAccessor(ctx: Ctx): null {
  const { r, accessor } = byAccessor(ctx);
  const found = eng(ctx).model.byAccessor(r, accessor);
  // path_role.go pathRoleSecretIDAccessorDestroyUpdateDelete: a plain error, so 500.
  if (!found) throw coreError(`failed to find accessor entry for secret_id_accessor: ${JSON.stringify(accessor)}`, 500);
  r.secretIds.delete(found[0]);
  return null;
}

function login(ctx: Ctx): Resp {
  const { model, lockout } = eng(ctx);
  const roleId = ctx.data.get<string>('role_id');
  // vault/request_handling.go handleLoginRequest: a locked-out alias gets ErrPermissionDenied.
  if (roleId && lockout.isLocked(roleId)) throw respError('permission denied', 403);
  let verified: ReturnType<AppRole['verify']>;
  try {
    verified = model.verify(roleId, ctx.data.get<string>('secret_id'), ctx.req.remoteAddress);
  } catch (e) {
    if (e instanceof InvalidCredentials) lockout.failed(roleId.trim());
    throw e;
  }
  lockout.succeeded(roleId.trim());
  const { role: r, metadata, tokenBoundCidrs } = verified;
  const name = r.name;
  const { token, warnings } = ctx.state.loginToken(ctx.mount, {
    policies: r.token.token_policies, noDefaultPolicy: r.token.token_no_default_policy, ttl: r.token.token_ttl, maxTtl: r.token.token_max_ttl,
    period: r.token.token_period, explicitMaxTtl: r.token.token_explicit_max_ttl, numUses: r.token.token_num_uses, meta: metadata, displayName: 'approle',
    boundCidrs: tokenBoundCidrs,
    renewWith: () => {
      const current = model.role(name);
      // path_login.go pathLoginRenew.
      if (!current) throw coreError(`role ${JSON.stringify(name)} does not exist during renewal`, 500);
      return { ttl: current.token.token_ttl, maxTtl: current.token.token_max_ttl, period: current.token.token_period, explicitMaxTtl: current.token.token_explicit_max_ttl };
    },
  });
  return { auth: authBlock(token, token.creationTtl), warnings, wrappedAccessor: token.accessor };
}
