/**
 * The `token` header (seed 004: "Requests must include an HTTP header called `token`") names the user: its
 * SHA-256 is looked up in the API-token table. Missing, unknown, revoked and expired all answer 401.
 */
import { unauthorized } from '../../core/errors.ts';
import type { Middleware, RouteRequest } from '../../core/types.ts';
import { cardsOf } from './deps.ts';

const MAX_TOKEN_LENGTH = 512;

export const apiTokenAuth: Middleware = async (req, deps) => {
  const token = req.headers.token?.trim();
  if (!token) throw unauthorized('token_missing', 'send your API token in the "token" header');
  const email = token.length <= MAX_TOKEN_LENGTH ? await cardsOf(deps).tokens.emailFor(token, deps.clock.now()) : undefined;
  if (!email) throw unauthorized('token_invalid', 'the API token is unknown, revoked or expired');
  req.identity = { email };
};

/** The email `apiTokenAuth` established (it always runs first on these routes). */
export function userOf(req: RouteRequest): string {
  if (!req.identity) throw unauthorized('token_missing', 'send your API token in the "token" header');
  return req.identity.email;
}
