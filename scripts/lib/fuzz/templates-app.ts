/**
 * Starting requests for the app's routes, taken from the mobile pact (every route, its happy path and its
 * refusals, as the app sends them), with the pact's example credentials replaced by live ones: a JWT for the user
 * the path names (grace, an editor, for packages), the cards API token, the CRM's API key, and a Mailgun webhook
 * signature made afresh. A new route gets fuzzed as soon as its pact interaction exists.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request, type RequestModel } from './request.ts';

export const MOBILE_PACT = fileURLToPath(new URL('../../../contracts/pacts/gatehouse-mobile-app-gatehouse-proxy.json', import.meta.url));

export type RouteGroup = 'customerio' | 'cards' | 'mail' | 'packages';

export interface AppCredentials {
  /** JWTs by email. */
  jwt: Record<string, string>;
  cardsToken: string;
  mailApiKey: string;
  mailgunWebhookKey: string;
}

export interface AppTemplate {
  group: RouteGroup;
  /** Who the request is about: the JWT's user, or undefined for an anonymous one. */
  identity?: string;
  make(): RequestModel;
}

interface PactRequest {
  method: string;
  path: string;
  query?: Record<string, string[]>;
  headers?: Record<string, string[]>;
  body?: { content: unknown; contentType?: string };
}

export function groupOf(path: string): RouteGroup {
  const first = path.split('/')[1];
  if (first === 'cards' || first === 'transactions' || first === 'openapi.json') return 'cards';
  if (first === 'send-mail' || first === 'reports' || first === 'webhooks') return 'mail';
  if (first === 'packages') return 'packages';
  return 'customerio';
}

export function appTemplates(creds: AppCredentials, pactFile = MOBILE_PACT): AppTemplate[] {
  const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: { request: PactRequest }[] };
  return pact.interactions.map(({ request: r }) => {
    const group = groupOf(r.path);
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v.join(', ')]));
    const identity = headers.authorization ? userFor(r.path, group, creds) : undefined;
    return {
      group,
      identity,
      make: () => {
        const h: Record<string, string> = { ...headers };
        if (h.authorization && identity) h.authorization = `Bearer ${creds.jwt[identity]}`;
        if (h.token !== undefined) h.token = creds.cardsToken;
        if (h['x-api-key'] !== undefined) h['x-api-key'] = creds.mailApiKey;
        let json = r.body?.content;
        if (r.path === '/webhooks/mailgun' && json && typeof json === 'object') json = { ...json, signature: webhookSignature(creds.mailgunWebhookKey) };
        const query = Object.entries(r.query ?? {}).flatMap(([k, vs]) => vs.map((v) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&');
        return { ...request(r.method, r.path, { query, headers: h, json: json === undefined ? undefined : json }), identity };
      },
    };
  });
}

/** The user a signed-in request is made as: the one its path names when we hold a token for them. */
function userFor(path: string, group: RouteGroup, creds: AppCredentials): string {
  if (group === 'packages') return 'grace@example.com';
  const named = /\/customers\/([^/]+)/.exec(path)?.[1];
  const email = named ? decodeURIComponent(named) : undefined;
  return email && creds.jwt[email] ? email : 'ada@example.com';
}

/** Mailgun's webhook signature: hex HMAC-SHA256 of timestamp + token under the domain's signing key. */
function webhookSignature(key: string): { timestamp: string; token: string; signature: string } {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomBytes(25).toString('hex');
  return { timestamp, token, signature: createHmac('sha256', key).update(timestamp + token).digest('hex') };
}
