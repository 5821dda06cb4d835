/**
 * AWS clients of the packages service, pointed at AWS_ENDPOINT_URL when set (the local edge, LocalStack).
 * S3 uses path-style addressing off AWS so presigned URLs name a loopback host the SSRF gate can recognise.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { awsClientConfig } from '../../core/aws.ts';
import type { HttpClient } from '../../core/http-client.ts';

export interface PackagesAws {
  s3: S3Client;
  sqs: SQSClient;
  ssm: SSMClient;
}

export function packagesAwsClients(env: Record<string, string | undefined>, http?: HttpClient): PackagesAws {
  const common = awsClientConfig(env, http);
  return { s3: new S3Client({ ...common, forcePathStyle: !!common.endpoint }), sqs: new SQSClient(common), ssm: new SSMClient(common) };
}

/** The CloudFront private key: an SSM SecureString holding the PEM base64-encoded, as the seed stores it. */
export async function loadCloudFrontPrivateKey(ssm: SSMClient, name: string): Promise<string> {
  const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  const value = out.Parameter?.Value ?? '';
  const pem = value.includes('-----BEGIN') ? value : Buffer.from(value, 'base64').toString('utf8');
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(pem)) throw new Error(`SSM parameter ${name} does not hold a (base64) PEM private key`);
  return pem;
}
