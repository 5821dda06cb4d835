/**
 * The edge's wire layer: parse the viewer request, let the state admit it, serve the object from cache or the
 * S3 origin, render CloudFront's headers and error bodies.
 *
 * Host mapping: a URL is signed for `https://<distribution domain>/key`; locally it is fetched from the edge's
 * own address. The edge rebuilds the resource URL both from the Host the request carries and with the
 * distribution's domain in its place (same scheme, path and query), so a signed URL verifies when a client
 * rewrites only its origin part (`toLocal` in index.ts does that) or sends `Host: <distribution domain>`.
 */
import type http from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Express, Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import { resolveRange, type CachedObject } from './cache.ts';
import { denialXml, errorPageHtml, originErrorXml } from './errors.ts';
import type { OriginObject, OriginResult, S3Origin } from './origin.ts';
import type { EdgeState } from './state.ts';
import { cookieSigningValues, hasUrlSignature, splitSigningParams } from './verify.ts';

export interface RouteOptions {
  state: EdgeState;
  origin: S3Origin;
  /** Honour X-Forwarded-For for the client address (tests standing in for other viewers). */
  trustForwardedFor: boolean;
}

/** The request URL as the viewer sent it; index.ts masks the signature in `req.url` before the journal sees it. */
const rawUrls = new WeakMap<http.IncomingMessage, string>();
export function rememberRawUrl(req: http.IncomingMessage, url: string): void {
  rawUrls.set(req, url);
}

export function cloudfrontRoutes(o: RouteOptions) {
  return (app: Express) => {
    app.use((req, res) => {
      serve(o, req, res).catch((e: unknown) => {
        // A bug here must cost one request, never the process: CloudFront's own 502 page, or a dropped socket.
        console.error(`[cloudfront] ${req.method} ${req.path}: ${(e as Error)?.stack ?? e}`);
        if (res.headersSent) return void res.destroy();
        const cf = edgeHeaders();
        sendError(res, req.method, 502, cf, 'text/html', errorPageHtml(502, 'The request could not be satisfied.', cf['X-Amz-Cf-Id']));
      });
    });
  };
}

async function serve(o: RouteOptions, req: Request, res: Response): Promise<void> {
  const cf = edgeHeaders();
  const raw = rawUrls.get(req) ?? req.originalUrl;
  const [path, rawQuery = ''] = raw.split(/\?(.*)/s);
  // Default allowed methods of a behaviour: GET, HEAD (CloudFront answers others with its HTML 403 page).
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, req.method, 403, cf, 'text/html', errorPageHtml(403, METHOD_NOT_ALLOWED, cf['X-Amz-Cf-Id']));
  const behavior = o.state.behavior(path);
  if (behavior.requireSignedRequests) {
    const query = splitSigningParams(rawQuery);
    const viaUrl = hasUrlSignature(query.values);
    const verdict = o.state.admit(path, {
      urls: viewerUrls(req, o.state.distribution.domainName, path, query.rest),
      credentials: viaUrl ? query.values : cookieSigningValues(parseCookies(req.headers.cookie)),
      via: viaUrl ? 'url' : 'cookie',
      clientIp: clientIp(req, o.trustForwardedFor),
    });
    if (!verdict.ok) return sendError(res, req.method, 403, cf, 'text/xml', denialXml(verdict.denial));
  } else o.state.countRequest();

  // Observed CloudFront responses: "X-Cache: Miss from cloudfront" / "Hit from cloudfront" (+ Age on hits).
  const headers = { ...cf, 'Cache-Control': `max-age=${behavior.maxAgeSeconds}` };
  const cacheKey = path;
  const now = o.state.now();
  const range = typeof req.headers.range === 'string' ? req.headers.range : undefined;
  // Ranges are cut from a cached whole object; on a miss the Range goes to S3 (206 + Content-Range as S3 answers).
  const hit = o.state.cache.lookup(cacheKey, now);
  if (hit) {
    const span = range ? resolveRange(range, hit.object.body.length) : undefined;
    if (!range || span) return sendObject(res, req.method, fromCache(hit.object, span), { ...headers, 'X-Cache': 'Hit from cloudfront', Age: String(hit.ageSeconds) });
  }
  const key = o.origin.keyFor(path);
  const got = req.method === 'HEAD' ? await o.origin.head(key) : await o.origin.get(key, range);
  if (!got.ok) return sendOriginFailure(res, req.method, got, key, cf);
  if (req.method === 'GET' && got.status === 200) o.state.cache.store(cacheKey, got, behavior.maxAgeSeconds, now);
  sendObject(res, req.method, got, { ...headers, 'X-Cache': 'Miss from cloudfront' });
}

