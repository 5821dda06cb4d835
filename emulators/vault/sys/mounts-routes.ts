/**
 * Secrets engines through sys/ (https://developer.hashicorp.com/vault/api-docs/system/mounts): list, enable at any
 * path with options (KV v1 or v2 via options.version, kv-v1 / kv-v2 aliases), read one, tune (TTLs, description,
 * options — a KV v1 mount is upgraded to v2 in place, never back), disable, and sys/remount for secrets and auth
 * mounts. Also sys/internal/ui/mounts, which the `vault kv` CLI reads to learn a mount's KV version.
 */
import { randomUUID } from 'node:crypto';
import { respError } from '../errors.ts';
import { envelope } from '../reply.ts';
import type { Fields } from '../fields.ts';
import { routePath, withSlash, type MountEntry } from '../mounts.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import { applyConfig, mountInfo, readTune } from './mount-config.ts';
import { upgradeKv } from '../engines.ts';

const ENABLE_FIELDS: Fields = {
  path: { type: 'string' }, type: { type: 'string' }, description: { type: 'string' }, config: { type: 'map' }, options: { type: 'kv-pairs' },
  local: { type: 'bool' }, seal_wrap: { type: 'bool' }, external_entropy_access: { type: 'bool' }, plugin_name: { type: 'string' }, plugin_version: { type: 'string' },
};
export const TUNE_FIELDS: Fields = {
  path: { type: 'string' }, default_lease_ttl: { type: 'string' }, max_lease_ttl: { type: 'string' }, description: { type: 'string' },
  audit_non_hmac_request_keys: { type: 'comma-string-slice' }, audit_non_hmac_response_keys: { type: 'comma-string-slice' }, listing_visibility: { type: 'string' },
  passthrough_request_headers: { type: 'comma-string-slice' }, allowed_response_headers: { type: 'comma-string-slice' }, token_type: { type: 'string' },
  options: { type: 'kv-pairs' }, plugin_version: { type: 'string' }, user_lockout_config: { type: 'map' },
};

/** The table's entries keyed "path/", in data and (for older clients) at the top level too. */
export function listing(mounts: MountEntry[]): Resp {
  const data = Object.fromEntries(mounts.map((m) => [m.path, mountInfo(m)]));
  return withTopLevel(data);
}

/** Vault's older sys/ read endpoints repeat `data` at the top level of the body (sys/mounts, sys/auth, sys/policy…). */
export function withTopLevel(data: Record<string, unknown>): Resp {
  return { raw: { status: 200, body: { ...data, ...envelope({ data }, 'system') } } };
}

const secretMount = (ctx: Ctx): MountEntry | undefined => ctx.state.mounts.get('secret', ctx.params.path);

export const MOUNT_PATHS: PathDef[] = [
  { pattern: /^mounts$/, help: 'List the currently mounted backends.', ops: { read: (ctx) => listing(ctx.state.mounts.list('secret')) } },
  {
    pattern: /^mounts\/(?<path>.+?)\/tune$/,
    fields: TUNE_FIELDS,
    help: 'Tune backend configuration parameters for this mount.',
    ops: {
      read: (ctx) => readTune(secretMount(ctx), withSlash(ctx.params.path)),
      update: (ctx) => tune(ctx, secretMount(ctx)),
    },
  },
  {
    pattern: /^mounts\/(?<path>.+?)\/?$/,
    fields: ENABLE_FIELDS,
    help: 'Mount a new backend at a new path.',
    ops: {
      read: (ctx) => {
        const m = ctx.state.mounts.find(withSlash(ctx.params.path));
        // logical_system.go handleReadMount: the matching mount (or the one the path is under), else 400.
        if (!m || m.mount.table !== 'secret') throw respError(`No secret engine mount at ${withSlash(ctx.params.path)}`);
        return { data: mountInfo(m.mount) };
      },
      update: (ctx) => {
        const d = ctx.data;
        let type = d.get<string>('type');
        if (type === '') throw respError('backend type must be specified as a string');
        if (type === 'plugin') {
          type = d.get<string>('plugin_name');
          if (type === '') throw respError('plugin_name must be provided for plugin backend');
        }
        let options: Record<string, string> | null = d.has('options') ? d.get<Record<string, string>>('options') : null;
        if (type === 'kv-v1' || type === 'kv-v2') {
          options = { ...(options ?? {}), version: type === 'kv-v1' ? '1' : '2' };
          type = 'kv';
        } else if (type !== 'kv' && options?.version) {
          throw respError(`secrets engine ${JSON.stringify(type)} does not allow setting a version`);
        }
        const config = { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false };
        applyConfig({ config, table: 'secret' }, d.get<Record<string, unknown>>('config'), true);
        ctx.state.enable('secret', ctx.params.path, type, {
          description: d.get<string>('description'), options, local: d.get<boolean>('local'), sealWrap: d.get<boolean>('seal_wrap'),
          externalEntropyAccess: d.get<boolean>('external_entropy_access'), config,
        });
        return null;
      },
      // handleUnmount: success whether or not the mount existed, so nothing is revealed.
      delete: (ctx) => {
        const m = secretMount(ctx);
        if (m && !['system', 'cubbyhole', 'identity'].includes(m.type)) ctx.state.disable(m);
        return null;
      },
    },
  },
  {
    pattern: /^remount$/,
    fields: { from: { type: 'string' }, to: { type: 'string' } },
    help: 'Move the mount point of an already-mounted backend, within or across namespaces',
    ops: { update: remount },
  },
  {
    pattern: /^remount\/status\/(?<migration_id>.+?)$/,
    help: 'Check the status of a mount move operation',
    ops: {
      read: (ctx) => {
        const m = ctx.state.migrations.get(ctx.params.migration_id);
        return m ? { data: { migration_id: ctx.params.migration_id, migration_info: { source_mount: m.source, target_mount: m.target, status: m.status } } } : null;
      },
    },
  },
  {
    pattern: /^internal\/ui\/mounts$/,
    help: 'Information about mounts returned according to their tuned visibility. Internal API; its location, inputs, and outputs may change.',
    ops: {
      read: (ctx) => {
        const visible = (m: MountEntry) => m.config.listing_visibility === 'unauth' || (ctx.token && ctx.state.acl(ctx.token).grantsUnder(routePath(m)));
        const info = (ms: MountEntry[]) => Object.fromEntries(ms.filter(visible).map((m) => [m.path, mountInfo(m)]));
        return { data: { secret: info(ctx.state.mounts.list('secret')), auth: info(ctx.state.mounts.list('auth')) } };
      },
    },
  },
  {
    pattern: /^internal\/ui\/mounts\/(?<path>.+)$/,
    help: 'Return information about the given mount.',
    ops: {
      read: (ctx) => {
        const found = ctx.state.mounts.find(withSlash(ctx.params.path));
        const mountPath = found ? routePath(found.mount) : withSlash(ctx.params.path);
        // logical_system.go pathInternalUIMountRead: no mount, or no access under it, is the same 403.
        const denied = () => respError(`preflight capability check returned 403, please ensure client's policies grant access to path ${JSON.stringify(mountPath)}`, 403);
        if (!found || !ctx.token || !ctx.state.acl(ctx.token).grantsUnder(mountPath)) throw denied();
        return { data: { ...mountInfo(found.mount), path: mountPath } };
      },
    },
  },
];

