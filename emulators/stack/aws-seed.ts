/**
 * The stack's AWS fixtures, applied through the AWS SDK to whichever AWS is in use: Extend passwords (SSM), the
 * session, API-token and delivery tables, report files, queues; then the packages bucket and restore queue (after
 * the seed, as both touch that bucket and queue). Apart, once the CloudFront edge has its key pair: the private key
 * (generated under the state folder, never committed) in SSM for the packages function and as the mail function's
 * secret. Every step is idempotent. Runs in the AWS edge's own process (its `seed` and `cloudfrontKey` methods: the
 * supervisor stays free of the SDK), or in the supervisor against an external endpoint (AWS_ENDPOINT_URL).
 */
import { DEFAULT_SEED_FILE, seedAws, seedSecrets } from '../aws/seed.ts';
import { preparePackagesAws, putCloudFrontKey, type AwsTargetConfig } from './packages.ts';

export interface CloudFrontKey {
  keyPairId: string;
  privateKeyPem: string;
}

/** `corsOrigins`: the origins the reports bucket's CORS rule allows (cors-origins.ts). */
export async function seedStackAws(a: AwsTargetConfig & { corsOrigins?: string[] }): Promise<{ queueUrl: string }> {
  const { corsOrigins, ...target } = a;
  await seedAws(target.endpoint, target.credentials, target.region, DEFAULT_SEED_FILE, corsOrigins ? { corsOrigins: corsOrigins.join(',') } : {});
  const setup = await preparePackagesAws(target);
  return { queueUrl: setup.queueUrl };
}

export async function storeCloudFrontKey(a: { target: AwsTargetConfig; key: CloudFrontKey }): Promise<void> {
  const { target, key } = a;
  await Promise.all([
    putCloudFrontKey(target, key.privateKeyPem),
    seedSecrets(target.endpoint, target.credentials, target.region, { 'cloudfront-private-key': JSON.stringify({ keyPairId: key.keyPairId, privateKey: key.privateKeyPem }) }),
  ]);
}
