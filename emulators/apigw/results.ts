/**
 * Turn what a handler returned (or how it failed) into the HTTP answer API Gateway / a Function URL would send.
 */
import type { Flavour } from './events.ts';

export interface HttpReply {
  status: number;
  /** Header pairs; a name may repeat (Set-Cookie). */
  headers: [string, string][];
  body: Buffer;
}

export type GatewayFailure = 'function_error' | 'timeout' | 'no_route';

const json = (status: number, body: string, extra: [string, string][] = []): HttpReply =>
  ({ status, headers: [['content-type', 'application/json'], ...extra], body: Buffer.from(body) });

const GATEWAY_FAILURES: Record<Flavour, Record<GatewayFailure, () => HttpReply>> = {
  v1: {
    // docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html: function error or malformed result → 502.
    function_error: () => json(502, '{"message": "Internal server error"}', [['x-amzn-ErrorType', 'InternalServerErrorException']]),
    // repost.aws/knowledge-center/api-gateway-504-errors: integration timeout → 504 (REST).
    timeout: () => json(504, '{"message": "Endpoint request timed out"}'),
    // Observed REST answer for a path no resource matches.
    no_route: () => json(403, '{"message":"Missing Authentication Token"}', [['x-amzn-ErrorType', 'MissingAuthenticationTokenException']]),
  },
  v2: {
    // Observed HTTP API answer to a throwing handler (aws/aws-sam-cli#2590): 500, capitalised message.
    function_error: () => json(500, '{"message":"Internal Server Error"}'),
    // HTTP API integration timeout → 503 Service Unavailable (observed: docs.v2.api.ourbranch.com/timeouts).
    timeout: () => json(503, '{"message":"Service Unavailable"}'),
    no_route: () => json(404, '{"message":"Not Found"}'),
  },
  url: {
    // A Function URL has no gateway in front: an error or a function timeout ("Task timed out") is a function
    // error, answered 502 like Lambda's other HTTP fronts (services-apigateway-errors.html).
    function_error: () => json(502, '{"message":"Internal Server Error"}'),
    timeout: () => json(502, '{"message":"Internal Server Error"}'),
    no_route: () => json(404, '{"message":"Not Found"}'),
  },
};

export const gatewayFailure = (flavour: Flavour, failure: GatewayFailure): HttpReply => GATEWAY_FAILURES[flavour][failure]();

// Node computes these for the bytes it actually sends.
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection']);

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const scalar = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v);

function decodeBody(body: unknown, base64: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  return base64 === true ? Buffer.from(String(body), 'base64') : Buffer.from(String(body), 'utf8');
}

/** Payload 1.0 result; anything off-contract is "Malformed Lambda proxy response" → 502 (knowledge-center/malformed-502-api-gateway). */
export function replyFromV1(result: unknown): HttpReply {
  if (!isRecord(result) || !Number.isInteger(Number(result.statusCode))) return gatewayFailure('v1', 'function_error');
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return gatewayFailure('v1', 'function_error');
  const single = result.headers ?? {};
  const multi = result.multiValueHeaders ?? {};
  if (!isRecord(single) || !isRecord(multi)) return gatewayFailure('v1', 'function_error');
  // Both maps are merged; where a name is in both, only the multiValueHeaders values are sent (payload 1.0 docs).
  const headers: [string, string][] = [];
  const multiNames = new Set(Object.keys(multi).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(single)) {
    if (!scalar(v)) return gatewayFailure('v1', 'function_error');
    if (!multiNames.has(k.toLowerCase())) headers.push([k, String(v)]);
  }
  for (const [k, vs] of Object.entries(multi)) {
    if (!Array.isArray(vs) || !vs.every(scalar)) return gatewayFailure('v1', 'function_error');
    for (const v of vs) headers.push([k, String(v)]);
  }
  return { status: Number(result.statusCode), headers: withoutFraming(headers), body: decodeBody(result.body, result.isBase64Encoded) };
}

/**
 * Payload 2.0 result (HTTP API and Function URL). Without a statusCode the result itself is the body: 200,
 * application/json (repost.aws/knowledge-center/api-gateway-status-codes-http-api). `cookies` become Set-Cookie headers.
 */
export function replyFromV2(flavour: 'v2' | 'url', result: unknown): HttpReply {
  if (!isRecord(result) || result.statusCode === undefined) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(body) };
  }
  const headersIn = result.headers ?? {};
  const cookies = result.cookies ?? [];
  const badBody = result.body !== undefined && result.body !== null && typeof result.body !== 'string';
  if (!Number.isInteger(Number(result.statusCode)) || badBody || !isRecord(headersIn) || !Array.isArray(cookies)) return gatewayFailure(flavour, 'function_error');
  const headers: [string, string][] = [];
  for (const [k, v] of Object.entries(headersIn)) {
    if (!scalar(v)) return gatewayFailure(flavour, 'function_error');
    headers.push([k, String(v)]);
  }
  for (const c of cookies) headers.push(['set-cookie', String(c)]);
  return { status: Number(result.statusCode), headers: withoutFraming(headers), body: decodeBody(result.body, result.isBase64Encoded) };
}

export const replyFromResult = (flavour: Flavour, result: unknown): HttpReply =>
  (flavour === 'v1' ? replyFromV1(result) : replyFromV2(flavour, result));

function withoutFraming(headers: [string, string][]): [string, string][] {
  return headers.filter(([k]) => !FRAMING.has(k.toLowerCase()));
}
