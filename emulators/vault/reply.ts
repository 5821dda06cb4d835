/** Vault's response envelope, and the one place handler answers and errors become an HTTP status and JSON. */
import { randomUUID } from 'node:crypto';
import { VaultError, multiError } from './errors.ts';
import type { LogicalOp, Resp } from './route-types.ts';

export interface Reply {
  status: number;
  /** Omitted for 204. */
  body?: unknown;
}

export interface WrapInfo {
  token: string;
  accessor: string;
  ttl: number;
  creation_time: string;
  creation_path: string;
  wrapped_accessor: string;
}

/** Envelope fields as Vault sends them (observed: request_id, lease_id, renewable, lease_duration, data, wrap_info, warnings, auth, mount_type). */
export function envelope(r: Resp, mountType: string, wrapInfo: WrapInfo | null = null): Record<string, unknown> {
  return {
    request_id: randomUUID(), lease_id: r.leaseId ?? '', renewable: r.renewable ?? false, lease_duration: r.leaseDuration ?? 0,
    data: wrapInfo ? null : r.data ?? null, wrap_info: wrapInfo, warnings: r.warnings?.length ? r.warnings : null,
    auth: wrapInfo ? null : r.auth ?? null, mount_type: mountType,
  };
}

/**
 * A handler's answer as HTTP (http/logical.go respondLogical + sdk/logical RespondErrorCommon): nothing is 404 on
 * a read or list and 204 otherwise; a list with no keys is 404; an answer with no data, auth or warnings is 204.
 */
export function render(r: Resp | null, op: LogicalOp, mountType: string): Reply {
  if (r === null) return op === 'read' || op === 'list' ? { status: 404, body: { errors: [] } } : { status: 204 };
  if (r.raw) return r.raw;
  if (op === 'list') {
    const keys = (r.data as { keys?: unknown[] } | undefined)?.keys;
    if ((!keys || keys.length === 0) && !r.warnings?.length) return { status: 404, body: { errors: [] } };
  }
  if (r.data === undefined && r.auth === undefined && !r.warnings?.length && op !== 'read') return { status: 204 };
  return { status: r.status ?? 200, body: envelope(r, mountType) };
}

/**
 * A VaultError as Vault renders it; a plain error on an authenticated request becomes a multierror. Anything else
 * is a bug in the fake: a generic 500 in Vault's shape, nothing sensitive in it.
 */
export function errorReply(err: unknown, authenticated: boolean): Reply {
  if (err instanceof VaultError) {
    if (err.data !== undefined) return { status: err.status, body: envelope({ data: err.data }, 'kv') };
    const errors = err.kind === 'error' && authenticated ? [multiError(err.errors)] : err.errors;
    return { status: err.status, body: { errors } };
  }
  // vault/core.go ErrInternalError, as a request handler reports it.
  return { status: 500, body: { errors: [multiError(['internal error'])] } };
}
