/**
 * The KV engines' wire layer. KV v2 paths are /:mount/{data,metadata,subkeys,delete,undelete,destroy,config}/:path
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2); KV v1 is /:mount/:path (…/kv-v1).
 */
import { badRequest, respError } from '../errors.ts';
import { goDuration } from '../duration.ts';
import type { Fields } from '../fields.ts';
import type { BackendDef, Ctx, PathDef, Resp } from '../route-types.ts';
import { KV1_LEASE_SECONDS, type KvV1 } from './kv1.ts';
import { parseCustomMetadata } from './custom-metadata.ts';
import type { KvV2, MetadataInput, SecretData } from './kv2.ts';

const v2 = (ctx: Ctx): KvV2 => ctx.mount.engine as KvV2;
const v1 = (ctx: Ctx): KvV1 => ctx.mount.engine as KvV1;
const path = (ctx: Ctx): string => ctx.params.path ?? '';
const ok = (data: unknown): Resp => ({ data });

const METADATA_FIELDS: Fields = {
  max_versions: { type: 'int' }, cas_required: { type: 'bool' }, delete_version_after: { type: 'duration' }, custom_metadata: { type: 'map' },
};

// path_config.go: a negative delete_version_after (TypeSignedDurationSecond) disables it on every key.
const CONFIG_FIELDS: Fields = { max_versions: { type: 'int' }, cas_required: { type: 'bool' }, delete_version_after: { type: 'signed-duration' } };

const KV2_PATHS: PathDef[] = [
  {
    pattern: /^config$/,
    fields: CONFIG_FIELDS,
    help: 'Configures settings for the KV store',
    ops: {
      read: (ctx) => ok({ ...v2(ctx).config, delete_version_after: goDuration(v2(ctx).config.delete_version_after) }),
      write: (ctx) => (v2(ctx).configure(metadataInput(ctx, false)), null),
    },
  },
  {
    pattern: /^data\/(?<path>.*)$/,
    fields: { data: { type: 'map' }, options: { type: 'map' }, version: { type: 'int' } },
    exists: (ctx) => v2(ctx).exists(path(ctx)),
    help: 'Write, Patch, Read, and Delete data in the Key-Value Store.',
    ops: {
      // Docs "Read secret version": ?version= picks a version, 0 or absent is the current one.
      read: (ctx) => ok(v2(ctx).read(path(ctx), ctx.data.get<number>('version'))),
      // Docs "Create/Update secret": {"data": {...}, "options": {"cas": n}} answers with the version's metadata.
      write: (ctx) => ok(v2(ctx).write(path(ctx), dataField(ctx), casOption(ctx))),
      // Docs "Patch secret": a JSON merge patch of the current version.
      patch: (ctx) => ok(v2(ctx).patch(path(ctx), dataField(ctx), casOption(ctx))),
      // Docs "Delete latest version of secret": soft delete, 204.
      delete: (ctx) => (v2(ctx).deleteLatest(path(ctx)), null),
    },
  },
  {
    pattern: /^subkeys\/(?<path>.*)$/,
    fields: { version: { type: 'int' }, depth: { type: 'int' } },
    help: 'Read the structure of a secret entry from the Key-Value store with the values removed.',
    ops: { read: (ctx) => ok(v2(ctx).subkeys(path(ctx), ctx.data.get<number>('version'), ctx.data.get<number>('depth'))) },
  },
  ...(['delete', 'undelete', 'destroy'] as const).map((verb): PathDef => ({
    pattern: new RegExp(`^${verb}/(?<path>.*)$`),
    fields: { versions: { type: 'comma-string-slice' } },
    help: `${verb[0].toUpperCase()}${verb.slice(1)}s one or more versions of the secret.`,
    ops: {
      write: (ctx) => {
        const versions = versionsField(ctx);
        const kv = v2(ctx);
        if (verb === 'delete') kv.deleteVersions(path(ctx), versions);
        else if (verb === 'undelete') kv.undelete(path(ctx), versions);
        else kv.destroy(path(ctx), versions);
        return null;
      },
    },
  })),
  {
    pattern: /^metadata(?:\/(?<path>.*))?$/,
    fields: METADATA_FIELDS,
    exists: (ctx) => v2(ctx).exists(path(ctx)),
    help: 'Configures settings for the KV store',
    ops: {
      read: (ctx) => ok(v2(ctx).readMetadata(path(ctx))),
      // Docs "List secrets": LIST /:mount/metadata/:path → {"keys": [...]}, folders end in "/".
      list: (ctx) => ok({ keys: v2(ctx).list(path(ctx)) }),
      write: (ctx) => writeMetadata(ctx, (kv, input) => kv.writeMetadata(path(ctx), input)),
      patch: (ctx) => writeMetadata(ctx, (kv, input) => kv.patchMetadata(path(ctx), input)),
      delete: (ctx) => (v2(ctx).deleteMetadata(path(ctx)), null),
    },
  },
];

