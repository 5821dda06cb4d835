/**
 * Customer.io's two APIs as the proxy calls them: Track (Basic site_id:api_key) and App (Bearer app key).
 * Credentials are added here and nowhere else; they never come from, or go back to, the mobile app.
 */
import { upstreamError } from '../../core/upstream.ts';
import type { HttpClient, OutboundResponse } from '../../core/http-client.ts';
import type { CustomerioConfig } from './config.ts';

export type Api = 'track' | 'app';

export interface CustomerioClient {
  /** `path` is relative to the API base ("customers/x/events"). */
  call(api: Api, method: string, path: string, body?: unknown, query?: URLSearchParams): Promise<OutboundResponse>;
}

export function customerioClient(cfg: CustomerioConfig, http: HttpClient): CustomerioClient {
  const basic = 'Basic ' + Buffer.from(`${cfg.siteId}:${cfg.trackApiKey}`).toString('base64');
  const bearer = `Bearer ${cfg.appApiKey}`;
  return {
    async call(api, method, path, body, query) {
      const base = api === 'track' ? cfg.trackBaseUrl : cfg.appBaseUrl;
      const url = new URL(path, base);
      if (query) url.search = query.toString();
      const res = await http.send({
        upstream: api === 'track' ? 'customerio-track' : 'customerio-app',
        method,
        url: url.toString(),
        headers: {
          authorization: api === 'track' ? basic : bearer,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        timeoutMs: cfg.upstreamTimeoutMs,
      });
      if (res.status >= 400) throw upstreamError(api === 'track' ? 'Customer.io Track API' : 'Customer.io App API', res);
      return res;
    },
  };
}
