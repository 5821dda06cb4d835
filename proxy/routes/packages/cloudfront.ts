/**
 * GET /packages/cloudfront/sign?dataset_id=&package_id=&path= (seed 003): a CloudFront signed URL (canned
 * policy, 1 h) for one of the package's assets, signed with the key pair from SSM: {"signed_url", "expires_at"}.
 */
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { badRequest } from '../../core/errors.ts';
import type { Handler } from '../../core/types.ts';
import { nodeIdParam, packageInDataset, requireAvailable, requireDatasetRole } from './access.ts';
import { assetPrefix, confineAssetPath } from './assets.ts';
import { packagesOf } from './deps.ts';

// Seed 003: "1-hour URL expiration".
export const CLOUDFRONT_URL_TTL_SECONDS = 3600;

export const signCloudFront: Handler = async (req, deps) => {
  const svc = packagesOf(deps);
  const datasetNodeId = nodeIdParam(req, 'dataset_id', ['dataset']);
  const packageNodeId = nodeIdParam(req, 'package_id', ['package', 'collection']);
  const path = req.query.get('path');
  if (path === null) throw badRequest('missing_parameter', 'query parameter path is required');
  const db = await svc.db();
  const access = await requireDatasetRole(db, req, datasetNodeId, 'viewer');
  const pkg = await packageInDataset(db, access, packageNodeId);
  requireAvailable(pkg);
  const key = assetPrefix(access.orgId, access.datasetId, pkg.id) + confineAssetPath(path);
  const url = `https://${svc.cfg.cloudfrontDomain}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const expiresAt = Math.floor(deps.clock.now() / 1000) + CLOUDFRONT_URL_TTL_SECONDS;
  const signed = getSignedUrl({ url, keyPairId: svc.cfg.cloudfrontKeyId, privateKey: svc.cloudfrontPrivateKey, dateLessThan: new Date(expiresAt * 1000).toISOString() });
  return { status: 200, headers: { 'cache-control': 'no-store' }, body: { signed_url: signed, expires_at: expiresAt } };
};
