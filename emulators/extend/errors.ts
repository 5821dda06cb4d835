/**
 * Errors of the fake Extend API as values: a stable code (ours, for tests and the proxy), an HTTP status and a
 * message. On the wire only `{"error": message}` is sent — the shape real Extend clients read
 * (`resp.json().get("error")` in thinkst/canarytokens' Extend client); the code stays internal.
 */
import { STATUS_CODES } from 'node:http';

export const ERRORS = {
  // Undocumented: Extend's reply to a missing/unknown versioned Accept header is not published; 406 chosen.
  not_acceptable: { status: 406, message: 'Unsupported API version. Send Accept: application/vnd.paywithextend.v2021-03-12+json' },
  bad_request: { status: 400, message: 'Bad request' },
  invalid_json: { status: 400, message: 'Request body must be valid JSON' },
  // Sign-in goes through Cognito; its NotAuthorizedException text is what a wrong password reports.
  bad_credentials: { status: 401, message: 'Incorrect username or password.' },
  missing_token: { status: 401, message: 'Unauthorized' },
  token_unknown: { status: 401, message: 'Unauthorized' },
  token_expired: { status: 401, message: 'Token expired' },
  token_revoked: { status: 401, message: 'Token revoked' },
  refresh_invalid: { status: 401, message: 'Invalid refresh token' },
  card_not_found: { status: 404, message: 'Virtual card not found' },
  transaction_not_found: { status: 404, message: 'Transaction not found' },
  route_not_found: { status: 404, message: 'Not Found' },
  rate_limited: { status: 429, message: 'Too Many Requests' },
  internal: { status: 500, message: 'Internal Server Error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ExtendErrorCode = keyof typeof ERRORS;

export class ExtendError extends Error {
  readonly status: number;
  constructor(readonly code: ExtendErrorCode, message?: string) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }
}

/** The one place an Extend error body is built. */
export function errorBody(message: string): { error: string } {
  return { error: message };
}

/** Body for a status with no specific cause (injected faults): the standard reason phrase. */
export function errorBodyForStatus(status: number): { error: string } {
  return errorBody(STATUS_CODES[status] ?? 'Request failed');
}
