/**
 * The single outbound HTTP client. Every upstream call (Customer.io, Extend, Mailgun, Vault, AWS) goes through
 * here, so timeouts, error mapping, recording hooks and trace propagation live in one place, not per route: a call
 * made for a request (request-context.ts) carries a child `traceparent` (a span of its own under the request's) and
 * the request's `tracestate`, and the exchange the hooks see holds those headers.
 */
import http from 'node:http';
import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { ProxyError } from './errors.ts';
import { keepAliveAgent, sendKeptAlive } from './keep-alive.ts';
import { currentRequest } from './request-context.ts';
import { outboundTraceHeaders } from './trace-context.ts';

export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Per-call timeout; defaults to the client's. */
  timeoutMs?: number;
  /** Upstream name used in errors and logs ("customerio-track", "extend", …). */
  upstream: string;
  /** false: ask for no encoding of our own and hand back the body bytes as sent (S3 objects keep their checksums). */
  decompress?: boolean;
  /** Aborting ends the exchange at once (an AWS SDK call's abortSignal). */
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export interface Exchange {
  request: OutboundRequest;
  response?: OutboundResponse;
  error?: Error;
  startedAt: number;
  durationMs: number;
}

export interface HttpClient {
  send(req: OutboundRequest): Promise<OutboundResponse>;
  /** Observe every exchange (recording, metrics). Returns a function that removes the hook. */
  onExchange(hook: (x: Exchange) => void): () => void;
}

export class UpstreamUnavailable extends ProxyError {
  constructor(upstream: string, reason: 'timeout' | 'network', detail: string) {
    super(reason === 'timeout' ? 504 : 502, reason === 'timeout' ? 'upstream_timeout' : 'upstream_unreachable',
      reason === 'timeout' ? `${upstream} did not answer in time` : `${upstream} could not be reached`, { upstream, detail });
  }
}

interface Agents { http: http.Agent; https: http.Agent }

export function createHttpClient(opts: { timeoutMs?: number } = {}): HttpClient {
  const hooks = new Set<(x: Exchange) => void>();
  const defaultTimeout = opts.timeoutMs ?? 10_000;
  const agents: Agents = { http: keepAliveAgent('http:'), https: keepAliveAgent('https:') };
  return {
    onExchange(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    async send(sent) {
      const req = traced(sent);
      const startedAt = Date.now();
      let response: OutboundResponse | undefined;
      let error: Error | undefined;
      try {
        response = await exchange(req, req.timeoutMs ?? defaultTimeout, agents);
        return response;
      } catch (e) {
        const timedOut = e instanceof TimedOut;
        const cause = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        error = new UpstreamUnavailable(req.upstream, timedOut ? 'timeout' : 'network', String(cause));
        throw error;
      } finally {
        const x: Exchange = { request: req, response, error, startedAt, durationMs: Date.now() - startedAt };
        for (const h of hooks) {
          try { h(x); } catch { /* a broken observer must not break the call */ }
        }
      }
    },
  };
}

class TimedOut extends Error {}

/** The request with the trace headers of the request it is made for; a caller's own traceparent is kept. */
function traced(req: OutboundRequest): OutboundRequest {
  const ctx = currentRequest();
  if (!ctx || hasHeader(req.headers ?? {}, 'traceparent')) return req;
  const { traceparent, tracestate } = outboundTraceHeaders(ctx.trace);
  return { ...req, headers: { ...req.headers, traceparent, ...(tracestate ? { tracestate } : {}) } };
}

/**
 * One request over Node's http(s) on the client's own keep-alive agents (keep-alive.ts: idle sockets expire before the
 * server closes them, and a pooled socket the server has closed is replaced before the request is written). Not
 * fetch: under bench:replay fetch's web streams cost ~0.3 ms of CPU per call against ~0.1 ms for this. What fetch did
 * that callers rely on is kept: redirects are not followed, a string body without a content type is text/plain,
 * compressed answers are decoded, and the timeout covers the whole exchange, body included.
 */
async function exchange(req: OutboundRequest, timeoutMs: number, agents: Agents): Promise<OutboundResponse> {
  const url = new URL(req.url);
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const headers: Record<string, string> = { ...req.headers };
  if (typeof req.body === 'string' && !hasHeader(headers, 'content-type')) headers['content-type'] = 'text/plain;charset=UTF-8';
  if (body !== undefined) headers['content-length'] = String(body.length);
  const decompress = req.decompress !== false;
  if (decompress && !hasHeader(headers, 'accept-encoding')) headers['accept-encoding'] = 'gzip, deflate';
  // One signal ends the exchange, whether our timeout or the caller's abort fired; which one is kept for the error.
  const ended = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ended.abort();
  }, timeoutMs);
  const onAbort = () => ended.abort();
  if (req.signal?.aborted) onAbort();
  else req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const agent = url.protocol === 'https:' ? agents.https : agents.http;
    const res = await sendKeptAlive({ ...target(url, req.url), method: req.method, headers, body, agent, signal: ended.signal });
    return await new Promise<OutboundResponse>((resolve, reject) => {
      const bodiless = req.method.toUpperCase() === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      const decoded = bodiless || !decompress ? undefined : decoder(res.headers['content-encoding']);
      const stream = decoded ? res.pipe(decoded) : res;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      res.on('error', reject);
      stream.on('end', () => resolve(outboundResponse(res.statusCode ?? 502, flatten(res.headers), Buffer.concat(chunks))));
    });
  } catch (e) {
    throw timedOut ? new TimedOut('timeout') : ended.signal.aborted ? new Error('aborted') : e;
  } finally {
    clearTimeout(timer);
    req.signal?.removeEventListener('abort', onAbort);
  }
}

// A path and query of only the characters RFC 3986 lets stand in a URI (with percent escapes): the URL parser would
// change nothing in it but its dot segments.
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@\/%?]*$/;

/**
 * Where to send `raw`: its origin, and its path and query as given when they are plain. `new URL` removes dot
 * segments — the AWS SDK signs an S3 key `a/../b` as it is, so the edge refused the normalised `/bucket/b` (the
 * console could not open such an object), and a route building a path from a caller's segment could be moved up a
 * level. Anything else the parser would have escaped goes as it parses.
 */
function target(url: URL, raw: string): { protocol: string; hostname: string; port: string; path: string; auth?: string } {
  const rest = raw.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/#.*$/, '');
  const path = PLAIN_PATH.test(rest) ? rest : url.pathname + url.search;
  const auth = url.username || url.password ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  // URL keeps IPv6 literals bracketed; the socket wants the bare address.
  return { protocol: url.protocol, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, path, ...(auth ? { auth } : {}) };
}

function outboundResponse(status: number, headers: Record<string, string>, body: Buffer): OutboundResponse {
  return { status, headers, body, text: () => body.toString('utf8'), json: <T>() => JSON.parse(body.toString('utf8')) as T };
}

const DECODERS: Record<string, () => Transform> = { gzip: zlib.createGunzip, 'x-gzip': zlib.createGunzip, deflate: zlib.createInflate, br: zlib.createBrotliDecompress };

function decoder(encoding: string | undefined): Transform | undefined {
  return encoding ? DECODERS[encoding.trim().toLowerCase()]?.() : undefined;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  for (const k in headers) if (k.toLowerCase() === name) return true;
  return false;
}

/** Repeated headers joined with ", ", as fetch's Headers gave them. */
function flatten(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
