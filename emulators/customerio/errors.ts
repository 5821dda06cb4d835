/**
 * Errors the fake answers with. Customer.io puts one message under `meta.error` for both Track and App API
 * failures (docs.customer.io "Invalid Track API Requests"; go-customerio reads `meta.error` from App API replies).
 */
export class CioError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new CioError(400, 'invalid_request', message);
export const notFound = (message: string) => new CioError(404, 'not_found', message);

export interface CioErrorBody {
  meta: { error: string };
}

export const errorBody = (message: string): CioErrorBody => ({ meta: { error: message } });
