/**
 * Customer.io's two APIs as the proxy calls them: Track (Basic site_id:api_key) and App (Bearer app key).
 * Credentials are added here and nowhere else; they never come from, or go back to, the mobile app.
 *
 * The keys are read per call from the live secrets, so a new version in the store is used as soon as the chain
 * has it (its refresh interval). When Customer.io refuses the keys (401/403) — the old key was revoked before
 * this container re-read the store — the store is read again once and, if the keys changed, the call is retried
 * with the new ones: a key rotation costs no request and no cold start.
 */
import { upstreamError } from '../../core/upstream.ts';
import type { HttpClient, OutboundResponse } from '../../core/http-client.ts';
import type { Secrets } from '../../secrets/chain.ts';
import type { CustomerioConfig } from './config.ts';

export type Api = 'track' | 'app';

export interface CustomerioClient {
  /** `path` is relative to the API base ("customers/x/events"). */
  call(api: Api, method: string, path: string, body?: unknown, query?: URLSearchParams): Promise<OutboundResponse>;
}

export interface Keys {
  siteId: string;
  trackApiKey: string;
  appApiKey: string;
}

export interface CustomerioKeys {
  current(): Keys;
  /** Re-read the store (a read that starts after this call). */
  reread(reason: string): Promise<unknown>;
}

/** The keys as the live secrets hold them now. */
export function liveCustomerioKeys(secrets: Secrets, cfg: CustomerioConfig): CustomerioKeys {
  return {
    current: () => ({
      siteId: secrets.get('CIO_SITE_ID') ?? cfg.siteId,
      trackApiKey: secrets.get('CIO_API_KEY') ?? cfg.trackApiKey,
      appApiKey: secrets.get('CIO_APP_API_KEY') ?? cfg.appApiKey,
    }),
    reread: (reason) => secrets.refresh(reason),
  };
}

/** The keys of the configuration, never re-read (contract tests, scripts). */
const fixedKeys = (cfg: CustomerioConfig): CustomerioKeys => ({ current: () => cfg, reread: async () => undefined });

const sameKeys = (api: Api, a: Keys, b: Keys) => (api === 'track' ? a.siteId === b.siteId && a.trackApiKey === b.trackApiKey : a.appApiKey === b.appApiKey);

export function customerioClient(cfg: CustomerioConfig, http: HttpClient, keys: CustomerioKeys = fixedKeys(cfg)): CustomerioClient {
  return {
    async call(api, method, path, body, query) {
      const base = api === 'track' ? cfg.trackBaseUrl : cfg.appBaseUrl;
      const url = new URL(path, base);
      if (query) url.search = query.toString();
      const send = (k: Keys) =>
        http.send({
          upstream: api === 'track' ? 'customerio-track' : 'customerio-app',
          method,
          url: url.toString(),
          headers: {
            authorization: api === 'track' ? 'Basic ' + Buffer.from(`${k.siteId}:${k.trackApiKey}`).toString('base64') : `Bearer ${k.appApiKey}`,
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          timeoutMs: cfg.upstreamTimeoutMs,
        });
      const used = keys.current();
      let res = await send(used);
      if (res.status === 401 || res.status === 403) {
        // Retry once if the keys are no longer the ones refused: another request's re-read may already have them.
        if (sameKeys(api, keys.current(), used)) await keys.reread(`Customer.io ${api} API answered ${res.status}`);
        const now = keys.current();
        if (!sameKeys(api, now, used)) res = await send(now);
      }
      if (res.status >= 400) throw upstreamError(api === 'track' ? 'Customer.io Track API' : 'Customer.io App API', res);
      return res;
    },
  };
}
