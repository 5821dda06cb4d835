/**
 * The stack's AWS fixtures, applied through the AWS SDK to whichever AWS is in use: Extend passwords (SSM), the
 * session, API-token and delivery tables, report files, queues; then the packages bucket, restore queue and the
 * CloudFront key in SSM (after the seed, as both touch that bucket and queue); and the CloudFront edge's private
 * key (generated under the state folder, never committed) as the mail function's secret. Every step is
 * idempotent. Runs in the AWS edge's own process (its `seed` method: the supervisor stays free of the SDK), or in
 * the supervisor against an external endpoint (AWS_ENDPOINT_URL).
 */
import { seedAws, seedSecrets } from '../aws/seed.ts';
import { preparePackagesAws, putCloudFrontKey, type AwsTargetConfig } from './packages.ts';

export interface AwsSeedArgs {
  target: AwsTargetConfig;
  cloudfront: { keyPairId: string; privateKeyPem: string };
}

export async function seedStackAws({ target, cloudfront }: AwsSeedArgs): Promise<{ queueUrl: string }> {
  const secret = JSON.stringify({ keyPairId: cloudfront.keyPairId, privateKey: cloudfront.privateKeyPem });
  const [queueUrl] = await Promise.all([
    seedAws(target.endpoint, target.credentials, target.region).then(async () => {
      const setup = await preparePackagesAws(target);
      await putCloudFrontKey(target, cloudfront.privateKeyPem);
      return setup.queueUrl;
    }),
    seedSecrets(target.endpoint, target.credentials, target.region, { 'cloudfront-private-key': secret }),
  ]);
  return { queueUrl };
}
