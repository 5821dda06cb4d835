/**
 * AWS clients of the packages service, pointed at AWS_ENDPOINT_URL when set (the local edge, LocalStack).
 * S3 uses path-style addressing off AWS so presigned URLs name a loopback host the SSRF gate can recognise.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

export interface PackagesAws {
  s3: S3Client;
  sqs: SQSClient;
  ssm: SSMClient;
}

export function packagesAwsClients(env: Record<string, string | undefined>): PackagesAws {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || 'us-east-1';
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
    : undefined;
  const common = { region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) };
  return { s3: new S3Client({ ...common, forcePathStyle: !!endpoint }), sqs: new SQSClient(common), ssm: new SSMClient(common) };
}

/** The CloudFront private key: an SSM SecureString holding the PEM base64-encoded, as the seed stores it. */
export async function loadCloudFrontPrivateKey(ssm: SSMClient, name: string): Promise<string> {
  const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const value = out.Parameter?.Value ?? '';
  const pem = value.includes('-----BEGIN') ? value : Buffer.from(value, 'base64').toString('utf8');
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) throw new Error(`SSM parameter ${name} does not hold a (base64) PEM private key`);
  return pem;
}
