/**
 * The proxy's trace records over HTTP, on the proxy's own port in the local stack (like `/__admin/audit`: a request
 * the gateway forwarded — it signs everything — is the app's to answer, so through the gateway these are the app's
 * 404). Records are the ring's `ProxyTrace` (proxy-traces.ts).
 *
 *   GET    /__admin/traces[?trace=<id>&function=<fn>&status=<n>&limit=<n>]   {"traces":[ProxyTrace…]}, newest first
 *                                        (at most `limit`, default 100: each record is redacted when first read)
 *   GET    /__admin/traces/<trace id>    {"traceId","requests":[ProxyTrace…]} oldest first; 404 when the ring has none
 *   GET    /__admin/traces/stream        Server-Sent Events: each new record as `id: <seq>`, `event: trace`,
 *                                        `data: <ProxyTrace JSON>`; after a reconnect (`Last-Event-ID`, or `?after=<seq>`)
 *                                        the records kept since come first; a `: keep-alive` comment every 15 s
 *   DELETE /__admin/traces               the ring emptied
 * Errors are `{"error":{"code","message"}}` (400 for a bad filter, 405 for another method).
 */
import type http from 'node:http';
import { adminTarget } from './admin-target.ts';
import type { TraceRing } from './proxy-traces.ts';
import { streamEvents } from '../shared/sse.ts';

export const TRACES_PATH = '/__admin/traces';

const TRACE_ID = /^[0-9a-f]{32}$/;
const DEFAULT_LIMIT = 100;

/** Serves the trace API from `ring`; false for any other request. */
export function serveTraces(req: http.IncomingMessage, res: http.ServerResponse, ring: TraceRing): boolean {
  const url = adminTarget(req);
  if (!(url.pathname === TRACES_PATH || url.pathname.startsWith(`${TRACES_PATH}/`)) || req.headers.signature !== undefined) return false;
  const rest = url.pathname.slice(TRACES_PATH.length);
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  try {
    if (rest === '' && req.method === 'DELETE') {
      ring.clear();
      return reply(res, 200, { ok: true });
    }
    if (req.method !== 'GET') return reply(res, 405, problem('method_not_allowed', `${req.method} is not allowed on ${url.pathname.slice(0, 200)}`), { allow: rest === '' ? 'GET, DELETE' : 'GET' });
    if (rest === '') {
      const trace = q('trace');
      if (trace !== undefined && !TRACE_ID.test(trace)) throw new BadFilter('trace must be a W3C trace id: 32 lowercase hex digits');
      return reply(res, 200, { traces: ring.list({ trace, fn: q('function'), status: int(q('status'), 'status', 100, 599), limit: int(q('limit'), 'limit', 1, 10_000) ?? DEFAULT_LIMIT }) });
    }
    if (rest === '/stream') return (streamEvents(req, res, ring, 'trace', int(req.headers['last-event-id'] as string | undefined ?? q('after'), 'after', 0, Number.MAX_SAFE_INTEGER)), true);
    const id = rest.slice(1);
    if (!TRACE_ID.test(id)) throw new BadFilter(`${id.slice(0, 64)} is not a W3C trace id (32 lowercase hex digits)`);
    const requests = ring.list({ trace: id }).reverse();
    if (!requests.length) return reply(res, 404, problem('trace_not_found', `the proxy kept no request of trace ${id} (the ring holds the last ${ring.size})`));
    return reply(res, 200, { traceId: id, requests });
  } catch (e) {
    if (e instanceof BadFilter) return reply(res, 400, problem('bad_filter', e.message));
    throw e;
  }
}

class BadFilter extends Error {}

function int(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new BadFilter(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

const problem = (code: string, message: string) => ({ error: { code, message } });

function reply(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): true {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
  return true;
}

