/**
 * Auth methods through sys/auth (https://developer.hashicorp.com/vault/api-docs/system/auth): list, enable at any
 * path (approle, userpass; token is built in), read one, tune (TTLs, token_type, user_lockout_config…), disable
 * (which revokes every token the method issued). Enabling at a used path is 400 "path is already in use at x/".
 */
import { respError } from '../errors.ts';
import type { Fields } from '../fields.ts';
import { withSlash, type MountEntry } from '../mounts.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import type { UserLockout } from '../auth/lockout.ts';
import { applyConfig, applyLockout, mountInfo, readTune } from './mount-config.ts';
import { listing, TUNE_FIELDS } from './mounts-routes.ts';

const ENABLE_FIELDS: Fields = {
  path: { type: 'string' }, type: { type: 'string' }, description: { type: 'string' }, config: { type: 'map' }, options: { type: 'kv-pairs' },
  local: { type: 'bool' }, seal_wrap: { type: 'bool' }, external_entropy_access: { type: 'bool' }, plugin_name: { type: 'string' }, plugin_version: { type: 'string' },
};

const authMount = (ctx: Ctx): MountEntry | undefined => ctx.state.mounts.get('auth', ctx.params.path);
const lockoutOf = (m: MountEntry): UserLockout | undefined => (m.engine as { lockout?: UserLockout } | null)?.lockout;

export const AUTH_PATHS: PathDef[] = [
  { pattern: /^auth$/, help: 'List the currently enabled credential backends.', ops: { read: (ctx) => listing(ctx.state.mounts.list('auth')) } },
  {
    pattern: /^auth\/(?<path>.+?)\/tune$/,
    fields: TUNE_FIELDS,
    help: 'Tune configuration parameters for a given auth path.',
    ops: {
      read: (ctx) => readTune(authMount(ctx), `auth/${withSlash(ctx.params.path)}`),
      update: (ctx) => {
        const m = authMount(ctx);
        if (!m) throw respError(`tune of path ${JSON.stringify(`auth/${withSlash(ctx.params.path)}`)} failed: no mount entry found`);
        applyConfig(m, ctx.req.data, false);
        if (ctx.data.has('description')) m.description = ctx.data.get<string>('description');
        applyLockout(lockoutOf(m), ctx.req.data.user_lockout_config);
        return null;
      },
    },
  },
  {
    pattern: /^auth\/(?<path>.+?)\/?$/,
    fields: ENABLE_FIELDS,
    help: 'Enable a new credential backend with a name.',
    ops: {
      read: (ctx) => {
        const m = authMount(ctx);
        // logical_system.go handleReadAuth.
        if (!m) throw respError(`No auth engine at ${withSlash(ctx.params.path)}`);
        return { data: mountInfo(m) };
      },
      update: enable,
      delete: (ctx) => {
        if (withSlash(ctx.params.path) === 'token/') throw respError('token credential backend cannot be disabled');
        const m = authMount(ctx);
        if (m) ctx.state.disable(m);
        return null;
      },
    },
  },
];

function enable(ctx: Ctx): Resp | null {
  const d = ctx.data;
  let type = d.get<string>('type');
  // logical_system.go handleEnableAuth.
  if (type === '') throw respError('backend type must be specified as a string');
  if (type === 'plugin') {
    type = d.get<string>('plugin_name');
    if (type === '') throw respError('plugin_name must be provided for plugin backend');
  }
  const config = { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, token_type: 'default-service' };
  const raw = d.get<Record<string, unknown>>('config');
  applyConfig({ config, table: 'auth' }, raw, true);
  const m = ctx.state.enable('auth', ctx.params.path, type, {
    description: d.get<string>('description'), options: d.has('options') ? d.get<Record<string, string>>('options') : null, local: d.get<boolean>('local'),
    sealWrap: d.get<boolean>('seal_wrap'), externalEntropyAccess: d.get<boolean>('external_entropy_access'), config,
  });
  try {
    applyLockout(lockoutOf(m), raw.user_lockout_config);
  } catch (e) {
    ctx.state.disable(m);
    throw e;
  }
  return null;
}
