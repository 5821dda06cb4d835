/**
 * CORS for the routes a browser page on another origin calls (the S3 proxy, report browsing): only configured
 * origins get `Access-Control-Allow-Origin` (echoed, never `*`, so a cache keyed on Origin stays right), and a
 * preflight is answered only for the methods and request headers the route's policy names. A route group owns its
 * policy; the origins come from its configuration (`PROXY_CORS_ALLOWED_ORIGINS`).
 */
import { ProxyError } from './errors.ts';
import type { ProxyResponse, RouteRequest } from './types.ts';

export interface CorsPolicy {
  /** Allowed origins as `scheme://host[:port]`; `*` allows any, still echoed. */
  origins: string[];
  /** Methods a preflight may ask for (OPTIONS is always listed in the answer). */
  methods: string[];
  /** Request headers (lower-case) a preflight may ask for. */
  requestHeaders: ReadonlySet<string>;
  /** Response headers the page may read beyond the safelisted ones. */
  exposeHeaders: string[];
  maxAgeSeconds: number;
}

export function allowedOrigin(req: RouteRequest, policy: Pick<CorsPolicy, 'origins'>): string | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  return policy.origins.includes(origin) || policy.origins.includes('*') ? origin : undefined;
}

/** Headers for an actual (non-preflight) answer: the origin echoed when allowed; `Vary: Origin` always. */
export function corsHeaders(req: RouteRequest, policy: CorsPolicy): Record<string, string> {
  const origin = allowedOrigin(req, policy);
  const base = { vary: 'Origin' };
  if (!origin) return base;
  return { ...base, 'access-control-allow-origin': origin, ...(policy.exposeHeaders.length ? { 'access-control-expose-headers': policy.exposeHeaders.join(', ') } : {}) };
}

/** Preflight: which method and headers the browser may use; undefined when the origin, method or a header is not allowed. */
export function preflightHeaders(req: RouteRequest, policy: CorsPolicy): Record<string, string> | undefined {
  const origin = allowedOrigin(req, policy);
  const method = (req.headers['access-control-request-method'] ?? '').toUpperCase();
  if (!origin || !policy.methods.includes(method)) return undefined;
  const asked = (req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (asked.some((h) => !policy.requestHeaders.has(h))) return undefined;
  return {
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'access-control-allow-origin': origin,
    'access-control-allow-methods': allowMethods(policy),
    ...(asked.length ? { 'access-control-allow-headers': asked.join(', ') } : {}),
    'access-control-max-age': String(policy.maxAgeSeconds),
  };
}

/** What the preflight answer's Allow-Methods (and Allow) list: the policy's methods and OPTIONS. */
export const allowMethods = (policy: Pick<CorsPolicy, 'methods'>): string => [...new Set([...policy.methods, 'OPTIONS'])].join(', ');

/** The answer to a preflight: 204 with what the browser may do, or 403 `cors_not_allowed` for another origin, method or header. */
export function preflightResponse(req: RouteRequest, policy: CorsPolicy): ProxyResponse {
  const headers = preflightHeaders(req, policy);
  if (!headers) throw new ProxyError(403, 'cors_not_allowed', 'this origin, method or header is not allowed', undefined, { vary: 'Origin' });
  return { status: 204, headers: { ...headers, allow: allowMethods(policy) }, body: '' };
}
