/**
 * CORS for the browser-facing proxy route: only configured origins get `Access-Control-Allow-Origin` (echoed,
 * never `*`, so a cache keyed on Origin stays right), and ETag is exposed so a viewer can revalidate.
 */
import type { RouteRequest } from '../../core/types.ts';

export const CORS_METHODS = 'GET, HEAD, OPTIONS';
const ALLOWED_REQUEST_HEADERS = new Set(['range', 'if-none-match', 'if-match', 'if-modified-since', 'content-type', 'authorization']);
const PREFLIGHT_MAX_AGE_S = '600';

export function allowedOrigin(req: RouteRequest, allowed: string[]): string | undefined {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  return allowed.includes(origin) || allowed.includes('*') ? origin : undefined;
}

/** Headers for an actual (non-preflight) answer. */
export function corsHeaders(req: RouteRequest, allowed: string[]): Record<string, string> {
  const origin = allowedOrigin(req, allowed);
  const base = { vary: 'Origin' };
  return origin ? { ...base, 'access-control-allow-origin': origin, 'access-control-expose-headers': 'ETag' } : base;
}

/** Preflight: which method and headers the browser may use; undefined when the origin or a header is not allowed. */
export function preflightHeaders(req: RouteRequest, allowed: string[]): Record<string, string> | undefined {
  const origin = allowedOrigin(req, allowed);
  const method = (req.headers['access-control-request-method'] ?? '').toUpperCase();
  if (!origin || !['GET', 'HEAD'].includes(method)) return undefined;
  const asked = (req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (asked.some((h) => !ALLOWED_REQUEST_HEADERS.has(h))) return undefined;
  return {
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'access-control-allow-origin': origin,
    'access-control-allow-methods': CORS_METHODS,
    ...(asked.length ? { 'access-control-allow-headers': asked.join(', ') } : {}),
    'access-control-max-age': PREFLIGHT_MAX_AGE_S,
  };
}