export const KV2_BACKEND: BackendDef = { paths: KV2_PATHS };

export const KV1_BACKEND: BackendDef = {
  paths: [{
    pattern: /^(?<path>.*)$/,
    arbitraryInput: true,
    exists: (ctx) => v1(ctx).exists(path(ctx)),
    help: 'Pass-through secret storage to the storage backend, allowing you to read/write arbitrary data into secret storage.',
    ops: {
      // Docs (KV v1 "Read secret"): the secret's own fields as data, with an advisory lease_duration.
      read: (ctx) => ({ data: v1(ctx).read(path(ctx)), leaseDuration: KV1_LEASE_SECONDS }),
      list: (ctx) => ok({ keys: v1(ctx).list(path(ctx)) }),
      // Docs (KV v1 "Create/Update secret"): the whole body is the secret; 204.
      write: (ctx) => (v1(ctx).write(path(ctx), ctx.req.data), null),
      delete: (ctx) => (v1(ctx).delete(path(ctx)), null),
    },
  }],
};

function dataField(ctx: Ctx): SecretData {
  // Observed (kv v2 path_data.go): a write without a data object is rejected.
  const data = ctx.data.getOk<Record<string, unknown>>('data');
  if (data === undefined) throw badRequest('no data provided');
  return data;
}

function casOption(ctx: Ctx): number | undefined {
  const options = ctx.data.getOk<Record<string, unknown>>('options');
  if (!options || options.cas === undefined) return undefined;
  return intValue(options.cas, 'cas');
}

function versionsField(ctx: Ctx): number[] {
  return (ctx.data.get<string[]>('versions')).map((v) => intValue(v, 'versions'));
}

/** path_metadata.go pathMetadataWrite / pathMetadataPatch: checks and the cas_required warning around the change. */
function writeMetadata(ctx: Ctx, apply: (kv: KvV2, input: MetadataInput) => void): Resp | null {
  if (path(ctx) === '') throw respError('missing path');
  const input = metadataInput(ctx);
  apply(v2(ctx), input);
  if (input.cas_required === false && v2(ctx).config.cas_required) {
    return { warnings: ['"cas_required" set to false, but is mandated by backend config. This value will be ignored.'] };
  }
  return null;
}

/** The settings a metadata write carries; the engine's config takes the same but custom_metadata (path_config.go). */
function metadataInput(ctx: Ctx, withCustom = true): MetadataInput {
  const out: MetadataInput = {};
  const d = ctx.data;
  if (d.has('max_versions')) out.max_versions = d.get<number>('max_versions');
  if (d.has('cas_required')) out.cas_required = d.get<boolean>('cas_required');
  if (d.has('delete_version_after')) out.delete_version_after = d.get<number>('delete_version_after');
  if (withCustom && d.has('custom_metadata')) out.custom_metadata = parseCustomMetadata(d.get('custom_metadata'), ctx.op === 'patch');
  return out;
}

/** Vault decodes numbers weakly: 3 and "3" are the same version. */
function intValue(v: unknown, name: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badRequest(`${name} must be a non-negative integer`);
  return n;
}
