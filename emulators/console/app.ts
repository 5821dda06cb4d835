/**
 * The console's HTTP API as a table of plain handlers, `async (req, deps) => reply`, on the proxy's router and error
 * shape (`{"error":{"code","message"}}`): bad input is a 4xx naming the problem, an unexpected throw a 500 for that
 * request alone, and the process stays up. Bodies are read with a limit per route before anything parses them.
 */
import type http from 'node:http';
import { Router } from '../../proxy/core/router.ts';
import { ProxyError, renderError } from '../../proxy/core/errors.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (routes that take one). */
  json?: unknown;
  signal: AbortSignal;
}

export type ApiReply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  /** The handler writes the answer itself (Server-Sent Events). */
  | { stream: (res: http.ServerResponse) => void };

export interface ApiRoute<D> {
  method: string;
  path: string;
  handler: (req: ApiRequest, deps: D) => Promise<ApiReply>;
  /** Largest body accepted (default 64 KiB); a HAR upload needs more. */
  maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const MAX_DEPTH = 64;

export const bad = (code: string, message: string) => new ProxyError(400, code, message);
export const missing = (code: string, message: string): never => {
  throw new ProxyError(404, code, message);
};
/** A fake or the AWS edge did not answer, or answered with an error: the page shows the message. */
export const unavailable = (code: string, message: string) => new ProxyError(502, code, message);

export function apiHandler<D>(routes: ApiRoute<D>[], deps: D, onError: (e: unknown) => void): (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> {
  const router = new Router<ApiRoute<D>>(routes);
  return async (req, res) => {
    const raw = req.url ?? '/';
    const at = raw.indexOf('?');
    const path = at < 0 ? raw : raw.slice(0, at);
    const aborter = new AbortController();
    res.on('close', () => aborter.abort());
    try {
      const m = router.match(req.method ?? 'GET', path);
      if (m.kind === 'not_found') throw new ProxyError(404, 'route_not_found', `no console route for ${req.method} ${path.slice(0, 200)}`);
      if (m.kind === 'method_not_allowed') throw new ProxyError(405, 'method_not_allowed', `${req.method} is not allowed on ${path.slice(0, 200)}`, undefined, { allow: m.allow.join(', ') });
      const route = m.route;
      const body = await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY);
      const api: ApiRequest = { method: req.method ?? 'GET', path, params: m.params, query: new URLSearchParams(at < 0 ? '' : raw.slice(at + 1)), signal: aborter.signal };
      if (body.length) api.json = parseJson(req, body, route.maxBodyBytes ?? DEFAULT_MAX_BODY);
      const reply = await route.handler(api, deps);
      if ('stream' in reply) return reply.stream(res);
      send(res, reply.status ?? 200, reply.json, reply.headers);
    } catch (e) {
      if (!(e instanceof ProxyError)) onError(e);
      const err = e instanceof ProxyError ? e : new ProxyError(500, 'internal_error', 'the console failed on this request; the stack is unaffected');
      const r = renderError(err);
      if (res.headersSent) return void res.destroy();
      send(res, r.status, r.body, r.headers);
    }
  };
}

export function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ProxyError(400, 'bad_request', 'the request body could not be read')));
    req.on('aborted', () => reject(new ProxyError(400, 'bad_request', 'the client went away mid-body')));
  });
}

const tooLarge = (limit: number) => new ProxyError(413, 'payload_too_large', `the body exceeds this route's limit of ${limit} bytes`);

function parseJson(req: http.IncomingMessage, body: Buffer, maxBytes: number): unknown {
  const ct = String(req.headers['content-type'] ?? '');
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(ct)) throw new ProxyError(415, 'unsupported_media_type', `expected an application/json body, got ${ct.split(';')[0] || 'none'}`);
  const v = parseJsonWithin(body, { maxBytes, maxDepth: MAX_DEPTH });
  if (v.ok) return v.value;
  if (v.problem === 'too_deep') throw new ProxyError(400, 'json_too_deep', v.message);
  if (v.problem === 'too_large') throw tooLarge(maxBytes);
  throw new ProxyError(400, 'invalid_json', `request ${v.message}`);
}

/** Small typed readers over a JSON body and the query: each names what is wrong in a 400. */
export function field(obj: unknown, name: string): unknown {
  return obj && typeof obj === 'object' && !Array.isArray(obj) ? (obj as Record<string, unknown>)[name] : undefined;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function text(v: unknown, name: string, opts: { max?: number; optional?: boolean; pattern?: RegExp } = {}): string {
  if (v === undefined || v === null || v === '') {
    if (opts.optional) return '';
    throw bad('missing_field', `${name} is required`);
  }
  if (typeof v !== 'string') throw bad('invalid_field', `${name} must be a string`);
  if (v.length > (opts.max ?? 1024)) throw bad('invalid_field', `${name} is longer than ${opts.max ?? 1024} characters`);
  // A lone surrogate (JSON's "\udfff") has no UTF-8 form: the SDK's URI encoding throws on it, which read as an
  // unreachable AWS (502; found by npm run fuzz). Every name the console passes on is UTF-8 on the wire.
  if (LONE_SURROGATE.test(v)) throw bad('invalid_field', `${name} is not valid Unicode (it holds a lone surrogate)`);
  if (opts.pattern && !opts.pattern.test(v)) throw bad('invalid_field', `${name} is not valid: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

export function int(v: string | null | undefined, name: string, min: number, max: number, fallback: number): number {
  if (v === null || v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad('invalid_query', `${name} must be an integer from ${min} to ${max}`);
  return n;
}
