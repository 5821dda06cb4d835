/**
 * The edge's error shape for refusals no service made (Node's parser errors, unexpected throws): the JSON
 * service the request names by `X-Amz-Target` answers `{"__type","message"}` in its content type; anything
 * else is S3's, the edge's default service, as XML.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ErrorShape, WireProblem } from '../shared/http-guard.ts';
import type { AwsJsonError } from './edge.ts';

/** Any edge service; those with `error` and `contentType` speak AWS JSON. */
interface JsonErrorMaker {
  name: string;
  contentType?: string;
  error?(type: string, status: number, message: string): AwsJsonError;
}

/** JSON error names per problem code (the names AWS's JSON services use for these statuses). */
const JSON_TYPES: Record<string, string> = {
  bad_request: 'SerializationException',
  header_too_large: 'RequestHeaderFieldsTooLarge',
  request_timeout: 'RequestTimeoutException',
  chunk_extensions_too_large: 'RequestEntityTooLarge',
  internal_error: 'InternalFailure',
};

/**
 * S3's codes. Observed: a request S3 cannot parse answers 400 BadRequest "An error occurred when parsing the
 * HTTP request." (aws/aws-sdk-cpp#1559); oversized headers are 400 RequestHeaderSectionTooLarge (S3 error codes list).
 */
const S3_ERRORS: Record<string, [status: number, code: string, message?: string]> = {
  bad_request: [400, 'BadRequest', 'An error occurred when parsing the HTTP request.'],
  header_too_large: [400, 'RequestHeaderSectionTooLarge', 'Your request header section exceeds the maximum allowed size.'],
  request_timeout: [400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period.'],
  internal_error: [500, 'InternalError', 'We encountered an internal error. Please try again.'],
};

/** What the edge routes by: a request's headers and target (a parsed request, or what the parser had read). */
export interface RoutedBy {
  headers: http.IncomingHttpHeaders;
  url?: string;
}

/**
 * The shape of the service the edge would have sent the request to (`pick` in edge.ts: target, credential scope,
 * host), so a refusal made before any service ran still comes in that service's shape.
 */
export function edgeErrorShape(pick: (r: RoutedBy) => JsonErrorMaker): ErrorShape {
  return (problem, { rawPacket, req }) => {
    const service = pick(req ?? headersIn(rawPacket));
    if (service.error && service.contentType) return jsonError(service as Required<JsonErrorMaker>, problem);
    if (service.name === 'dynamodb') {
      return { contentType: 'application/x-amz-json-1.0', body: JSON.stringify({ __type: `com.amazon.coral.service#${JSON_TYPES[problem.code] ?? 'SerializationException'}`, message: problem.message }) };
    }
    return s3Error(problem);
  };
}

function jsonError(service: Required<JsonErrorMaker>, problem: WireProblem) {
  const e = service.error(JSON_TYPES[problem.code] ?? 'SerializationException', problem.status, problem.message);
  return { status: e.status, contentType: service.contentType, headers: e.headers, body: JSON.stringify({ __type: e.type, message: e.message }) };
}

function s3Error(problem: WireProblem) {
  const [status, code, message] = S3_ERRORS[problem.code] ?? [problem.status, 'InvalidRequest', problem.message];
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message ?? problem.message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
  return { status, contentType: 'application/xml', body };
}

/** The routing headers among what the parser had read when it gave up (as far as it got). */
function headersIn(raw: Buffer | undefined): RoutedBy {
  const text = raw ? raw.subarray(0, 64 * 1024).toString('latin1') : '';
  const line = (name: string) => new RegExp(`\\r\\n${name}:[ \\t]*([^\\r\\n]*)`, 'i').exec(text)?.[1];
  const headers: http.IncomingHttpHeaders = { 'x-amz-target': line('x-amz-target'), authorization: line('authorization'), host: line('host') };
  return { headers, url: /^[A-Z]+ (\S+)/.exec(text)?.[1] };
}

const escapeXml = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);
