/**
 * The fake Vault's HTTP adapter: the held body and the request line become a VaultRequest (request.ts), the
 * framework-agnostic pipeline (handle.ts) answers, and the reply is written with Vault's headers.
 */
import type { Express, Request, Response } from 'express';
import { VaultError } from './errors.ts';
import { RAW_BODY, TOO_LARGE } from './journal-body.ts';
import { errorReply, type Reply } from './reply.ts';
import { parseVaultRequest } from './request.ts';
import { handle } from './handle.ts';
import { clientIp } from './cidr.ts';
import type { VaultState } from './state.ts';
import { notRouted } from '../shared/emulator.ts';
import { vaultRouteTable } from './route-table.ts';

export function vaultRoutes(state: VaultState): (app: Express) => void {
  return (app) => {
    app.use(redirectUncleanPaths);
    app.use('/v1', (req: Request, res: Response) => {
      const reply = answer(req, state);
      const miss = routingMiss(reply);
      if (miss) notRouted(req, { reason: miss, routes: vaultRouteTable(state) });
      send(req, res, reply);
    });
    // Observed: paths outside /v1 get 404 {"errors":[]}.
    app.use((req: Request, res: Response) => send(req, res, { status: 404, body: { errors: [] } }));
  };
}

/**
 * Go's http.ServeMux, which Vault routes with, answers a path that is not clean ("//", "." or ".." segments) with
 * a 301 to the cleaned path (net/http cleanPath), a small HTML body on GET and HEAD.
 */
function redirectUncleanPaths(req: Request, res: Response, next: () => void): void {
  const [raw, query] = req.originalUrl.split(/\?(.*)/s);
  const clean = goCleanPath(raw);
  if (clean === raw) return next();
  const location = query ? `${clean}?${query}` : clean;
  res.status(301).setHeader('Location', location);
  if (req.method === 'GET' || req.method === 'HEAD') res.type('text/html; charset=utf-8').send(`<a href="${location}">Moved Permanently</a>.\n\n`);
  else res.end();
}

/** net/http cleanPath: path.Clean, keeping a trailing slash. */
export function goCleanPath(p: string): string {
  if (p === '') return '/';
  const rooted = p.startsWith('/') ? p : `/${p}`;
  const out: string[] = [];
  for (const seg of rooted.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const cleaned = `/${out.join('/')}`;
  return rooted.endsWith('/') && cleaned !== '/' ? `${cleaned}/` : cleaned;
}

function answer(httpReq: Request, state: VaultState): Reply {
  try {
    const held = httpReq as Request & { [RAW_BODY]?: Buffer; [TOO_LARGE]?: boolean };
    // Vault's http layer (max_request_size): 413 with Go's "request body too large" text.
    if (held[TOO_LARGE]) throw new VaultError(413, ['http: request body too large']);
    const raw = held[RAW_BODY] ?? Buffer.alloc(0);
    const req = parseVaultRequest(httpReq.method, httpReq.originalUrl, httpReq.headers, raw, clientIp(httpReq.socket.remoteAddress ?? ''));
    return handle(state, req);
  } catch (err) {
    return errorReply(err, false);
  }
}

/**
 * Vault's own words when nothing routes a request (errors.ts: noHandler, unsupportedPath, unsupportedOperation; the
 * core errors come wrapped as a multierror, "1 error occurred: * unsupported path").
 */
function routingMiss(reply: Reply): string | undefined {
  if (reply.status !== 404 && reply.status !== 405) return undefined;
  const first = (reply.body as { errors?: unknown[] } | undefined)?.errors?.[0];
  if (typeof first !== 'string') return undefined;
  if (first.startsWith('no handler for route')) return first;
  return ['unsupported path', 'unsupported operation'].find((words) => first.includes(words));
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
