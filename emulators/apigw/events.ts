/**
 * Build the Lambda events API Gateway sends, from one plain HTTP request: REST API proxy events (payload 1.0),
 * HTTP API events (payload 2.0) and Function URL events (payload 2.0 with the lambda-url domain).
 * Shapes: docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html (1.0),
 * .../http-api-develop-integrations-lambda.html (2.0), docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html.
 */
import { randomUUID } from 'node:crypto';

export type Flavour = 'v1' | 'v2' | 'url';
export const FLAVOURS: Flavour[] = ['v1', 'v2', 'url'];

export interface HttpRequestDescription {
  method: string;
  /** Path as sent (still percent-encoded). */
  path: string;
  /** Query string as sent, without '?'. */
  query?: string;
  /** Header pairs in arrival order (repeats allowed), or a map. */
  headers?: [string, string][] | Record<string, string>;
  body?: Buffer | string;
  /** Force base64 (true) or text (false); by default non-text content types travel base64. */
  base64?: boolean;
  sourceIp?: string;
  requestId?: string;
  /** HTTP API route key, e.g. "ANY /cards/{proxy+}" ($default when omitted). */
  routeKey?: string;
}

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
const API_ID = 'gatehouse1';
const URL_ID = 'gatehouselocalurlid0000000000000';

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;
export const isTextual = (contentType: string | undefined): boolean => !!contentType && TEXTUAL.test(contentType);

const pairsOf = (h: HttpRequestDescription['headers']): [string, string][] => (Array.isArray(h) ? h : Object.entries(h ?? {}));

function encodeBody(r: HttpRequestDescription, pairs: [string, string][]): { body: string | undefined; isBase64Encoded: boolean } {
  const raw = r.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  const contentType = pairs.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const base64 = r.base64 ?? (raw.length > 0 && !isTextual(contentType));
  if (raw.length === 0) return { body: undefined, isBase64Encoded: base64 };
  return { body: base64 ? raw.toString('base64') : raw.toString('utf8'), isBase64Encoded: base64 };
}

/** "12/Mar/2020:19:03:58 +0000", the requestContext time format both payloads use. */
function clfTime(d: Date): string {
  const mon = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

const userAgentOf = (pairs: [string, string][]) => pairs.find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? '';

export function toV1Event(r: HttpRequestDescription) {
  const pairs = pairsOf(r.headers);
  // Payload 1.0: `headers` keeps the last value of a repeated header, `multiValueHeaders` keeps them all.
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [k, v] of pairs) {
    const name = Object.keys(multiValueHeaders).find((n) => n.toLowerCase() === k.toLowerCase()) ?? k;
    (multiValueHeaders[name] ??= []).push(v);
    headers[name] = v;
  }
  const q = new URLSearchParams(r.query ?? '');
  const mvq: Record<string, string[]> = {};
  for (const [k, v] of q) (mvq[k] ??= []).push(v);
  const now = new Date();
  const requestId = r.requestId ?? randomUUID();
  const { body, isBase64Encoded } = encodeBody(r, pairs);
  return {
    resource: '/{proxy+}',
    path: r.path,
    httpMethod: r.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: q.size ? Object.fromEntries(q) : null,
    multiValueQueryStringParameters: q.size ? mvq : null,
    pathParameters: r.path.length > 1 ? { proxy: r.path.slice(1) } : null,
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT_ID, apiId: API_ID, resourceId: 'proxy0', resourcePath: '/{proxy+}',
      httpMethod: r.method.toUpperCase(), path: `/prod${r.path}`, stage: 'prod', protocol: 'HTTP/1.1',
      requestId, extendedRequestId: requestId.slice(0, 16), requestTime: clfTime(now), requestTimeEpoch: now.getTime(),
      domainName: `${API_ID}.execute-api.${REGION}.amazonaws.com`, domainPrefix: API_ID,
      identity: { sourceIp: r.sourceIp ?? '127.0.0.1', userAgent: userAgentOf(pairs) },
    },
    body: body ?? null,
    isBase64Encoded,
  };
}

export function toV2Event(r: HttpRequestDescription, flavour: 'v2' | 'url' = 'v2') {
  const pairs = pairsOf(r.headers);
  // Payload 2.0: header names lower-cased, repeats joined with commas, Cookie headers moved into `cookies`.
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [k, v] of pairs) {
    const name = k.toLowerCase();
    if (name === 'cookie') cookies.push(...v.split(/;\s*/).filter(Boolean));
    else headers[name] = headers[name] === undefined ? v : `${headers[name]},${v}`;
  }
  const q = new URLSearchParams(r.query ?? '');
  const qs: Record<string, string> = {};
  for (const [k, v] of q) qs[k] = qs[k] === undefined ? v : `${qs[k]},${v}`;
  const apiId = flavour === 'url' ? URL_ID : API_ID;
  const domainName = flavour === 'url' ? `${URL_ID}.lambda-url.${REGION}.on.aws` : `${API_ID}.execute-api.${REGION}.amazonaws.com`;
  const routeKey = flavour === 'url' ? '$default' : (r.routeKey ?? '$default');
  const now = new Date();
  const { body, isBase64Encoded } = encodeBody(r, pairs);
  return {
    version: '2.0' as const,
    routeKey,
    rawPath: r.path,
    rawQueryString: r.query ?? '',
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(q.size ? { queryStringParameters: qs } : {}),
    requestContext: {
      accountId: flavour === 'url' ? 'anonymous' : ACCOUNT_ID, apiId, domainName, domainPrefix: apiId,
      http: { method: r.method.toUpperCase(), path: r.path, protocol: 'HTTP/1.1', sourceIp: r.sourceIp ?? '127.0.0.1', userAgent: userAgentOf(pairs) },
      requestId: r.requestId ?? randomUUID(), routeKey, stage: '$default', time: clfTime(now), timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded,
  };
}

export type V1Event = ReturnType<typeof toV1Event>;
export type V2Event = ReturnType<typeof toV2Event>;

export function toEvent(flavour: Flavour, r: HttpRequestDescription): V1Event | V2Event {
  return flavour === 'v1' ? toV1Event(r) : toV2Event(r, flavour);
}
