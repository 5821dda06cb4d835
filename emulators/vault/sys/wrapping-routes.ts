/**
 * sys/wrapping/* (https://developer.hashicorp.com/vault/api-docs/system/wrapping-*): wrap any data, look a
 * wrapping token up, unwrap it once (as the wrapping token itself or on someone else's behalf), rewrap it.
 */
import { respError } from '../errors.ts';
import type { Ctx, PathDef, Resp } from '../route-types.ts';
import { envelope } from '../reply.ts';
import { unwrap, wrap, wrapped, wrappingToken } from '../wrapping.ts';

/** The wrapping token: `token` in the body, or the caller's own. */
const target = (ctx: Ctx) => wrappingToken(ctx.state, ctx.data.get<string>('token') || ctx.req.tokenId);

export const WRAPPING_PATHS: PathDef[] = [
  {
    pattern: /^wrapping\/wrap$/,
    arbitraryInput: true,
    help: 'Response-wraps an arbitrary JSON object.',
    ops: {
      update: (ctx) => {
        // logical_system.go handleWrappingWrap.
        if (!ctx.req.wrapTtl) throw respError('endpoint requires response wrapping to be used');
        return { data: ctx.req.data };
      },
    },
  },
  {
    pattern: /^wrapping\/unwrap$/,
    fields: { token: { type: 'string' } },
    help: 'Unwraps a response-wrapped token.',
    ops: { update: (ctx): Resp => ({ raw: { status: 200, body: unwrap(ctx.state, target(ctx)) } }) },
  },
  {
    pattern: /^wrapping\/lookup$/,
    fields: { token: { type: 'string' } },
    help: 'Looks up the properties of a response-wrapped token.',
    ops: {
      update: (ctx) => {
        const t = target(ctx);
        return { data: { creation_path: wrapped(ctx.state, t).creationPath, creation_time: t.issueTime.toISOString(), creation_ttl: t.creationTtl } };
      },
    },
  },
  {
    pattern: /^wrapping\/rewrap$/,
    fields: { token: { type: 'string' } },
    help: 'Rotates a response-wrapped token.',
    ops: {
      update: (ctx) => {
        const t = target(ctx);
        const { creationPath, wrappedAccessor } = wrapped(ctx.state, t);
        const body = unwrap(ctx.state, t);
        const info = wrap(ctx.state, body, t.creationTtl, creationPath, wrappedAccessor);
        return { raw: { status: 200, body: envelope({}, '', info) } };
      },
    },
  },
];
