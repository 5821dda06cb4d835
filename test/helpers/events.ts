/** Build Lambda events of each flavour from one plain HTTP description (used by adapter and route tests). */
import type { ApiGatewayV1Event } from '../../proxy/adapters/lambda/api-gateway-v1.ts';
import type { ApiGatewayV2Event } from '../../proxy/adapters/lambda/api-gateway-v2.ts';

export type Flavour = 'v1' | 'v2' | 'url';
export const FLAVOURS: Flavour[] = ['v1', 'v2', 'url'];

export interface PlainRequest {
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the body base64-encoded, as API Gateway does for binary media types. */
  base64?: boolean;
}

export function toEvent(flavour: Flavour, r: PlainRequest): ApiGatewayV1Event | ApiGatewayV2Event {
  const raw = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  const body = raw === undefined ? undefined : r.base64 ? raw.toString('base64') : raw.toString('utf8');
  const headers = r.headers ?? {};
  const q = new URLSearchParams(r.query ?? '');
  if (flavour === 'v1') {
    const mv: Record<string, string[]> = {};
    for (const [k, v] of q) (mv[k] ??= []).push(v);
    return {
      httpMethod: r.method,
      path: r.path,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: q.size ? Object.fromEntries(q) : null,
      multiValueQueryStringParameters: q.size ? mv : null,
      body: body ?? null,
      isBase64Encoded: !!r.base64,
      requestContext: { requestId: 'req-v1', identity: { sourceIp: '203.0.113.9' }, stage: 'prod' },
    };
  }
  return {
    version: '2.0',
    routeKey: flavour === 'url' ? '$default' : `${r.method} ${r.path}`,
    rawPath: r.path,
    rawQueryString: r.query ?? '',
    headers,
    body,
    isBase64Encoded: !!r.base64,
    requestContext: {
      requestId: `req-${flavour}`,
      domainName: flavour === 'url' ? 'abc123.lambda-url.us-east-1.on.aws' : 'api.example.com',
      http: { method: r.method, path: r.path, sourceIp: '203.0.113.9' },
    },
  };
}

/** Decode a Lambda result body back to bytes. */
export function resultBody(res: { body: string; isBase64Encoded: boolean }): Buffer {
  return res.isBase64Encoded ? Buffer.from(res.body, 'base64') : Buffer.from(res.body, 'utf8');
}
