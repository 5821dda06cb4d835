/**
 * API Gateway HTTP API (payload format 2.0) events. Lambda Function URL events use the same payload format
 * (they differ only in `requestContext.domainName` = `<id>.lambda-url.<region>.on.aws` and `routeKey` = `$default`),
 * so this one file serves both.
 */
import type { ProxyRequest, ProxyResponse } from '../../core/types.ts';
import { encodeBody } from '../../core/app.ts';
import { decodeEventBody, encodeResultBody, lowerHeaders } from './shared.ts';

export interface ApiGatewayV2Event {
  version: '2.0';
  routeKey?: string;
  rawPath: string;
  rawQueryString?: string;
  cookies?: string[];
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { requestId?: string; domainName?: string; http: { method: string; path?: string; sourceIp?: string } };
}

export const isV2 = (e: unknown): e is ApiGatewayV2Event =>
  !!e && typeof e === 'object' && (e as ApiGatewayV2Event).version === '2.0' && !!(e as ApiGatewayV2Event).requestContext?.http;

export function fromV2(e: ApiGatewayV2Event, fallbackId: string): ProxyRequest {
  const headers = lowerHeaders(e.headers ?? {});
  // Payload 2.0 moves Cookie headers into `cookies`; put them back so handlers see one shape.
  if (e.cookies?.length) headers['cookie'] = e.cookies.join('; ');
  return {
    method: e.requestContext.http.method.toUpperCase(),
    path: e.rawPath,
    rawQuery: e.rawQueryString ?? '',
    headers,
    body: decodeEventBody(e.body, e.isBase64Encoded),
    sourceIp: e.requestContext.http.sourceIp,
    requestId: e.requestContext.requestId ?? fallbackId,
  };
}

export interface ApiGatewayV2Result {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export function toV2(res: ProxyResponse): ApiGatewayV2Result {
  const { body, contentType } = encodeBody(res);
  const headers: Record<string, string> = { ...(contentType ? { 'content-type': contentType } : {}), ...(res.headers ?? {}) };
  const cookies = headers['set-cookie'] ? [headers['set-cookie']] : undefined;
  delete headers['set-cookie'];
  return { statusCode: res.status, headers, ...(cookies ? { cookies } : {}), ...encodeResultBody(body, headers['content-type']) };
}
