/** The packages route group (seed 003): which path goes to which handler. */
import type { Middleware, RouteDef } from '../../core/types.ts';
import { signCloudFront } from './cloudfront.ts';
import { presignS3 } from './presign.ts';
import { proxyS3Get, proxyS3Options } from './proxy-s3.ts';
import { restorePackages, restoreStatus } from './restore.ts';

/** Every route is signature-checked (it came through the gateway); the handlers decide whether a user is needed. */
export function packagesRoutes(gatewaySignature: Middleware): RouteDef[] {
  const r = (method: string, path: string, handler: RouteDef['handler'], summary: string): RouteDef => ({ method, path, handler, summary, middleware: [gatewaySignature] });
  return [
    r('POST', '/packages/restore', restorePackages, 'Restore deleted packages of a dataset (queued to the restore worker)'),
    r('GET', '/packages/restore', restoreStatus, 'Where a package\'s restore stands: queued, running, done, or failed with its error'),
    r('GET', '/packages/presign/s3', presignS3, 'Presigned S3 URL (307) for a package file or viewer asset'),
    r('GET', '/packages/cloudfront/sign', signCloudFront, 'CloudFront signed URL for a package asset'),
    r('GET', '/packages/proxy/s3', proxyS3Get, 'Follow a presigned S3 URL of an allowed bucket (no user; GET and HEAD)'),
    r('OPTIONS', '/packages/proxy/s3', proxyS3Options, 'CORS preflight for the S3 proxy'),
  ];
}
