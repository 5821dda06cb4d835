/**
 * Vault's errors are values: an HTTP status, the text(s) Vault sends in `{"errors":[…]}`, and how Vault renders
 * them. Two kinds exist in Vault (sdk/logical/response_util.go RespondErrorCommon, vault/request_handling.go):
 *  - a backend's *error response* (logical.ErrorResponse): its text goes out as-is, status 400 unless the error
 *    beside it says otherwise (ErrPermissionDenied → 403, ErrUnsupportedPath → 404);
 *  - a plain *error* from the core or a backend: on an authenticated request Vault collects it in a multierror, so
 *    the text reads "1 error occurred:\n\t* …\n\n"; on a login request it goes out bare.
 * One renderer in reply.ts turns them into JSON.
 */
export type ErrorKind = 'response' | 'error';

export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    /** When set, the reply is the normal envelope carrying this data at `status` (no `errors`). */
    readonly data?: unknown,
    readonly kind: ErrorKind = 'response',
  ) {
    super(errors[0] ?? `HTTP ${status}`);
    this.name = 'VaultError';
  }
}

/** go-multierror's rendering of one or more errors. */
export function multiError(messages: string[]): string {
  const head = messages.length === 1 ? '1 error occurred:' : `${messages.length} errors occurred:`;
  return `${head}\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}

/** A backend's logical.ErrorResponse: the text as-is, 400 by default. */
export const respError = (message: string, status = 400): VaultError => new VaultError(status, [message]);
/** A plain error (wrapped as a multierror on authenticated requests when rendered). */
export const coreError = (message: string, status: number): VaultError => new VaultError(status, [message], undefined, 'error');
export const badRequest = (message: string): VaultError => respError(message, 400);

// vault/request_handling.go fetchACLTokenEntryAndEntity: an empty X-Vault-Token is logical.ErrPermissionDenied alone.
export const missingToken = (): VaultError => new VaultError(403, ['permission denied']);
// Same function, unknown/expired/used-up token: ErrPermissionDenied + ErrInvalidToken (observed: "2 errors occurred").
export const invalidToken = (): VaultError => new VaultError(403, [multiError(['permission denied', 'invalid token'])]);
// vault/request_handling.go CheckToken: an ACL refusal is appended to a multierror (observed "1 error occurred").
export const permissionDenied = (): VaultError => new VaultError(403, [multiError(['permission denied'])]);
// sdk/logical/response_util.go: a read of a path with nothing stored answers 404 {"errors":[]}.
export const notFound = (): VaultError => new VaultError(404, []);
// sdk/framework/backend.go: no path pattern of the backend matches (logical.ErrUnsupportedPath → 404).
export const unsupportedPath = (): VaultError => coreError('unsupported path', 404);
// sdk/framework/backend.go: the path has no callback for the operation (logical.ErrUnsupportedOperation → 405).
export const unsupportedOperation = (): VaultError => coreError('unsupported operation', 405);
// vault/router.go: no mount serves the path (observed wording).
export const noHandler = (path: string): VaultError => new VaultError(404, [`no handler for route "${path}". route entry not found.`]);
// sdk/helper/consts ErrSealed: every request to a sealed Vault except the few the HTTP layer serves itself.
export const sealed = (): VaultError => new VaultError(503, ['Vault is sealed']);
