/**
 * The transit engine's wire layer (https://developer.hashicorp.com/vault/api-docs/secret/transit): keys CRUD,
 * config and rotate, encrypt / decrypt / rewrap (single or batch_input) and data keys. Encrypting with a key that
 * does not exist creates it, which is why the encrypt path's existence check asks for `create` then.
 */
import { randomBytes } from 'node:crypto';
import { badRequest, respError } from '../errors.ts';
import type { BackendDef, Ctx, Resp } from '../route-types.ts';
import { describeKey, Transit, type TransitKey } from './transit.ts';

const engine = (ctx: Ctx): Transit => ctx.mount.engine as Transit;
const NAME = '(?<name>\\w(?:[\\w-.]*\\w)?)';

function key(ctx: Ctx): TransitKey {
  const k = engine(ctx).get(ctx.params.name);
  // path_encrypt.go / path_decrypt.go: decrypting or rewrapping with a missing key.
  if (!k) throw respError('encryption key not found');
  return k;
}

function b64(v: unknown, what: string): Buffer {
  const s = typeof v === 'string' ? v : '';
  const buf = Buffer.from(s, 'base64');
  // path_encrypt.go: "failed to base64-decode plaintext", and the same for context.
  if (buf.toString('base64').replace(/=+$/, '') !== s.replace(/=+$/, '')) throw badRequest(`failed to base64-decode ${what}`);
  return buf;
}

const ctxOf = (v: unknown): Buffer | undefined => (v === undefined || v === '' ? undefined : b64(v, 'context'));

/** One item or batch_input: each item's result, or its error beside the others (batch items fail alone). */
function each(ctx: Ctx, one: (item: Record<string, unknown>) => Record<string, unknown>): Resp {
  const batch = ctx.data.getOk<unknown[]>('batch_input');
  if (batch === undefined) return { data: one(ctx.req.data) };
  if (batch.length === 0) throw badRequest('missing batch input to process');
  const results = batch.map((item) => {
    try {
      return one((item ?? {}) as Record<string, unknown>);
    } catch (e) {
      return { error: (e as Error).message };
    }
  });
  return { data: { batch_results: results } };
}