const METHOD_NOT_ALLOWED = 'This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.';

/** The URLs the request may have been signed for: as addressed, and addressed to the distribution's domain. */
function viewerUrls(req: Request, domainName: string, path: string, restQuery: string): string[] {
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  const tail = `${path}${restQuery ? `?${restQuery}` : ''}`;
  const host = req.headers.host ?? domainName;
  return [...new Set([`${scheme}://${host}${tail}`, `${scheme}://${domainName}${tail}`])];
}

/** The socket's address; the first X-Forwarded-For entry only when configured (a test stands in for a viewer). */
function clientIp(req: Request, trustForwardedFor: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustForwardedFor && typeof forwarded === 'string' && forwarded.trim()) return forwarded.split(',')[0].trim();
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/i, '');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

function fromCache(object: CachedObject, span?: { start: number; end: number }): OriginObject {
  const total = object.body.length;
  const body = span ? object.body.subarray(span.start, span.end + 1) : object.body;
  return {
    ok: true,
    status: span ? 206 : 200,
    body,
    etag: object.etag,
    contentType: object.contentType,
    contentLength: body.length,
    lastModified: object.lastModified,
    contentRange: span ? `bytes ${span.start}-${span.end}/${total}` : undefined,
  };
}

function sendObject(res: Response, method: string, o: OriginObject, headers: Record<string, string>): void {
  const h: Record<string, string> = { ...headers, 'Accept-Ranges': 'bytes', 'Content-Length': String(o.contentLength) };
  if (o.contentType) h['Content-Type'] = o.contentType;
  if (o.etag) h.ETag = o.etag;
  if (o.lastModified) h['Last-Modified'] = o.lastModified;
  if (o.contentRange) h['Content-Range'] = o.contentRange;
  res.writeHead(o.status, h);
  res.end(method === 'HEAD' ? undefined : o.body);
}

/** S3's error passes through (status and XML body); an unreachable origin is CloudFront's own 502 page. */
function sendOriginFailure(res: Response, method: string, f: Extract<OriginResult, { ok: false }>, key: string, cf: Record<string, string>): void {
  if (f.unreachable) return sendError(res, method, 502, cf, 'text/html', errorPageHtml(502, f.message, cf['X-Amz-Cf-Id']));
  sendError(res, method, f.status, cf, 'application/xml', originErrorXml({ code: f.code, message: f.message, key, requestId: f.requestId, hostId: f.hostId }));
}

function sendError(res: Response, method: string, status: number, cf: Record<string, string>, contentType: string, body: string): void {
  // Errors are not cached here and say so as CloudFront does: "X-Cache: Error from cloudfront".
  res.writeHead(status, { ...cf, 'X-Cache': 'Error from cloudfront', 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(method === 'HEAD' ? undefined : body);
}

/** Headers every CloudFront answer carries (Server, Via with a per-edge host id, POP and request id). */
export function edgeHeaders(): Record<string, string> {
  return {
    Server: 'CloudFront',
    Via: `1.1 ${VIA_ID}.cloudfront.net (CloudFront)`,
    'X-Amz-Cf-Pop': 'LCL50-C1',
    'X-Amz-Cf-Id': `${randomBytes(42).toString('base64url').slice(0, 54)}==`,
  };
}

const VIA_ID = randomBytes(16).toString('hex');
