/**
 * Vault's errors are values: an HTTP status, the `errors` array Vault sends, and sometimes a `data` body (a read
 * of a soft-deleted KV v2 version answers 404 *with* its metadata). One renderer in routes.ts turns them into JSON.
 */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
    /** When set, the reply is the normal envelope carrying this data, with `status` (no `errors`). */
    readonly data?: unknown,
  ) {
    super(errors[0] ?? `HTTP ${status}`);
    this.name = 'VaultError';
  }
}

// Observed: a missing or unknown token answers 403 {"errors":["permission denied"]}.
export const permissionDenied = (): VaultError => new VaultError(403, ['permission denied']);
// Observed: a read of a path with nothing stored answers 404 {"errors":[]}.
export const notFound = (): VaultError => new VaultError(404, []);
export const badRequest = (message: string): VaultError => new VaultError(400, [message]);
// Observed (vault/logical/framework): an operation a path does not implement.
export const unsupportedOperation = (): VaultError => new VaultError(405, ['1 error occurred:\n\t* unsupported operation\n\n']);
// Observed (vault/http/handler.go): any path no mount or built-in backend serves.
export const noHandler = (path: string): VaultError => new VaultError(404, [`no handler for route "${path}". route entry not found.`]);
// Observed (vault/http): every request to a sealed Vault except health and seal-status.
export const sealed = (): VaultError => new VaultError(503, ['Vault is sealed']);
