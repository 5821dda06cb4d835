/**
 * The framework-agnostic application: one `handle(ProxyRequest) → ProxyResponse` function that both the Express
 * and the Lambda adapters call. Body limits, routing, JSON parsing, middleware and error rendering happen here,
 * once, so every runtime behaves the same. So does the request's trace: its W3C `traceparent` is continued (or a
 * trace started) and the request handled inside its context (request-context.ts), which the outbound client and
 * the logger read.
 */
import { Router } from './router.ts';
import { ProxyError, renderError } from './errors.ts';
import { auditRefusal } from './audit.ts';
import type { Deps, Middleware, ProxyRequest, ProxyResponse, RouteDef, RouteRequest } from './types.ts';
import { DEFAULT_JSON_LIMITS, parseJsonWithin } from './json-limits.ts';
import { runInRequest, type RequestContext } from './request-context.ts';
import { continueTrace } from './trace-context.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface App {
  handle(req: ProxyRequest): Promise<ProxyResponse>;
  routes(): RouteDef[];
  /** Whether a route matches this method ("*" for any method) and path. */
  owns(method: string, path: string): boolean;
  deps: Deps;
  maxBodyBytes: number;
  /**
   * Observe every handled request once its answer is ready (the local stack's trace view). Returns a function that
   * removes the hook. Nothing is observed unless someone asks: a Lambda registers no hook.
   */
  onHandled(hook: (h: HandledRequest) => void): () => void;
}

/** A request and its answer, as `onHandled` hooks see them. */
export interface HandledRequest {
  request: ProxyRequest;
  response: ProxyResponse;
  /** The matched route's pattern; undefined when none matched (404, 405, a body refused before routing). */
  route?: string;
  /** The context it ran in: the same object `currentRequest()` gave the code that ran for it (outbound calls). */
  context: RequestContext;
  startedAt: number;
  durationMs: number;
}

export interface AppOptions {
  routes: RouteDef[];
  deps: Deps;
  /** Middleware run for every route, before the route's own. */
  middleware?: Middleware[];
  maxBodyBytes?: number;
  /** Deepest JSON nesting a body may have (default 64): deeper is 400 `json_too_deep` before anything parses it. */
  maxJsonDepth?: number;
}

