/**
 * The KV engines' wire layer. KV v2 paths are /:mount/{data,metadata,delete,undelete,destroy,config}/:path
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2); KV v1 is /:mount/:path (…/kv-v1).
 */
import { badRequest } from './errors.ts';
import { KV1_LEASE_SECONDS, type KvV1 } from './kv1.ts';
import type { KvV2, MetadataInput, SecretData } from './kv2.ts';
import { noContent, ok } from './reply.ts';
import type { RouteContext, RouteDef } from './route-types.ts';

const v2 = (ctx: RouteContext): KvV2 => ctx.mount!.engine as KvV2;
const v1 = (ctx: RouteContext): KvV1 => ctx.mount!.engine as KvV1;
const kv = { mount_type: 'kv' };

const KV2_ROUTES: Record<string, RouteDef> = {
  data: {
    exists: (ctx) => v2(ctx).exists(ctx.rest),
    ops: {
      // Docs "Read secret version": ?version= picks a version, 0 or absent is the current one.
      read: (ctx) => ok(v2(ctx).read(ctx.rest, intParam(ctx.req.query.get('version'), 'version')), kv),
      // Docs "Create/Update secret": {"data": {...}, "options": {"cas": n}} answers with the version's metadata.
      write: (ctx) => ok(v2(ctx).write(ctx.rest, dataField(ctx.req.body), casOption(ctx.req.body)), kv),
      // Docs "Patch secret": a JSON merge patch of the current version.
      patch: (ctx) => ok(v2(ctx).patch(ctx.rest, dataField(ctx.req.body), casOption(ctx.req.body)), kv),
      // Docs "Delete latest version of secret": soft delete, 204.
      delete: (ctx) => (v2(ctx).deleteLatest(ctx.rest), noContent()),
    },
  },
  delete: { ops: { write: (ctx) => (v2(ctx).deleteVersions(ctx.rest, versionsField(ctx.req.body)), noContent()) } },
  undelete: { ops: { write: (ctx) => (v2(ctx).undelete(ctx.rest, versionsField(ctx.req.body)), noContent()) } },
  destroy: { ops: { write: (ctx) => (v2(ctx).destroy(ctx.rest, versionsField(ctx.req.body)), noContent()) } },
  metadata: {
    exists: (ctx) => v2(ctx).exists(ctx.rest),
    ops: {
      read: (ctx) => ok(v2(ctx).readMetadata(ctx.rest), kv),
      // Docs "List secrets": LIST /:mount/metadata/:path → {"keys": [...]}, folders end in "/".
      list: (ctx) => ok({ keys: v2(ctx).list(ctx.rest) }, kv),
      write: (ctx) => (v2(ctx).writeMetadata(ctx.rest, metadataInput(ctx.req.body)), noContent()),
      delete: (ctx) => (v2(ctx).deleteMetadata(ctx.rest), noContent()),
    },
  },
  config: {
    ops: {
      read: (ctx) => ok({ ...v2(ctx).config, delete_version_after: '0s' }, kv),
      write: (ctx) => {
        const input = metadataInput(ctx.req.body);
        Object.assign(v2(ctx).config, { max_versions: input.max_versions ?? v2(ctx).config.max_versions, cas_required: input.cas_required ?? v2(ctx).config.cas_required });
        return noContent();
      },
    },
  },
};

/** The KV v2 route for a path inside the mount, and the secret path it addresses. */
export function kv2Route(inMount: string): { def: RouteDef; rest: string } | undefined {
  const slash = inMount.indexOf('/');
  const head = slash < 0 ? inMount : inMount.slice(0, slash);
  const def = KV2_ROUTES[head];
  return def && { def, rest: slash < 0 ? '' : inMount.slice(slash + 1) };
}

export const KV1_ROUTE: RouteDef = {
  exists: (ctx) => v1(ctx).exists(ctx.rest),
  ops: {
    read: (ctx) => ok(v1(ctx).read(ctx.rest), { lease_duration: KV1_LEASE_SECONDS, mount_type: 'kv' }),
    list: (ctx) => ok({ keys: v1(ctx).list(ctx.rest) }, kv),
    // Docs (KV v1 "Create/Update secret"): the whole body is the secret; 204.
    write: (ctx) => (v1(ctx).write(ctx.rest, ctx.req.body), noContent()),
    delete: (ctx) => (v1(ctx).delete(ctx.rest), noContent()),
  },
};

function dataField(body: Record<string, unknown>): SecretData {
  const data = body.data;
  // Observed (kv v2 path_data.go): a write without a data object is rejected.
  if (data === undefined || data === null) throw badRequest('no data provided');
  if (typeof data !== 'object' || Array.isArray(data)) throw badRequest('data must be a JSON object');
  return data as SecretData;
}

function casOption(body: Record<string, unknown>): number | undefined {
  const options = body.options;
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object') throw badRequest('options must be a JSON object');
  const cas = (options as Record<string, unknown>).cas;
  if (cas === undefined) return undefined;
  return intValue(cas, 'cas');
}

function versionsField(body: Record<string, unknown>): number[] {
  const versions = body.versions;
  if (versions === undefined) return [];
  if (!Array.isArray(versions)) throw badRequest('versions must be a list of version numbers');
  return versions.map((v) => intValue(v, 'versions'));
}

function metadataInput(body: Record<string, unknown>): MetadataInput {
  const out: MetadataInput = {};
  if (body.max_versions !== undefined) out.max_versions = intValue(body.max_versions, 'max_versions');
  if (body.cas_required !== undefined) {
    if (typeof body.cas_required !== 'boolean') throw badRequest('cas_required must be a boolean');
    out.cas_required = body.cas_required;
  }
  if (body.delete_version_after !== undefined) out.delete_version_after = String(body.delete_version_after);
  if (body.custom_metadata !== undefined) {
    const cm = body.custom_metadata;
    if (cm === null || typeof cm !== 'object' || Array.isArray(cm) || Object.values(cm).some((v) => typeof v !== 'string')) {
      throw badRequest('custom_metadata must be an object of strings');
    }
    out.custom_metadata = cm as Record<string, string>;
  }
  return out;
}

/** Vault decodes numbers weakly: 3 and "3" are the same version. */
function intValue(v: unknown, name: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer`);
  return n;
}

function intParam(v: string | null, name: string): number {
  return v === null || v === '' ? 0 : intValue(v, name);
}
