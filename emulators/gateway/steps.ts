/**
 * The gateway's request pipeline: an ordered list of steps over one exchange. A step edits what will be
 * forwarded, or answers early (e.g. 401). Later features (API keys, usage plans, recording) are more steps.
 */
import { IDENTITY_HEADER } from '../../proxy/auth/signature-middleware.ts';
import { randomUUID } from 'node:crypto';
import { GATEWAY_REQUEST_ID_HEADER, signRequestAsync } from './sign.ts';
import type { GatewayState } from './state.ts';
import { apiKeyCheck } from './api-keys.ts';
import type { TraceContext } from '../../proxy/core/trace-context.ts';

export interface Exchange {
  method: string;
  path: string;
  rawQuery: string;
  /** What the client sent (lower-cased names). Read-only: steps change `forward` instead. */
  readonly client: Readonly<Record<string, string>>;
  /** The headers that will go upstream. */
  forward: Record<string, string>;
  body: Buffer;
  sourceIp?: string;
  identity: { email: string } | null;
  /** The gateway's span of the request's trace (continued from the client's traceparent, or started here). */
  trace: TraceContext;
  /** What the steps did, journalled with the request (its `hop`): the gateway's part of the trace. */
  hop: GatewayHop;
}

/**
 * The gateway's hop as its journal records it: the caller (JWT user, or the API key by id — never its value), the
 * usage plan's verdict, the signature it added (by keyId). The entry itself holds status and durationMs.
 */
export interface GatewayHop {
  /** The gateway's span id; its traceparent to the proxy names it as the parent. */
  spanId: string;
  /** The client's span, when it sent a valid traceparent. */
  parentId?: string;
  /** `continued` (the client's traceparent), `started` (none sent) or `replaced` (an invalid one, dropped). */
  trace: TraceContext['origin'];
  jwt?: { user: string } | { refused: string };
  apiKey?: { keyId?: string; usagePlanId?: string; verdict: 'ok' | 'forbidden' | 'throttled' | 'quota_exceeded' };
  signature?: { keyId: string };
}

export interface EarlyReply {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export type Step = (x: Exchange, state: GatewayState) => Promise<EarlyReply | void>;

// RFC 9110 §7.6.1: connection-specific fields are not forwarded by intermediaries.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** Hop-by-hop headers, plus any the Connection header names, removed. */
export function endToEnd<T extends string | string[]>(headers: Record<string, T>): Record<string, T> {
  const named = String(headers.connection ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const drop = new Set([...HOP_BY_HOP, ...named]);
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k)));
}

const unauthorized = (reason: string): EarlyReply => ({
  status: 401,
  // Shape and header from API Gateway's JWT authorizer (docs: http-api-troubleshooting-jwt).
  headers: { 'www-authenticate': `Bearer scope="" error="invalid_token" error_description="${reason}"` },
  body: { message: 'Unauthorized' },
});

/** A Bearer JWT is optional; when present it must verify, and then it names the caller. */
export const authenticateBearer: Step = async (x, state) => {
  const auth = x.client.authorization;
  if (auth === undefined) return;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  const check = m ? await state.verifyToken(m[1]) : { ok: false as const, reason: 'the Authorization header is not a Bearer token' };
  if (!check.ok) {
    x.hop.jwt = { refused: check.reason };
    return unauthorized(check.reason);
  }
  x.identity = { email: check.email };
  x.hop.jwt = { user: check.email };
};

/** Clients must never be able to spoof what the proxy trusts, so the gateway removes all of it. */
export const stripClientCredentials: Step = async (x) => {
  for (const h of ['authorization', 'signature', 'digest', 'date', IDENTITY_HEADER]) delete x.forward[h];
};

export const injectIdentity: Step = async (x) => {
  if (x.identity) x.forward[IDENTITY_HEADER] = x.identity.email;
};

/**
 * Adds Date, Digest and a request id of the gateway's own (API Gateway's $context.requestId; never the client's)
 * and signs for the proxy, with Host set to the upstream's. The id makes every signature unique, so the proxy can
 * refuse a second arrival of one as a replay without refusing two identical requests signed in the same second.
 */
export const signForUpstream: Step = async (x, state) => {
  x.forward.host = state.upstream.host;
  x.forward[GATEWAY_REQUEST_ID_HEADER] = randomUUID();
  x.forward['content-length'] = String(x.body.length);
  if (x.sourceIp) x.forward['x-forwarded-for'] = x.forward['x-forwarded-for'] ? `${x.forward['x-forwarded-for']}, ${x.sourceIp}` : x.sourceIp;
  // The ring's active key, read per request: a rotation switches the signer between two requests.
  const key = state.keys.signing.active();
  const added = await signRequestAsync({ method: x.method, path: x.path, rawQuery: x.rawQuery, headers: x.forward, body: x.body }, key.privateKeyPem, { keyId: key.keyId });
  Object.assign(x.forward, added);
  x.hop.signature = { keyId: key.keyId };
};

/** x-api-key and usage plans on the routes fixtures/gateway/api-keys.json names (other routes are untouched). */
export const checkApiKey: Step = apiKeyCheck();

export const DEFAULT_STEPS: Step[] = [checkApiKey, authenticateBearer, stripClientCredentials, injectIdentity, signForUpstream];

export async function runSteps(steps: Step[], x: Exchange, state: GatewayState): Promise<EarlyReply | void> {
  for (const step of steps) {
    const early = await step(x, state);
    if (early) return early;
  }
}
