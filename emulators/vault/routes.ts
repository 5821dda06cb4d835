/**
 * The fake Vault's wire layer: parse the request (request.ts), find its route (sys/auth table or a KV mount),
 * check seal, token and policy in Vault's order, call the handler, render the envelope or {"errors":[…]}.
 */
import type { Express, Request, Response } from 'express';
import { VaultError, noHandler, sealed, unsupportedOperation } from './errors.ts';
import { RAW_BODY, TOO_LARGE } from './journal-body.ts';
import { KV1_ROUTE, kv2Route } from './kv-routes.ts';
import { errorReply, type Reply } from './reply.ts';
import { parseVaultRequest, type VaultRequest } from './request.ts';
import type { RouteContext, RouteDef } from './route-types.ts';
import type { Capability } from './policy.ts';
import { SYS_ROUTES } from './sys-routes.ts';
import type { VaultState } from './state.ts';

export function vaultRoutes(state: VaultState): (app: Express) => void {
  return (app) => {
    app.use('/v1', (req: Request, res: Response) => send(req, res, answer(req, state)));
    // Observed: paths outside /v1 get 404 {"errors":[]}.
    app.use((req: Request, res: Response) => send(req, res, { status: 404, body: { errors: [] } }));
  };
}

function answer(httpReq: Request, state: VaultState): Reply {
  try {
    const held = httpReq as Request & { [RAW_BODY]?: Buffer; [TOO_LARGE]?: boolean };
    // Vault's http layer (max_request_size): 413 with Go's "request body too large" text.
    if (held[TOO_LARGE]) throw new VaultError(413, ['http: request body too large']);
    const raw = held[RAW_BODY] ?? Buffer.alloc(0);
    const req = parseVaultRequest(httpReq.method, httpReq.originalUrl, httpReq.headers, raw);
    return dispatch(req, state);
  } catch (err) {
    return errorReply(err);
  }
}

function dispatch(req: VaultRequest, state: VaultState): Reply {
  const found = findRoute(req, state);
  if (state.status.sealed && !found?.def.whileSealed) throw sealed();
  const ctx: RouteContext = { req, state, rest: found?.rest ?? '', mount: found?.mount };
  if (!found?.def.open) {
    const token = state.authenticate(req.tokenId);
    // Vault checks the ACL before it knows whether anything serves the path, so strangers get 403, root gets 404.
    state.authorize(token, req.path, capabilityFor(req, found?.def, ctx));
    if (found?.def.sudo) state.authorize(token, req.path, 'sudo');
  }
  if (!found) throw noHandler(req.path.replace(/\/$/, ''));
  const handler = found.def.ops[req.op];
  if (!handler) throw unsupportedOperation();
  return handler(ctx);
}

function findRoute(req: VaultRequest, state: VaultState): { def: RouteDef; rest: string; mount?: RouteContext['mount'] } | undefined {
  const path = req.path.replace(/\/$/, '');
  for (const [pattern, def] of SYS_ROUTES) {
    const m = pattern.exec(path);
    if (m) return { def, rest: m[1] ?? '' };
  }
  const inMount = state.mountFor(req.path);
  if (!inMount) return undefined;
  if (inMount.mount.version === 1) return { def: KV1_ROUTE, rest: inMount.rest, mount: inMount.mount };
  const kv2 = kv2Route(inMount.rest);
  return kv2 && { ...kv2, mount: inMount.mount };
}

/** Vault's operation → capability; a write is `create` or `update` depending on the route's existence check. */
function capabilityFor(req: VaultRequest, def: RouteDef | undefined, ctx: RouteContext): Capability {
  if (req.op !== 'write') return req.op;
  return def?.exists && !def.exists(ctx) ? 'create' : 'update';
}

function send(req: Request, res: Response, reply: Reply): void {
  // Observed headers on every Vault API response.
  res.setHeader('Cache-Control', 'no-store');
  if (reply.body === undefined || reply.status === 204) {
    res.status(reply.status).end();
    return;
  }
  res.status(reply.status);
  if (req.method === 'HEAD') res.type('application/json').end();
  else res.json(reply.body);
}
