/**
 * Errors as Mailgun renders them: almost always `{"message": "..."}` with a status, except a failed Basic auth,
 * which is the bare text "Forbidden" (observed: mailgun/mailgun.js#393, gpit2286/mailgun-es6#12).
 */
export class MailgunError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'MailgunError';
  }
}

export const badRequest = (message: string) => new MailgunError(400, message);
export const notFound = (message: string) => new MailgunError(404, message);

/** Status and JSON body for a Mailgun error. */
export function renderError(err: MailgunError): { status: number; body: { message: string } } {
  return { status: err.status, body: { message: err.message } };
}