export function createApp(opts: AppOptions): App {
  const router = new Router(opts.routes);
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxJsonDepth = opts.maxJsonDepth ?? DEFAULT_JSON_LIMITS.maxDepth;
  const { deps } = opts;
  const hooks = new Set<(h: HandledRequest) => void>();

  function handle(req: ProxyRequest): Promise<ProxyResponse> {
    const context: RequestContext = { requestId: req.requestId, trace: continueTrace(req.headers) };
    return runInRequest(context, () => handleIn(req, context));
  }

  async function handleIn(req: ProxyRequest, context: RequestContext): Promise<ProxyResponse> {
    const started = deps.clock.now();
    let res: ProxyResponse;
    const matched: { req?: RouteRequest } = {};
    try {
      res = await dispatch(req, matched);
    } catch (e) {
      res = toResponse(e, req);
      // Refusals (bad signatures, identity mismatches, bad tokens, forged webhooks) are audited here, once for every route.
      if (e instanceof ProxyError) auditRefusal(deps, matched.req ?? req, e);
    }
    if (req.method.toUpperCase() === 'HEAD') res = { ...res, body: undefined };
    const ms = deps.clock.now() - started;
    deps.log.info('request', { requestId: req.requestId, method: req.method, path: req.path, status: res.status, ms });
    if (hooks.size) {
      const h: HandledRequest = { request: req, response: res, route: matched.req?.route, context, startedAt: started, durationMs: ms };
      for (const hook of hooks) {
        try { hook(h); } catch { /* a broken observer must not break the answer */ }
      }
    }
    return res;
  }

  async function dispatch(req: ProxyRequest, matched: { req?: RouteRequest }): Promise<ProxyResponse> {
    if (req.body.length > maxBodyBytes) {
      throw new ProxyError(413, 'payload_too_large', `request body is ${req.body.length} bytes; the limit is ${maxBodyBytes}`);
    }
    const m = router.match(req.method, req.path);
    if (m.kind === 'not_found') throw new ProxyError(404, 'route_not_found', `no route for ${req.method} ${req.path}`);
    if (m.kind === 'method_not_allowed') {
      throw new ProxyError(405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}`, { allow: m.allow }, { allow: m.allow.join(', ') });
    }
    const route = m.route;
    const rreq: RouteRequest = { ...req, params: m.params, route: route.path, query: new URLSearchParams(req.rawQuery) };
    matched.req = rreq;
    const wantsJson = route.json ?? ['POST', 'PUT', 'PATCH'].includes(route.method);
    if (wantsJson && req.body.length > 0) rreq.json = parseJson(req, maxBodyBytes, maxJsonDepth);
    for (const mw of [...(opts.middleware ?? []), ...(route.middleware ?? [])]) {
      const early = await mw(rreq, deps);
      if (early) return early;
    }
    return route.handler(rreq, deps);
  }

  function toResponse(e: unknown, req: ProxyRequest): ProxyResponse {
    if (e instanceof ProxyError) {
      if (e.status >= 500) deps.log.warn('upstream or server error', { requestId: req.requestId, code: e.code, details: e.details });
      return renderError(e);
    }
    deps.log.error('unhandled error', { requestId: req.requestId, error: e as Error, stack: (e as Error)?.stack });
    return renderError(new ProxyError(500, 'internal_error', 'an internal error occurred', { requestId: req.requestId }));
  }

  const owns = (method: string, path: string) => {
    const m = router.match(method === '*' ? 'GET' : method, path);
    return m.kind === 'found' || (method === '*' && m.kind === 'method_not_allowed');
  };
  const onHandled = (hook: (h: HandledRequest) => void) => {
    hooks.add(hook);
    return () => void hooks.delete(hook);
  };
  return { handle, routes: () => router.list(), owns, deps, maxBodyBytes, onHandled };
}

function parseJson(req: ProxyRequest, maxBytes: number, maxDepth: number): unknown {
  const ct = req.headers['content-type'] ?? '';
  if (ct && !/^application\/([\w.+-]*\+)?json\b/i.test(ct)) {
    throw new ProxyError(415, 'unsupported_media_type', `expected an application/json body, got ${ct.split(';')[0]}`);
  }
  const v = parseJsonWithin(req.body, { maxBytes, maxDepth });
  if (v.ok) return v.value;
  if (v.problem === 'too_deep') throw new ProxyError(400, 'json_too_deep', v.message, { maxDepth });
  if (v.problem === 'too_large') throw new ProxyError(413, 'payload_too_large', v.message);
  throw new ProxyError(400, 'invalid_json', `request ${v.message}`);
}

/**
 * Several functions' apps behind one server (the local stack's proxy port): each request goes to the first app
 * with a route for its path. In Lambda each function is deployed alone; locally they share a port.
 */
export function combineApps(apps: App[]): App {
  if (apps.length === 1) return apps[0];
  const owner = (req: ProxyRequest) => apps.find((a) => a.owns(req.method, req.path)) ?? apps.find((a) => a.owns('*', req.path)) ?? apps[0];
  return {
    handle: (req) => owner(req).handle(req),
    routes: () => apps.flatMap((a) => a.routes()),
    owns: (method, path) => apps.some((a) => a.owns(method, path)),
    deps: apps[0].deps,
    maxBodyBytes: Math.max(...apps.map((a) => a.maxBodyBytes)),
    onHandled: (hook) => {
      const offs = apps.map((a) => a.onHandled(hook));
      return () => offs.forEach((off) => off());
    },
  };
}

/** Serialise a ProxyResponse body for the wire (shared by every adapter). */
export function encodeBody(res: ProxyResponse): { body: Buffer; contentType?: string } {
  if (res.body === undefined || res.body === null) return { body: Buffer.alloc(0) };
  if (Buffer.isBuffer(res.body)) return { body: res.body };
  if (typeof res.body === 'string') return { body: Buffer.from(res.body, 'utf8'), contentType: 'text/plain; charset=utf-8' };
  return { body: Buffer.from(JSON.stringify(res.body), 'utf8'), contentType: 'application/json' };
}
