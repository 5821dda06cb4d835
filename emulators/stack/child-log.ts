/**
 * The logger of a service's process: each line, audit line and secret value to redact goes to the supervisor,
 * whose logger (the stack caller's, teed into the audit trail) formats, redacts and keeps it.
 */
import { requestFields, type Level, type Logger } from '../../proxy/core/log.ts';
import type { ParentLink } from './services.ts';

export function forwardingLogger(parent: ParentLink): Logger {
  // The trace id is read here, in the process handling the request: the supervisor's logger has no request context.
  const line = (level: Level) => (msg: string, fields?: Record<string, unknown>) => parent.emit('log', { level, msg, fields: withRequest(fields) });
  return {
    debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'),
    audit: (l) => {
      const { traceId } = requestFields();
      parent.emit('audit', plain(traceId ? { ...l, traceId } : l));
    },
    addSecretValues: (values) => parent.emit('secrets', [...values].filter(Boolean)),
  };
}

function withRequest(fields: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const ids = requestFields();
  if (!ids.traceId) return fields && plain(fields);
  return { ...ids, ...(fields && plain(fields)) };
}

/** Errors cross the channel as their name and message (what the logger prints of them anyway). */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? { name: v.name, message: v.message } : v]));
}
