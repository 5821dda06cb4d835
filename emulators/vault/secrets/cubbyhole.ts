/**
 * The cubbyhole engine (builtin/logical/cubbyhole): private storage for each token, gone when the token is
 * revoked. Same operations as KV v1, but the storage is the caller's own (state.cubbyholes, keyed by token id).
 */
import { badRequest } from '../errors.ts';
import type { BackendDef, Ctx } from '../route-types.ts';
import { listKeys, normalizePath } from './paths.ts';

function box(ctx: Ctx): Map<string, Record<string, unknown>> {
  const id = ctx.token!.id;
  let m = ctx.state.cubbyholes.get(id);
  if (!m) ctx.state.cubbyholes.set(id, (m = new Map()));
  return m;
}

export const CUBBYHOLE_BACKEND: BackendDef = {
  paths: [{
    pattern: /^(?<path>.*)$/,
    arbitraryInput: true,
    exists: (ctx) => box(ctx).has(normalizePath(ctx.params.path)),
    help: 'Pass-through secret storage to a token-specific cubbyhole in the storage backend, allowing you to read/write arbitrary data into secret storage.',
    ops: {
      read: (ctx) => {
        const data = box(ctx).get(normalizePath(ctx.params.path));
        return data ? { data: structuredClone(data) } : null;
      },
      list: (ctx) => ({ data: { keys: listKeys(box(ctx).keys(), ctx.params.path) } }),
      write: (ctx) => {
        // builtin/logical/cubbyhole: "missing data fields" for an empty body.
        if (Object.keys(ctx.req.data).length === 0) throw badRequest('missing data fields');
        box(ctx).set(normalizePath(ctx.params.path), structuredClone(ctx.req.data));
        return null;
      },
      delete: (ctx) => (box(ctx).delete(normalizePath(ctx.params.path)), null),
    },
  }],
};