export const TRANSIT_BACKEND: BackendDef = {
  paths: [
    { pattern: /^keys\/?$/, help: 'Managed named encryption keys', ops: { list: (ctx) => ({ data: { keys: engine(ctx).names() } }) } },
    {
      pattern: new RegExp(`^keys/${NAME}$`),
      fields: {
        type: { type: 'string', default: 'aes256-gcm96' }, derived: { type: 'bool' }, convergent_encryption: { type: 'bool' }, exportable: { type: 'bool' },
        allow_plaintext_backup: { type: 'bool' }, auto_rotate_period: { type: 'duration' }, key_size: { type: 'int' }, context: { type: 'string' },
      },
      help: 'Managed named encryption keys',
      ops: {
        write: (ctx) => ({
          data: describeKey(engine(ctx).create(ctx.params.name, {
            type: ctx.data.get<string>('type'), derived: ctx.data.get<boolean>('derived'), convergent: ctx.data.get<boolean>('convergent_encryption'),
            exportable: ctx.data.get<boolean>('exportable'), allowPlaintextBackup: ctx.data.get<boolean>('allow_plaintext_backup'), autoRotatePeriod: ctx.data.get<number>('auto_rotate_period'),
          })),
        }),
        read: (ctx) => {
          const k = engine(ctx).get(ctx.params.name);
          return k ? { data: describeKey(k) } : null;
        },
        delete: (ctx) => (engine(ctx).delete(ctx.params.name), null),
      },
    },
    {
      pattern: new RegExp(`^keys/${NAME}/config$`),
      fields: {
        min_decryption_version: { type: 'int' }, min_encryption_version: { type: 'int' }, deletion_allowed: { type: 'bool' }, exportable: { type: 'bool' },
        allow_plaintext_backup: { type: 'bool' }, auto_rotate_period: { type: 'duration' },
      },
      help: 'Configure a named encryption key',
      ops: { write: configure },
    },
    {
      pattern: new RegExp(`^keys/${NAME}/rotate$`),
      help: 'Rotate named encryption key',
      ops: { write: (ctx) => { const k = engine(ctx).get(ctx.params.name); if (!k) throw respError('key not found'); engine(ctx).rotate(k); return { data: describeKey(k) }; } },
    },
    {
      pattern: new RegExp(`^encrypt/${NAME}$`),
      fields: { plaintext: { type: 'string' }, context: { type: 'string' }, key_version: { type: 'int' }, type: { type: 'string', default: 'aes256-gcm96' }, batch_input: { type: 'slice' }, convergent_encryption: { type: 'bool' } },
      exists: (ctx) => !!engine(ctx).get(ctx.params.name),
      help: 'Encrypt a plaintext value or a batch of plaintext blocks using a named key',
      ops: {
        write: (ctx) => {
          const t = engine(ctx);
          const k = t.get(ctx.params.name) ?? t.create(ctx.params.name, { type: ctx.data.get<string>('type'), derived: ctx.data.has('context'), convergent: ctx.data.get<boolean>('convergent_encryption'), exportable: false, allowPlaintextBackup: false, autoRotatePeriod: 0 });
          return each(ctx, (item) => {
            if (item.plaintext === undefined) throw badRequest('missing plaintext to encrypt');
            const version = Number(item.key_version ?? 0) || 0;
            return { ciphertext: t.encrypt(k, b64(item.plaintext, 'plaintext'), ctxOf(item.context), version), key_version: version || k.latestVersion };
          });
        },
      },
    },
    {
      pattern: new RegExp(`^decrypt/${NAME}$`),
      fields: { ciphertext: { type: 'string' }, context: { type: 'string' }, batch_input: { type: 'slice' } },
      help: 'Decrypt a ciphertext value using a named key',
      ops: {
        write: (ctx) => {
          const k = key(ctx);
          return each(ctx, (item) => {
            if (typeof item.ciphertext !== 'string' || item.ciphertext === '') throw badRequest('missing ciphertext to decrypt');
            return { plaintext: engine(ctx).decrypt(k, item.ciphertext, ctxOf(item.context)).toString('base64') };
          });
        },
      },
    },
    {
      pattern: new RegExp(`^rewrap/${NAME}$`),
      fields: { ciphertext: { type: 'string' }, context: { type: 'string' }, key_version: { type: 'int' }, batch_input: { type: 'slice' } },
      help: 'Rewrap ciphertext',
      ops: {
        write: (ctx) => {
          const k = key(ctx);
          return each(ctx, (item) => {
            if (typeof item.ciphertext !== 'string' || item.ciphertext === '') throw badRequest('missing ciphertext to decrypt');
            const plain = engine(ctx).decrypt(k, item.ciphertext, ctxOf(item.context));
            const version = Number(item.key_version ?? 0) || 0;
            return { ciphertext: engine(ctx).encrypt(k, plain, ctxOf(item.context), version), key_version: version || k.latestVersion };
          });
        },
      },
    },
    {
      pattern: new RegExp(`^datakey/(?<plaintext>plaintext|wrapped)/${NAME}$`),
      fields: { context: { type: 'string' }, bits: { type: 'int', default: 256 }, key_version: { type: 'int' } },
      help: 'Generate a data key',
      ops: {
        write: (ctx) => {
          const bits = ctx.data.get<number>('bits');
          // path_datakey.go: only these sizes.
          if (![128, 256, 512].includes(bits)) throw badRequest('invalid bit length');
          const k = key(ctx);
          const dataKey = randomBytes(bits / 8);
          const ciphertext = engine(ctx).encrypt(k, dataKey, ctxOf(ctx.data.getOk('context')), ctx.data.get<number>('key_version'));
          return { data: { ciphertext, key_version: k.latestVersion, ...(ctx.params.plaintext === 'plaintext' ? { plaintext: dataKey.toString('base64') } : {}) } };
        },
      },
    },
  ],
};

function configure(ctx: Ctx): Resp {
  const k = engine(ctx).get(ctx.params.name);
  // path_config.go: the key must exist.
  if (!k) throw respError('no existing key named ' + ctx.params.name + ' could be found');
  const d = ctx.data;
  if (d.has('min_decryption_version')) {
    const v = d.get<number>('min_decryption_version');
    if (v < 0) throw badRequest('min decryption version must be 0 or positive');
    if (v > k.latestVersion) throw badRequest(`cannot set min decryption version of ${v}, latest key version is ${k.latestVersion}`);
    k.minDecryptionVersion = v || 1;
  }
  if (d.has('min_encryption_version')) {
    const v = d.get<number>('min_encryption_version');
    if (v < 0 || v > k.latestVersion) throw badRequest(`cannot set min encryption version of ${v}, latest key version is ${k.latestVersion}`);
    k.minEncryptionVersion = v;
  }
  if (d.has('deletion_allowed')) k.deletionAllowed = d.get<boolean>('deletion_allowed');
  if (d.has('exportable')) {
    if (k.exportable && !d.get<boolean>('exportable')) throw badRequest('cannot disable exportability on a key that is already exportable');
    k.exportable = d.get<boolean>('exportable');
  }
  if (d.has('allow_plaintext_backup')) k.allowPlaintextBackup = d.get<boolean>('allow_plaintext_backup');
  if (d.has('auto_rotate_period')) k.autoRotatePeriod = d.get<number>('auto_rotate_period');
  return { data: describeKey(k) };
}
