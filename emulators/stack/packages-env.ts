/**
 * The packages functions' environment in the local stack (seed 003's variables), apart from the code that seeds
 * AWS for them (packages.ts) so the supervisor can compute it without loading the AWS SDK.
 */

import { DEFAULT_CORS_ORIGINS } from './cors-origins.ts';

/** Where the packages function reads the CloudFront private key (SSM SecureString, base64 PEM, as seed 003 stores it). */
export const CLOUDFRONT_KEY_PARAM = '/gatehouse/packages/cloudfront/private-key';

/** The packages function's environment for a stack whose pieces run at these addresses. */
export function packagesEnv(o: { awsUrl: string; queueUrl: string; cloudfrontDomain: string; cloudfrontKeyId: string }): Record<string, string> {
  return {
    ENV: 'local',
    PENNSIEVE_DOMAIN: 'localhost',
    VIEWER_ASSETS_BUCKET: 'gatehouse-package-assets',
    CLOUDFRONT_DISTRIBUTION_DOMAIN: o.cloudfrontDomain,
    CLOUDFRONT_KEY_ID: o.cloudfrontKeyId,
    CLOUDFRONT_PRIVATE_KEY_SSM_PARAM: CLOUDFRONT_KEY_PARAM,
    PROXY_ALLOWED_BUCKETS: 'gatehouse-package-assets',
    RESTORE_PACKAGE_QUEUE_URL: o.queueUrl,
    PROXY_CORS_ALLOWED_ORIGINS: DEFAULT_CORS_ORIGINS.join(','),
  };
}
