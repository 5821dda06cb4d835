/**
 * The path and query of a request to one of the stack's own endpoints on the proxy's port (`/__admin/audit`,
 * `/__admin/traces`), taken as sent: resolving the target with `new URL` throws on `//host/…` and answered 500
 * (found by npm run fuzz).
 */
import type http from 'node:http';

export function adminTarget(req: http.IncomingMessage): { pathname: string; searchParams: URLSearchParams } {
  const raw = req.url ?? '/';
  const at = raw.indexOf('?');
  return { pathname: at < 0 ? raw : raw.slice(0, at), searchParams: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)) };
}
