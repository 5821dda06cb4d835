/**
 * The wire contract shared by the Track and App routes: a route is a table row (method, paths, auth, handler);
 * a handler is a plain function from a parsed request to a reply. Only `mount` touches Express.
 */
import type { Express, Request, Response } from 'express';
import { CioError, badRequest, errorBody } from './errors.ts';
import { FAKE_JSON_LIMITS } from '../shared/json-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';
import type { CustomerioState } from './state.ts';

export interface WireRequest {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** Parsed JSON body ({} when empty). */
  body: unknown;
  /** Scheme, host and port the client used, for links back to the fake (export downloads). */
  origin: string;
}

export interface Reply {
  status: number;
  body: unknown;
  /** Send `body` (a string) as is with this Content-Type instead of as JSON (export files). */
  contentType?: string;
}

export type Auth = 'track' | 'app' | 'none';

export interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  paths: string[];
  auth: Auth;
  /** Largest accepted body in bytes (413 beyond it). */
  maxBody?: number;
  handle(req: WireRequest, state: CustomerioState): Reply;
}

export const ok = (body: unknown = {}): Reply => ({ status: 200, body });

/** Register a route table on the app; every failure renders as `{"meta":{"error":…}}`. */
export function mount(app: Express, routes: Route[], state: CustomerioState): void {
  for (const route of routes) {
    app[route.method](route.paths, (req: Request, res: Response) => {
      const reply = run(route, req, state);
      if (reply.contentType) res.status(reply.status).type(reply.contentType).send(reply.body);
      else res.status(reply.status).json(reply.body);
    });
  }
}

function run(route: Route, req: Request, state: CustomerioState): Reply {
  try {
    if (!authorized(route.auth, req.headers.authorization, state)) {
      // Both APIs answer bad or missing credentials with 401 (Track and App API references, "401 Unauthorized request").
      return { status: 401, body: errorBody('Unauthorized request') };
    }
    const raw = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
    if (route.maxBody !== undefined && raw.length > route.maxBody) {
      return { status: 413, body: errorBody(`request body cannot be larger than ${route.maxBody} bytes`) };
    }
    const origin = `${req.protocol}://${req.get('host') ?? '127.0.0.1'}`;
    return route.handle({ params: req.params as Record<string, string>, query: queryOf(req), body: parseJson(raw), origin }, state);
  } catch (e) {
    if (e instanceof CioError) return { status: e.status, body: errorBody(e.message) };
    return { status: 500, body: errorBody('internal error') };
  }
}

function authorized(auth: Auth, header: string | undefined, state: CustomerioState): boolean {
  if (auth === 'none') return true;
  const [scheme, credential = ''] = (header ?? '').split(/\s+(.*)/s);
  if (auth === 'app') return /^bearer$/i.test(scheme ?? '') && state.credentials.appAllowed(credential.trim());
  if (!/^basic$/i.test(scheme ?? '')) return false;
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  return state.credentials.trackAllowed(decoded.slice(0, colon), decoded.slice(colon + 1));
}

function parseJson(raw: Buffer): unknown {
  if (!raw.toString('utf8').trim()) return {};
  // Depth-limited, so nothing nested deeper than the limit is ever stored (it broke /__admin/state, issue 13).
  const v = parseJsonWithin(raw, FAKE_JSON_LIMITS);
  if (!v.ok) throw badRequest(v.problem === 'invalid' ? 'request body is not valid JSON' : v.message);
  return v.value;
}

function queryOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query)) out[k] = typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
  return out;
}
