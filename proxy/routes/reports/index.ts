/**
 * Report browsing (seed 002's S3 browser, server side): folders and files one level at a time, 50 per page, and
 * a presigned GET valid one hour for a single file. Keys are checked in keys.ts before S3 sees them.
 *
 * A browser page on another origin (the CRM's file browser, the local console) calls these with its API key, so
 * they answer CORS for the configured origins (PROXY_CORS_ALLOWED_ORIGINS), refusals included, and a preflight on
 * OPTIONS — the gateway lets a preflight through without the key, as API Gateway's CORS OPTIONS method does.
 */
import { corsHeaders, preflightResponse, type CorsPolicy } from '../../core/cors.ts';
import { ProxyError } from '../../core/errors.ts';
import type { Deps, Handler, Middleware, RouteDef } from '../../core/types.ts';
import { mailOf } from '../mail/deps.ts';
import { checkKey, checkPrefix } from './keys.ts';

// Seed 002: "maxKeys: 50 // Files per page", "signedUrlExpiration: 3600".
export const PAGE_SIZE = 50;
export const URL_TTL_SECONDS = 3600;

export const listReports: Handler = async (req, deps) => {
  const { cfg, reports } = mailOf(deps);
  const prefix = checkPrefix(cfg.reportsPrefix, req.query.get('prefix'));
  const token = req.query.get('continuationToken') || undefined;
  const page = await reports.browse(prefix, PAGE_SIZE, token);
  return { status: 200, body: { prefix, folders: page.folders, files: page.files, ...(page.nextToken ? { nextContinuationToken: page.nextToken } : {}) } };
};

export const reportUrl: Handler = async (req, deps) => {
  const { cfg, reports } = mailOf(deps);
  const key = checkKey(cfg.reportsPrefix, req.query.get('key'));
  // A link to nothing would fail in the CRM user's browser with S3's XML; say so here (seed 002: NoSuchKey).
  await reports.requireFile(key);
  const url = await reports.presignGet(key, URL_TTL_SECONDS);
  return { status: 200, body: { key, url, expiresAt: new Date(deps.clock.now() + URL_TTL_SECONDS * 1000).toISOString() } };
};

/** GET (and HEAD) with the CRM's API key; nothing to expose beyond the safelisted headers of a JSON answer. */
const corsPolicy = (deps: Deps): CorsPolicy => ({
  origins: mailOf(deps).cfg.corsAllowedOrigins,
  methods: ['GET', 'HEAD'],
  requestHeaders: REQUEST_HEADERS,
  exposeHeaders: [],
  // Seed 002's CORS configuration caches preflights an hour (MaxAgeSeconds 3600).
  maxAgeSeconds: 3600,
});
const REQUEST_HEADERS: ReadonlySet<string> = new Set(['x-api-key']);

/** The handler's answer, or its refusal, with the CORS headers the request's origin gets. */
const withCors = (handler: Handler): Handler => async (req, deps) => {
  const cors = corsHeaders(req, corsPolicy(deps));
  try {
    const res = await handler(req, deps);
    return { ...res, headers: { ...res.headers, ...cors } };
  } catch (e) {
    if (e instanceof ProxyError) throw new ProxyError(e.status, e.code, e.message, e.details, { ...e.headers, ...cors });
    throw e;
  }
};

export const reportsPreflight: Handler = async (req, deps) => preflightResponse(req, corsPolicy(deps));

export function reportRoutes(auth: Middleware): RouteDef[] {
  return [
    { method: 'GET', path: '/reports', handler: withCors(listReports), middleware: [auth], summary: 'List report folders and files (50 per page)' },
    { method: 'OPTIONS', path: '/reports', handler: reportsPreflight, middleware: [auth], summary: 'CORS preflight for the report listing' },
    { method: 'GET', path: '/reports/url', handler: withCors(reportUrl), middleware: [auth], summary: 'Presigned download URL for one report (1 h)' },
    { method: 'OPTIONS', path: '/reports/url', handler: reportsPreflight, middleware: [auth], summary: 'CORS preflight for a report download URL' },
  ];
}
