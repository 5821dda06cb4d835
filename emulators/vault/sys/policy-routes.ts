/**
 * ACL policies through sys/policies/acl/:name and the older sys/policy/:name
 * (https://developer.hashicorp.com/vault/api-docs/system/policies): write (HCL or JSON, plain or base64, parsed and
 * refused with Vault's text when invalid), read, list (with the implicit `root`), delete. Names are lower-cased.
 */
import { respError } from '../errors.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import { PolicyError } from '../policy/store.ts';
import { PolicyParseError } from '../policy/parse.ts';
import { withTopLevel } from './mounts-routes.ts';

const NAME = '(?<name>.+)';

/** logical_system.go handlePoliciesSet. */
function setPolicy(ctx: Ctx, legacy: boolean): Resp | null {
  const warnings: string[] = [];
  let raw = ctx.data.get<string>('policy');
  if (raw === '' && legacy) {
    raw = ctx.data.get<string>('rules');
    if (raw !== '') warnings.push("'rules' is deprecated, please use 'policy' instead");
  }
  if (raw === '') throw respError("'policy' parameter not supplied or empty");
  // A body that decodes as standard base64 is taken decoded, as Vault does.
  if (/^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(raw)) raw = Buffer.from(raw, 'base64').toString('utf8');
  try {
    ctx.state.policies.set(ctx.params.name, raw);
  } catch (e) {
    if (e instanceof PolicyParseError || e instanceof PolicyError) throw respError(e.message);
    throw e;
  }
  return warnings.length ? { warnings } : null;
}

function deletePolicy(ctx: Ctx): null {
  try {
    ctx.state.policies.delete(ctx.params.name);
  } catch (e) {
    if (e instanceof PolicyError) throw respError(e.message);
    throw e;
  }
  return null;
}

const listed = (ctx: Ctx): string[] => [...ctx.state.policies.list(), 'root'];

export const POLICY_PATHS: PathDef[] = [
  {
    pattern: /^policy\/?$/,
    help: 'List the configured access control policies.',
    ops: { read: (ctx) => withTopLevel({ keys: listed(ctx), policies: listed(ctx) }), list: (ctx) => ({ data: { keys: listed(ctx), policies: listed(ctx) } }) },
  },
  {
    pattern: new RegExp(`^policy/${NAME}$`),
    fields: { name: { type: 'string' }, rules: { type: 'string' }, policy: { type: 'string' } },
    help: 'Read, Modify, or Delete an access control policy.',
    ops: {
      read: (ctx) => {
        const p = ctx.state.policies.get(ctx.params.name);
        return p ? withTopLevel({ name: p.name, rules: p.raw }) : null;
      },
      update: (ctx) => setPolicy(ctx, true),
      delete: deletePolicy,
    },
  },
  {
    pattern: /^policies\/acl\/?$/,
    help: 'List the configured access control policies.',
    ops: { list: (ctx) => ({ data: { keys: listed(ctx) } }) },
  },
  {
    pattern: new RegExp(`^policies/acl/${NAME}$`),
    fields: { name: { type: 'string' }, policy: { type: 'string' }, cas: { type: 'int' } },
    help: 'Read, Modify, or Delete an access control policy.',
    ops: {
      read: (ctx) => {
        const p = ctx.state.policies.get(ctx.params.name);
        return p ? { data: { name: p.name, policy: p.raw } } : null;
      },
      update: (ctx) => setPolicy(ctx, false),
      delete: deletePolicy,
    },
  },
];

