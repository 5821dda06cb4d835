/** Audit devices through sys/audit and sys/audit-hash (https://developer.hashicorp.com/vault/api-docs/system/audit). */
import { respError } from '../errors.ts';
import type { PathDef } from '../route-types.ts';
import { withTopLevel } from './mounts-routes.ts';

export const AUDIT_PATHS: PathDef[] = [
  {
    pattern: /^audit$/,
    help: 'List the currently enabled audit backends.',
    ops: {
      read: (ctx) => withTopLevel(Object.fromEntries(ctx.state.audit.list().map((d) => [d.path, { type: d.type, description: d.description, options: d.options, local: d.local, path: d.path }]))),
    },
  },
  {
    pattern: /^audit\/(?<path>.+)$/,
    fields: { path: { type: 'string' }, type: { type: 'string' }, description: { type: 'string' }, options: { type: 'kv-pairs' }, local: { type: 'bool' } },
    help: 'Enable or disable audit backends.',
    ops: {
      update: (ctx) => {
        const type = ctx.data.get<string>('type');
        // logical_system.go handleEnableAudit.
        if (type === '') throw respError('backend type must be specified as a string');
        ctx.state.audit.enable(ctx.params.path, type, ctx.data.get<string>('description'), ctx.data.get<Record<string, string>>('options'), ctx.data.get<boolean>('local'));
        return null;
      },
      delete: (ctx) => (ctx.state.audit.disable(ctx.params.path), null),
    },
  },
  {
    pattern: /^audit-hash\/(?<path>.+)$/,
    fields: { path: { type: 'string' }, input: { type: 'string' } },
    help: 'The hash of the given string via the given audit backend',
    ops: {
      update: (ctx) => {
        const d = ctx.state.audit.get(ctx.params.path);
        // vault/audit_broker.go GetHash.
        if (!d) throw respError(`unknown audit backend ${JSON.stringify(ctx.params.path.replace(/\/?$/, '/'))}`);
        return { data: { hash: ctx.state.audit.hash(d, ctx.data.get<string>('input')) } };
      },
    },
  },
];