/** handleTuneWriteCommon for a secrets mount. */
function tune(ctx: Ctx, m: MountEntry | undefined): Resp | null {
  if (!m) throw respError(`tune of path ${JSON.stringify(withSlash(ctx.params.path))} failed: no mount entry found`);
  const d = ctx.data;
  const warnings: string[] = [];
  applyConfig(m, ctx.req.data, false);
  if (d.has('description')) m.description = d.get<string>('description');
  if (d.has('options')) {
    const opts = d.get<Record<string, string>>('options');
    if (opts.version !== undefined && m.type === 'kv') {
      const from = Number(m.options?.version ?? '1');
      const to = Number(opts.version);
      if (from > to) throw respError(`cannot downgrade mount from version ${from}`);
      if (from < to) {
        warnings.push(`Upgrading mount from version ${from} to version ${to}. This mount will be unavailable for a brief period and will resume service shortly.`);
        upgradeKv(m, ctx.state);
      }
    }
    m.options = { ...(m.options ?? {}), ...opts };
  }
  return warnings.length ? { warnings } : null;
}

/** handleRemount: validated, then done at once; the migration is reported as a success. */
function remount(ctx: Ctx): Resp {
  const from = ctx.data.get<string>('from');
  const to = ctx.data.get<string>('to');
  if (from === '' || to === '') throw respError("both 'from' and 'to' path must be specified as a string");
  if (from.includes(' ')) throw respError("'from' path cannot contain whitespace");
  if (to.includes(' ')) throw respError("'to' path cannot contain whitespace");
  const auth = from.startsWith('auth/');
  if (auth && !to.startsWith('auth/')) throw respError(`cannot remount auth mount to non-auth mount ${JSON.stringify(withSlash(to))}`);
  const table = auth ? 'auth' : 'secret';
  const strip = (p: string) => withSlash(auth ? p.slice('auth/'.length) : p);
  const protectedPaths = auth ? ['token/'] : ['audit/', 'auth/', 'sys/', 'cubbyhole/', 'identity/'];
  if (protectedPaths.some((p) => strip(from).startsWith(p))) throw respError(`cannot remount ${JSON.stringify(withSlash(from))}`);
  if (protectedPaths.some((p) => strip(to).startsWith(p))) throw respError(`cannot remount to destination ${JSON.stringify(withSlash(to))}`);
  const source = ctx.state.mounts.get(table, strip(from));
  if (!source) throw respError(`no matching mount at ${JSON.stringify(withSlash(from))}`);
  const clash = ctx.state.mounts.list(table).find((m) => m.path.startsWith(strip(to)) || strip(to).startsWith(m.path));
  if (clash) throw respError(`path already in use at ${JSON.stringify(routePath(clash))}`);
  ctx.state.disable(source);
  ctx.state.mounts.add({ ...source, path: strip(to) });
  const id = randomUUID();
  ctx.state.migrations.set(id, { source: withSlash(from), target: withSlash(to), status: 'success' });
  return { data: { migration_id: id }, warnings: ["Mount move has been queued. Progress will be reported in Vault's server log, tagged with the returned migration_id"] };
}

