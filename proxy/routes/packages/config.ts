/**
 * Packages configuration (seed 003's environment table), validated at cold start with every problem named at
 * once. `DATABASE_URL` replaces the seed's `RDS_PROXY_ENDPOINT`; without it the service runs on embedded PGlite,
 * which only a local process may do.
 */
import { EnvReader } from '../../core/config.ts';

export interface PackagesConfig {
  env: string;
  pennsieveDomain: string;
  viewerAssetsBucket: string;
  cloudfrontDomain: string;
  cloudfrontKeyId: string;
  cloudfrontPrivateKeySsmParam: string;
  /** Buckets the unauthenticated proxy may redirect to (always includes the viewer-assets bucket). */
  proxyAllowedBuckets: string[];
  restoreQueueUrl: string;
  /** How long a queued restore job is believed in flight; after it the relay queues it again. */
  restoreLeaseSeconds: number;
  databaseUrl?: string;
  /** PGlite data directory when DATABASE_URL is unset. */
  pgliteDir?: string;
  /** The S3 endpoint presigned URLs point at (AWS_ENDPOINT_URL locally; AWS itself when unset). */
  s3Endpoint?: string;
  region: string;
  /** Origins allowed to read the proxy route's answers from a browser. */
  corsAllowedOrigins: string[];
  presignExpirySeconds: number;
  proxyMaxUrlLength: number;
  signatureMaxSkewSeconds: number;
}

export function loadPackagesConfig(env: Record<string, string | undefined>): PackagesConfig {
  const r = new EnvReader(env);
  const list = (name: string) => r.list(name);
  const viewerAssetsBucket = r.required('VIEWER_ASSETS_BUCKET', 'S3 bucket of package assets');
  const cfg: PackagesConfig = {
    env: r.required('ENV', 'environment name, e.g. dev or prod'),
    pennsieveDomain: r.required('PENNSIEVE_DOMAIN', 'API domain'),
    viewerAssetsBucket,
    cloudfrontDomain: r.required('CLOUDFRONT_DISTRIBUTION_DOMAIN', 'CloudFront distribution domain'),
    cloudfrontKeyId: r.required('CLOUDFRONT_KEY_ID', 'CloudFront public key id'),
    cloudfrontPrivateKeySsmParam: r.required('CLOUDFRONT_PRIVATE_KEY_SSM_PARAM', 'SSM SecureString holding the base64 PEM private key'),
    proxyAllowedBuckets: [...new Set([viewerAssetsBucket, ...list('PROXY_ALLOWED_BUCKETS')].filter(Boolean))],
    restoreQueueUrl: r.url('RESTORE_PACKAGE_QUEUE_URL') ?? (r.required('RESTORE_PACKAGE_QUEUE_URL', 'SQS queue of restore jobs'), ''),
    restoreLeaseSeconds: restoreLeaseSeconds(r),
    databaseUrl: r.optional('DATABASE_URL'),
    pgliteDir: r.optional('PGLITE_DIR'),
    s3Endpoint: r.url('AWS_ENDPOINT_URL'),
    region: r.optional('AWS_REGION', 'us-east-1')!,
    corsAllowedOrigins: list('PROXY_CORS_ALLOWED_ORIGINS'),
    presignExpirySeconds: r.int('PRESIGN_EXPIRY_SECONDS', 300, 1, 3600),
    proxyMaxUrlLength: r.int('PROXY_MAX_URL_LENGTH', 4096, 256, 16384),
    signatureMaxSkewSeconds: r.int('SIGNATURE_MAX_SKEW_SECONDS', 300, 1, 3600),
  };
  if (cfg.databaseUrl && !/^postgres(ql)?:\/\//.test(cfg.databaseUrl)) r.problems.push('DATABASE_URL must be a postgres:// URL');
  // In Lambda there is no disk worth keeping and no PGlite in the bundle: a real database is required.
  if (!cfg.databaseUrl && env.AWS_LAMBDA_FUNCTION_NAME) r.problems.push('DATABASE_URL is required in Lambda (RDS Proxy endpoint)');
  r.done();
  return cfg;
}

/**
 * Longer than a message can legitimately wait and be retried (the queue's visibility timeout, 60 s, times its
 * maxReceiveCount, 3, plus a backlog): a job re-queued early is only a duplicate, which the worker ignores.
 */
export const restoreLeaseSeconds = (r: EnvReader) => r.int('RESTORE_LEASE_SECONDS', 900, 1, 86_400);
