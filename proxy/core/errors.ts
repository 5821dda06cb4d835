import type { ProxyResponse } from './types.ts';

/**
 * An error that is safe to show: a stable machine-readable `code`, an HTTP status and a message that never
 * contains a secret. Anything else thrown inside a handler becomes a 500 `internal_error`.
 */
export class ProxyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new ProxyError(400, code, message, details);
export const unauthorized = (code: string, message: string) => new ProxyError(401, code, message);
export const forbidden = (code: string, message: string) => new ProxyError(403, code, message);
export const notFound = (code: string, message: string) => new ProxyError(404, code, message);

/** The one place errors become responses. */
export function renderError(err: ProxyError): ProxyResponse {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', ...(err.headers ?? {}) },
    body: { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } },
  };
}
