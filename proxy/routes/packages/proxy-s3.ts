/**
 * GET|HEAD|OPTIONS /packages/proxy/s3?presigned_url= (seed 003): no user needed, the presigned URL is the
 * credential. Only a strict presigned S3 URL of an allow-listed bucket is followed (presigned-url.ts); GET
 * answers 307 to it, HEAD fetches the object's metadata through it (one byte, so S3 itself checks the
 * signature), OPTIONS answers the browser's preflight.
 */
import { ProxyError } from '../../core/errors.ts';
import type { HttpClient, OutboundResponse } from '../../core/http-client.ts';
import { s3Error, s3ErrorCode } from '../../core/s3-errors.ts';
import type { Deps, Handler, ProxyResponse, RouteRequest } from '../../core/types.ts';
import { corsHeaders, preflightResponse, type CorsPolicy } from '../../core/cors.ts';
import { packagesOf } from './deps.ts';
import { checkPresignedUrl, type Accepted } from './presigned-url.ts';

/** A viewer page reads objects (GET, HEAD) with conditional and range requests; ETag is what it revalidates with. */
const corsPolicy = (deps: Deps): CorsPolicy => ({
  origins: packagesOf(deps).cfg.corsAllowedOrigins,
  methods: ['GET', 'HEAD'],
  requestHeaders: REQUEST_HEADERS,
  exposeHeaders: ['ETag'],
  maxAgeSeconds: 600,
});
const REQUEST_HEADERS: ReadonlySet<string> = new Set(['range', 'if-none-match', 'if-match', 'if-modified-since', 'content-type', 'authorization']);

function accept(req: RouteRequest, deps: Deps): Accepted {
  const { cfg } = packagesOf(deps);
  const verdict = checkPresignedUrl(req.query.get('presigned_url'), {
    allowedBuckets: cfg.proxyAllowedBuckets,
    localEndpoint: cfg.s3Endpoint,
    maxLength: cfg.proxyMaxUrlLength,
    now: deps.clock.now(),
  });
  if (!verdict.ok) {
    // CORS headers on refusals too, so a browser page can read the reason.
    throw new ProxyError(verdict.status, verdict.reason, verdict.message, undefined, corsHeaders(req, corsPolicy(deps)));
  }
  return verdict;
}

export const proxyS3Get: Handler = async (req, deps) => {
  if (req.method.toUpperCase() === 'HEAD') return proxyS3Head(req, deps);
  const target = accept(req, deps);
  const cors = corsHeaders(req, corsPolicy(deps));
  return { status: 307, headers: { ...cors, location: target.url.toString(), 'cache-control': 'no-store' }, body: '' };
};

/** S3 headers a HEAD passes on (metadata only); Content-Length is rebuilt from Content-Range below. */
const META = ['etag', 'content-type', 'last-modified', 'x-amz-version-id', 'cache-control', 'content-encoding', 'content-disposition'];

/**
 * HEAD answers as S3's HeadObject would (S3 API reference, HeadObject: Content-Length, ETag, Content-Type,
 * Last-Modified, Accept-Ranges): what a browser's `fetch(url, {method: 'HEAD'})` reads to size a download.
 */
async function proxyS3Head(req: RouteRequest, deps: Deps): Promise<ProxyResponse> {
  const target = accept(req, deps);
  const cors = corsHeaders(req, corsPolicy(deps));
  const res = await probePresigned(deps.http, target.url.toString());
  const headers: Record<string, string> = { ...cors };
  for (const h of META) if (res.headers[h]) headers[h] = res.headers[h];
  const size = objectSize(res.status, res.headers);
  if (size === undefined) {
    // S3's refusal by its meaning (missing 404, throttled 429 + Retry-After, denied 403, failing 502); the presigned
    // URL is the caller's credential, so a signature S3 refuses is the caller's 403. HEAD carries no body.
    const e = s3Error({ status: res.status, code: s3ErrorCode(res.text()), retryAfter: res.headers['retry-after'] }, { what: 'S3 GetObject (presigned probe)', credentials: 'callers' });
    return { status: e.status, headers: { ...headers, ...e.headers }, body: '' };
  }
  return { status: 200, headers: { ...headers, 'content-length': String(size), 'accept-ranges': 'bytes' }, body: '' };
}

/** One byte through a presigned GET URL: a presigned URL signs the method, so HEAD on it would fail; a ranged GET does not. */
export function probePresigned(http: HttpClient, url: string): Promise<OutboundResponse> {
  return http.send({ upstream: 's3', method: 'GET', url, headers: { range: 'bytes=0-0' }, timeoutMs: 5_000 });
}

/**
 * The whole object's size from the ranged answer: 206 carries it after the slash of Content-Range
 * ("bytes 0-0/1234"), a 200 (range ignored) in Content-Length, and 416 means the object exists but is empty
 * (S3 answers InvalidRange for bytes=0-0 of a 0-byte object). Undefined: S3 refused or has no such object.
 */
function objectSize(status: number, h: Record<string, string>): number | undefined {
  if (status === 206) return Number(/\/(\d+)$/.exec(h['content-range'] ?? '')?.[1] ?? NaN) || undefined;
  if (status === 200) return Number(h['content-length'] ?? 0);
  if (status === 416) return 0;
  return undefined;
}

export const proxyS3Options: Handler = async (req, deps) => {
  return preflightResponse(req, corsPolicy(deps));
};
