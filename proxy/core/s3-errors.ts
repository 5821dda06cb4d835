/**
 * What an S3 failure means to the app, in one place for every route that reads S3 (reports, /send-mail's report
 * links, the packages S3 proxy's probe). Seed 002 names the meanings its S3 browser shows (S3ErrorTypes):
 * NoSuchKey "File not found or has been moved" → 404, AccessDenied "Insufficient permissions to access file" → 403,
 * ThrottlingException "Too many requests, please try again" → 429 with Retry-After; anything else is S3 failing
 * us → 502 `aws_unavailable`, as `awsCall` answers for the other AWS services.
 *
 * Two sources: an AWS SDK exception (`name` is S3's error code; a HEAD has no body, so the SDK names it from the
 * status: 404 → NotFound, 403 → Forbidden) and a raw answer (the S3 proxy's probe through a presigned URL: the
 * status and the `<Code>` of S3's XML error body).
 */
import { ProxyError } from './errors.ts';
import { UpstreamUnavailable } from './http-client.ts';

export interface S3Failure {
  /** S3's error code (`NoSuchKey`, `SlowDown` …); absent for a bodyless answer (HEAD). */
  code?: string;
  status?: number;
  /** The answer's Retry-After, if it had one. */
  retryAfter?: string;
}

export interface S3ErrorContext {
  /** The operation, for logs and details ("S3 ListObjectsV2 (reports)"). */
  what: string;
  /**
   * Whose credentials S3 judged. The proxy's own (the SDK's signature): a refused signature or key is our fault →
   * 502. The caller's (a presigned URL it handed us): every 403 is the caller's → 403.
   */
  credentials: 'ours' | 'callers';
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
// S3 error responses (S3 API reference, "Error responses"): SlowDown is S3's throttle; the others are the names the
// SDKs and other AWS services give the same signal, kept so a proxy or LocalStack in between is understood too.
const THROTTLED = new Set(['SlowDown', 'ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException', 'RequestThrottled']);
const DENIED = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled']);
// S3 refusing the proxy's own signature or key: a broken deployment, not the caller's business.
const OUR_CREDENTIALS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired', 'RequestTimeTooSkewed']);

/** Seconds to tell the app when S3 gave no Retry-After (S3's SlowDown carries none; seed 002 backs off from 1 s). */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function s3Error(f: S3Failure, ctx: S3ErrorContext): ProxyError {
  const details = { service: 'S3', operation: ctx.what, awsCode: f.code, awsStatus: f.status };
  if ((f.code && NOT_FOUND.has(f.code)) || (!f.code && f.status === 404)) {
    return new ProxyError(404, 'object_not_found', 'File not found or has been moved', details);
  }
  // A HEAD's 503 has no body to name it; S3's 503 on a read is SlowDown ("Please reduce your request rate").
  if ((f.code && THROTTLED.has(f.code)) || f.status === 429 || (f.status === 503 && (!f.code || f.code === 'SlowDown'))) {
    const retryAfter = retryAfterSeconds(f.retryAfter);
    return new ProxyError(429, 'upstream_rate_limited', 'Too many requests, please try again', { ...details, upstream: 'S3', retryAfter }, { 'retry-after': retryAfter });
  }
  const refusedUs = f.code ? OUR_CREDENTIALS.has(f.code) : false;
  if ((f.code && DENIED.has(f.code)) || (f.status === 403 && (ctx.credentials === 'callers' || !refusedUs))) {
    return new ProxyError(403, 'access_denied', 'Insufficient permissions to access file', details);
  }
  return new ProxyError(502, 'aws_unavailable', `${ctx.what} failed`, { ...details, error: f.code ?? 'Error' });
}

/** An AWS SDK exception (or a failure to reach S3 at all) as the app should see it. */
export function s3ErrorOf(e: unknown, ctx: S3ErrorContext): ProxyError {
  if (e instanceof ProxyError) return e;
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> }; cause?: unknown };
  if (err?.cause instanceof UpstreamUnavailable || !err?.$metadata?.httpStatusCode) {
    // Not answered (timeout, refused connection, no playback fixture): S3 is unavailable, say which and why.
    const reach = err?.cause instanceof UpstreamUnavailable ? { upstream: err.cause.details?.upstream, reason: err.cause.message } : {};
    return new ProxyError(502, 'aws_unavailable', `${ctx.what} failed`, { service: 'S3', operation: ctx.what, error: err?.name ?? 'Error', ...reach });
  }
  const code = err.Code ?? (err.name && !/^(Unknown|\d+)/.test(err.name) && err.name !== 'S3ServiceException' ? err.name : undefined);
  return s3Error({ code, status: err.$metadata.httpStatusCode, retryAfter: header(err.$response?.headers, 'retry-after') }, ctx);
}

/** An S3 call through the SDK whose failure is answered by its meaning. */
export async function s3Call<T>(ctx: S3ErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw s3ErrorOf(e, ctx);
  }
}

/** The `<Code>` of S3's XML error body (`<Error><Code>NoSuchKey</Code>…`), if there is one. */
export function s3ErrorCode(xml: string): string | undefined {
  return /<Error>[\s\S]{0,200}?<Code>([A-Za-z0-9.]{1,64})<\/Code>/.exec(xml.slice(0, 4096))?.[1];
}

/** Retry-After in seconds: S3's own when it is a number of seconds or an HTTP date, else the default. */
function retryAfterSeconds(v: string | undefined): string {
  if (v && /^\d{1,6}$/.test(v.trim())) return v.trim();
  const at = v ? Date.parse(v) : NaN;
  if (Number.isFinite(at)) return String(Math.max(1, Math.ceil((at - Date.now()) / 1000)));
  return String(DEFAULT_RETRY_AFTER_SECONDS);
}

const header = (h: Record<string, string> | undefined, name: string): string | undefined => {
  for (const k in h ?? {}) if (k.toLowerCase() === name) return h![k];
  return undefined;
};
