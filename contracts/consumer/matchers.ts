/**
 * Matchers the pacts share: credentials are matched by shape (never a real value), ids by format, errors by
 * their stable code. Example values are obviously fake.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';

export const ULID = '^[0-9A-HJKMNP-TV-Z]{26}$';

/** A compact JWS; the example is a fake token whose signature is the word "signature". */
export const FAKE_JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJlbWFpbCI6ImFkYUBleGFtcGxlLmNvbSJ9.c2lnbmF0dXJl';
export const bearerJwt = () => M.regex('^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', `Bearer ${FAKE_JWT}`);

/** Cards API tokens (`token` header): the example is fake; provider states mint real ones. */
export const FAKE_API_TOKEN = 'gh_fake_api_token_for_contracts_0000000000';
export const apiToken = () => M.regex('^\\S{16,512}$', FAKE_API_TOKEN);

/** The CRM's API Gateway key (`x-api-key`): the example is fake; provider states hand over a real one. */
export const FAKE_API_KEY = 'fake-crm-api-key-for-contracts-0000000000';
export const crmApiKey = () => M.regex('^[A-Za-z0-9_-]{20,128}$', FAKE_API_KEY);

/** Gatehouse's error envelope with the code the app branches on, the rest by type. */
export const gatehouseError = (code: string, message: string, details?: unknown) => ({
  error: { code, message: M.like(message), ...(details === undefined ? {} : { details }) },
});

/** `validation_failed` names each bad field. */
export const validationFailed = (field: string, problem: string) =>
  gatehouseError('validation_failed', `request body is invalid: ${field} ${problem}`, { problems: M.eachLike({ field: M.like(field), problem: M.like(problem) }) });

/** API Gateway's own 401 for a token it cannot verify. */
export const gatewayUnauthorized = () => ({ message: M.like('Unauthorized') });
