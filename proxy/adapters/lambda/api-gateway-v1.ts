/** API Gateway REST API (payload format 1.0) proxy integration events. */
import type { ProxyRequest, ProxyResponse } from '../../core/types.ts';
import { encodeBody } from '../../core/app.ts';
import { decodeEventBody, encodeResultBody, lowerHeaders } from './shared.ts';

export interface ApiGatewayV1Event {
  httpMethod: string;
  path: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  multiValueQueryStringParameters?: Record<string, string[] | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; identity?: { sourceIp?: string }; stage?: string };
}

export const isV1 = (e: unknown): e is ApiGatewayV1Event =>
  !!e && typeof e === 'object' && typeof (e as ApiGatewayV1Event).httpMethod === 'string';

export function fromV1(e: ApiGatewayV1Event, fallbackId: string): ProxyRequest {
  // multiValue* carry every repeated value; the single-value maps keep only the last one.
  const headers = e.multiValueHeaders
    ? lowerHeaders(Object.fromEntries(Object.entries(e.multiValueHeaders).map(([k, v]) => [k, (v ?? []).join(', ')])))
    : lowerHeaders(e.headers ?? {});
  const q = new URLSearchParams();
  if (e.multiValueQueryStringParameters) {
    for (const [k, vs] of Object.entries(e.multiValueQueryStringParameters)) for (const v of vs ?? []) q.append(k, v);
  } else {
    for (const [k, v] of Object.entries(e.queryStringParameters ?? {})) if (v !== undefined) q.append(k, v);
  }
  return {
    method: e.httpMethod.toUpperCase(),
    path: e.path,
    rawQuery: q.toString(),
    headers,
    body: decodeEventBody(e.body, e.isBase64Encoded),
    sourceIp: e.requestContext?.identity?.sourceIp,
    requestId: e.requestContext?.requestId ?? fallbackId,
  };
}

export interface ApiGatewayV1Result {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: boolean;
}

export function toV1(res: ProxyResponse): ApiGatewayV1Result {
  const { body, contentType } = encodeBody(res);
  const headers: Record<string, string> = { ...(contentType ? { 'content-type': contentType } : {}), ...(res.headers ?? {}) };
  return { statusCode: res.status, headers, ...encodeResultBody(body, headers['content-type']) };
}
