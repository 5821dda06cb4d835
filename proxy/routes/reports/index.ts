/**
 * Report browsing (seed 002's S3 browser, server side): folders and files one level at a time, 50 per page, and
 * a presigned GET valid one hour for a single file. Keys are checked in keys.ts before S3 sees them.
 */
import type { Handler, Middleware, RouteDef } from '../../core/types.ts';
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

export function reportRoutes(auth: Middleware): RouteDef[] {
  return [
    { method: 'GET', path: '/reports', handler: listReports, middleware: [auth], summary: 'List report folders and files (50 per page)' },
    { method: 'GET', path: '/reports/url', handler: reportUrl, middleware: [auth], summary: 'Presigned download URL for one report (1 h)' },
  ];
}
