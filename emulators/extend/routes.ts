/**
 * The fake Extend's wire protocol (API version 2021-03-12): check the versioned Accept header, authenticate the
 * bearer token, parse, call the state, render. Paths and envelopes from real clients of api.paywithextend.com:
 * POST /signin {email,password}, POST /renewauth {refreshToken}, GET /virtualcards → {virtualCards,pagination},
 * GET /virtualcards/{id} → {virtualCard}, GET …/transactions and GET /transactions → {transactions,pagination}.
 */
import type { Express, Request, Response } from 'express';
import { ExtendError, errorBody } from './errors.ts';
import { notRouted } from '../shared/emulator.ts';
import { FAKE_JSON_LIMITS } from '../shared/json-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';
import { parseCardQuery, parseTransactionQuery } from './query.ts';
import type { ExtendState, Session } from './state.ts';
import type { UserRecord, VirtualCardRecord } from './types.ts';

// Every client of the v2021-03-12 API sends this media type (extend-python client.py, thinkst canarytokens, Go/C# clients).
export const API_VERSION_MEDIA_TYPE = 'application/vnd.paywithextend.v2021-03-12+json';

interface Reply {
  status?: number;
  body: unknown;
}

interface PublicCtx {
  state: ExtendState;
  req: Request;
}

interface Ctx extends PublicCtx {
  /** The user the bearer token belongs to. */
  user: UserRecord;
}

/** A route either needs a signed-in user or is `public` (sign-in and renewal). */
type Route = { method: 'get' | 'post'; path: string } & ({ public: true; handle(ctx: PublicCtx): Reply } | { public?: false; handle(ctx: Ctx): Reply });

const ROUTES: Route[] = [
  { method: 'post', path: '/signin', public: true, handle: signIn },
  { method: 'post', path: '/renewauth', public: true, handle: renewAuth },
  { method: 'get', path: '/virtualcards', handle: listCards },
  { method: 'get', path: '/virtualcards/:id', handle: ({ state, req, user }) => ({ body: { virtualCard: state.getCard(user, param(req, 'id')) } }) },
  { method: 'get', path: '/virtualcards/:id/transactions', handle: listCardTransactions },
  { method: 'get', path: '/transactions', handle: listTransactions },
  // The single transaction comes back bare, not enveloped (GET /transactions/{id}, extend-python get_transaction).
  { method: 'get', path: '/transactions/:id', handle: ({ state, req, user }) => ({ body: state.getTransaction(user, param(req, 'id')) }) },
];

export function extendRoutes(state: ExtendState): (app: Express) => void {
  return (app) => {
    app.use((req, res, next) => (acceptsApiVersion(req.headers.accept) ? next() : render(res, new ExtendError('not_acceptable'))));
    for (const route of ROUTES) app[route.method](route.path, (req, res) => run(route, state, req, res));
    app.use((req, res) => {
      notRouted(req);
      render(res, new ExtendError('route_not_found'));
    });
  };
}

function run(route: Route, state: ExtendState, req: Request, res: Response): void {
  try {
    const reply = route.public ? route.handle({ state, req }) : route.handle({ state, req, user: state.authenticate(bearerToken(req)) });
    res.status(reply.status ?? 200).json(reply.body);
  } catch (e) {
    render(res, e);
  }
}

/** The one renderer of errors; anything unexpected is a bare 500 that leaks nothing. */
function render(res: Response, e: unknown): void {
  const err = e instanceof ExtendError ? e : new ExtendError('internal');
  res.status(err.status).json(errorBody(err.message));
}

function signIn({ state, req }: PublicCtx): Reply {
  const body = jsonBody(req);
  const email = body.email;
  const password = body.password;
  if (typeof email !== 'string' || typeof password !== 'string' || !email || !password) throw new ExtendError('bad_request', 'email and password are required');
  return { body: sessionBody(state.signIn(email, password), true) };
}

function renewAuth({ state, req }: PublicCtx): Reply {
  const refreshToken = jsonBody(req).refreshToken;
  if (typeof refreshToken !== 'string' || !refreshToken) throw new ExtendError('bad_request', 'refreshToken is required');
  return { body: sessionBody(state.renew(refreshToken), false) };
}

function listCards({ state, req, user }: Ctx): Reply {
  const page = state.listCards(user, parseCardQuery(req.query));
  return { body: { virtualCards: page.items.map(cardSummary), pagination: page.pagination } };
}

function listCardTransactions({ state, req, user }: Ctx): Reply {
  const page = state.listCardTransactions(user, param(req, 'id'), parseTransactionQuery(req.query));
  return { body: { transactions: page.items, pagination: page.pagination } };
}

function listTransactions({ state, req, user }: Ctx): Reply {
  const page = state.listTransactions(user, parseTransactionQuery(req.query));
  return { body: { transactions: page.items, pagination: page.pagination } };
}

/** Sign-in answers {token, refreshToken, user}; renewal answers a new token and the same refresh token. */
function sessionBody({ user, tokens }: Session, withUser: boolean): Record<string, unknown> {
  const base = { token: tokens.token, refreshToken: tokens.refreshToken };
  if (!withUser) return base;
  return { ...base, user: { id: user.id, firstName: user.firstName, lastName: user.lastName, email: user.email, organizationId: user.organizationId, createdAt: user.createdAt } };
}

/** Lists never carry the full card number or CVC; only GET /virtualcards/{id} does. */
function cardSummary({ vcn: _vcn, securityCode: _cvc, ...card }: VirtualCardRecord): Omit<VirtualCardRecord, 'vcn' | 'securityCode'> {
  return card;
}

/** True when one of the Accept header's media ranges is the versioned Extend type (parameters ignored). */
export function acceptsApiVersion(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => range.split(';')[0].trim().toLowerCase() === API_VERSION_MEDIA_TYPE);
}

function bearerToken(req: Request): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

function jsonBody(req: Request): Record<string, unknown> {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  if (!raw.trim()) return {};
  const v = parseJsonWithin(raw, FAKE_JSON_LIMITS);
  if (!v.ok) throw v.problem === 'invalid' ? new ExtendError('invalid_json') : new ExtendError('bad_request', v.message);
  const parsed = v.value;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ExtendError('invalid_json', 'Request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function param(req: Request, name: string): string {
  const v = req.params[name];
  return typeof v === 'string' ? v : '';
}
