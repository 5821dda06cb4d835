/** Vault's response envelope and the one place errors become JSON. */
import { randomUUID } from 'node:crypto';
import { VaultError } from './errors.ts';

export interface Reply {
  status: number;
  /** Omitted for 204. */
  body?: unknown;
}

/** Envelope fields as Vault sends them (observed: request_id, lease_id, renewable, lease_duration, data, wrap_info, warnings, auth). */
export function envelope(data: unknown, extra: { lease_duration?: number; auth?: unknown; mount_type?: string } = {}): Record<string, unknown> {
  return {
    request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: extra.lease_duration ?? 0,
    data, wrap_info: null, warnings: null, auth: extra.auth ?? null, mount_type: extra.mount_type ?? '',
  };
}

export const ok = (data: unknown, extra?: Parameters<typeof envelope>[1]): Reply => ({ status: 200, body: envelope(data, extra) });
export const noContent = (): Reply => ({ status: 204 });

/** A VaultError with data is the normal envelope at that status; otherwise {"errors":[…]}. Anything else is a 500. */
export function errorReply(err: unknown): Reply {
  if (err instanceof VaultError) {
    return err.data === undefined ? { status: err.status, body: { errors: err.errors } } : { status: err.status, body: envelope(err.data, { mount_type: 'kv' }) };
  }
  // Observed shape for internal failures; the message is generic so nothing sensitive leaks.
  return { status: 500, body: { errors: ['1 error occurred:\n\t* internal error\n\n'] } };
}
