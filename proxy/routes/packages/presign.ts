/**
 * GET /packages/presign/s3?dataset_id=&package_id=&path=&redirect= (seed 003): 307 to a short-lived SigV4
 * presigned GET of the package's file, or of one of its viewer assets when `path` is given; `redirect=false`
 * answers {url, expires_at} instead.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { badRequest, notFound } from '../../core/errors.ts';
import type { Handler } from '../../core/types.ts';
import { nodeIdParam, packageInDataset, requireAvailable, requireDatasetRole } from './access.ts';
import { assetPrefix, confineAssetPath } from './assets.ts';
import { packagesOf } from './deps.ts';
import { packageFiles } from './store.ts';

export const presignS3: Handler = async (req, deps) => {
  const svc = packagesOf(deps);
  const datasetNodeId = nodeIdParam(req, 'dataset_id', ['dataset']);
  const packageNodeId = nodeIdParam(req, 'package_id', ['package', 'collection']);
  const path = req.query.get('path');
  const redirect = parseRedirect(req.query.get('redirect'));
  const db = await svc.db();
  const access = await requireDatasetRole(db, req, datasetNodeId, 'viewer');
  const pkg = await packageInDataset(db, access, packageNodeId);
  requireAvailable(pkg);
  let target: { bucket: string; key: string };
  if (path !== null) {
    target = { bucket: svc.cfg.viewerAssetsBucket, key: assetPrefix(access.orgId, access.datasetId, pkg.id) + confineAssetPath(path) };
  } else {
    const [file] = await packageFiles(db, access.orgId, pkg.id);
    if (!file) throw notFound('no_file', `package ${packageNodeId} has no file to download`);
    target = { bucket: file.s3_bucket, key: file.s3_key };
  }
  const now = deps.clock.now();
  const expiresIn = svc.cfg.presignExpirySeconds;
  // The presigner signs at the injected clock's time, so the URL expires on that clock (tests move it).
  const url = await getSignedUrl(svc.s3, new GetObjectCommand({ Bucket: target.bucket, Key: target.key }), { expiresIn, signingDate: new Date(now) });
  const expiresAt = Math.floor(now / 1000) + expiresIn;
  if (!redirect) return { status: 200, body: { url, expires_at: expiresAt } };
  return { status: 307, headers: { location: url, 'cache-control': 'no-store' }, body: '' };
};

function parseRedirect(v: string | null): boolean {
  if (v === null || v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest('invalid_parameter', 'redirect must be true or false');
}
