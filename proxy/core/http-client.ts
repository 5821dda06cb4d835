/**
 * The single outbound HTTP client. Every upstream call (Customer.io, Extend, Mailgun, Vault) goes through
 * here, so timeouts, error mapping and recording hooks live in one place, not per route.
 */
import { ProxyError } from './errors.ts';

export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Per-call timeout; defaults to the client's. */
  timeoutMs?: number;
  /** Upstream name used in errors and logs ("customerio-track", "extend", …). */
  upstream: string;
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

export function createHttpClient(opts: { timeoutMs?: number } = {}): HttpClient {
  const hooks = new Set<(x: Exchange) => void>();
  const defaultTimeout = opts.timeoutMs ?? 10_000;
  return {
    onExchange(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    async send(req) {
      const startedAt = Date.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), req.timeoutMs ?? defaultTimeout);
      let response: OutboundResponse | undefined;
      let error: Error | undefined;
      try {
        const res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: controller.signal,
          redirect: 'manual',
        });
        const body = Buffer.from(await res.arrayBuffer());
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => (headers[k] = v));
        response = {
          status: res.status,
          headers,
          body,
          text: () => body.toString('utf8'),
          json: <T>() => JSON.parse(body.toString('utf8')) as T,
        };
        return response;
      } catch (e) {
        const timedOut = controller.signal.aborted;
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
        error = new UpstreamUnavailable(req.upstream, timedOut ? 'timeout' : 'network', String(cause));
        throw error;
      } finally {
        clearTimeout(timer);
        const x: Exchange = { request: req, response, error, startedAt, durationMs: Date.now() - startedAt };
        for (const h of hooks) {
          try { h(x); } catch { /* a broken observer must not break the call */ }
        }
      }
    },
  };
}
