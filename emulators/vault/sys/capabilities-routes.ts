/**
 * sys/capabilities, sys/capabilities-self and sys/capabilities-accessor: what a token may do on paths, from the
 * same ACL that guards every request (logical_system.go handleCapabilities).
 */
import { coreError, respError } from '../errors.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import type { TokenEntry } from '../tokens/store.ts';

const FIELDS = { token: { type: 'string' as const }, accessor: { type: 'string' as const }, paths: { type: 'comma-string-slice' as const }, path: { type: 'comma-string-slice' as const } };

function answer(ctx: Ctx, t: TokenEntry): Resp {
  let paths = ctx.data.get<string[]>('paths');
  if (!paths.length) paths = ctx.data.get<string[]>('path');
  if (!paths.length) throw respError('paths must be supplied');
  const acl = ctx.state.acl(t);
  const data: Record<string, unknown> = Object.fromEntries(paths.map((p) => [p, acl.capabilities(p)]));
  if (paths.length === 1) data.capabilities = data[paths[0]];
  return { data };
}

export const CAPABILITIES_PATHS: PathDef[] = [
  { pattern: /^capabilities-self$/, fields: FIELDS, help: 'Fetches the capabilities of the given token on the given path.', ops: { update: (ctx) => answer(ctx, ctx.token!) } },
  {
    pattern: /^capabilities$/,
    fields: FIELDS,
    help: 'Fetches the capabilities of the given token on the given path.',
    ops: {
      update: (ctx) => {
        const id = ctx.data.get<string>('token');
        if (id === '') throw coreError('no token found', 500);
        const t = ctx.state.tokens.lookup(id);
        if (!t) throw coreError('invalid token', 400);
        return answer(ctx, t);
      },
    },
  },
  {
    pattern: /^capabilities-accessor$/,
    fields: FIELDS,
    help: 'Fetches the capabilities of the token associated with the given token, on the given path.',
    ops: {
      update: (ctx) => {
        const accessor = ctx.data.get<string>('accessor');
        if (accessor === '') throw respError('missing accessor');
        const t = ctx.state.tokens.lookupAccessor(accessor);
        if (!t) throw coreError('invalid accessor', 400);
        return answer(ctx, t);
      },
    },
  },
];
