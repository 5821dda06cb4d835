/**
 * The logger of a service's process: each line, audit line and secret value to redact goes to the supervisor,
 * whose logger (the stack caller's, teed into the audit trail) formats, redacts and keeps it.
 */
import type { Level, Logger } from '../../proxy/core/log.ts';
import type { ParentLink } from './services.ts';

export function forwardingLogger(parent: ParentLink): Logger {
  const line = (level: Level) => (msg: string, fields?: Record<string, unknown>) => parent.emit('log', { level, msg, fields: fields && plain(fields) });
  return {
    debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error'),
    audit: (l) => parent.emit('audit', plain(l)),
    addSecretValues: (values) => parent.emit('secrets', [...values].filter(Boolean)),
  };
}

/** Errors cross the channel as their name and message (what the logger prints of them anyway). */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? { name: v.name, message: v.message } : v]));
}
