/**
 * Extend's HTTP API as the proxy calls it: base URL, versioned Accept header, Bearer token, JSON bodies, the
 * configured timeout (a timeout is the http client's 504). Knows nothing of users or sessions.
 */
import { ProxyError } from '../../core/errors.ts';
import type { HttpClient, OutboundResponse } from '../../core/http-client.ts';
import type { CardsConfig } from './config.ts';

export const EXTEND = 'Extend';

export interface ExtendSend {
  token?: string;
  json?: unknown;
  query?: Record<string, string | number>;
}

export class ExtendApi {
  constructor(private readonly cfg: CardsConfig, private readonly http: HttpClient) {}

  send(method: string, path: string, opts: ExtendSend = {}): Promise<OutboundResponse> {
    const url = new URL(this.cfg.extendBaseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
    return this.http.send({
      upstream: 'extend',
      method,
      url: url.toString(),
      headers: {
        // Extend selects its API version by media type (v2021-03-12: extend-python client.py).
        accept: this.cfg.extendAccept,
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: opts.json !== undefined ? JSON.stringify(opts.json) : undefined,
      timeoutMs: this.cfg.upstreamTimeoutMs,
    });
  }
}

/** A 2xx body as JSON; an unreadable one is Extend's fault (502), never a 500 of ours. */
export function extendJson<T>(res: OutboundResponse): T {
  try {
    return res.json<T>();
  } catch {
    throw new ProxyError(502, 'upstream_invalid_response', `${EXTEND} answered with a body that is not JSON`, { upstream: 'extend', upstreamStatus: res.status });
  }
}
