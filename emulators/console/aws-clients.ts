/**
 * The AWS SDK clients the console uses against the stack's AWS endpoint (the embedded edge, or AWS_ENDPOINT_URL),
 * made on first use: a console nobody opens never loads the SDK. An SDK failure becomes a message for the page
 * ("NoSuchBucket: The specified bucket does not exist"), never a 500.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ProxyError } from '../../proxy/core/errors.ts';
import type { ConsoleConfig } from './config.ts';
import { reason } from './stack-client.ts';
import { sdk } from './sdk-loader.ts';

export class AwsClients {
  private made = new Map<string, Promise<unknown>>();

  constructor(private readonly target: ConsoleConfig['aws']) {}

  get endpoint(): string {
    return this.target.endpoint;
  }

  private once<T>(name: string, make: () => Promise<T>): Promise<T> {
    let p = this.made.get(name) as Promise<T> | undefined;
    if (!p) this.made.set(name, (p = make()));
    return p;
  }

  /** Every client's settings, one request handler for all: the proxy's (proxy/core/aws-http-handler.ts). */
  private base = () => this.once('base', async () => {
    const m = await sdk();
    const requestHandler = new m.AwsHttpHandler(m.createHttpClient());
    return { endpoint: this.target.endpoint, region: this.target.region, credentials: this.target.credentials, maxAttempts: 1, requestHandler };
  });

  s3 = () => this.once('s3', async () => new (await sdk()).S3Client({ ...(await this.base()), forcePathStyle: true }) as S3Client);
  dynamodb = () => this.once('dynamodb', async () => new (await sdk()).DynamoDBClient(await this.base()) as DynamoDBClient);
  sqs = () => this.once('sqs', async () => new (await sdk()).SQSClient(await this.base()) as SQSClient);
  ssm = () => this.once('ssm', async () => new (await sdk()).SSMClient(await this.base()) as SSMClient);
  secrets = () => this.once('secrets', async () => new (await sdk()).SecretsManagerClient(await this.base()) as SecretsManagerClient);
}

/** An AWS call whose error the page shows: AWS's own code and message (a 404 for what does not exist). */
export async function aws<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ProxyError) throw e;
    const err = e as Error & { name?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined) throw new ProxyError(502, 'aws_unreachable', `${what}: the AWS endpoint did not answer (${reason(e)})`);
    const code = /NoSuch|NotFound|NonExistent|DoesNotExist/.test(err.name ?? '') || status === 404 ? 404 : status >= 500 ? 502 : 400;
    throw new ProxyError(code, 'aws_error', `${what}: ${err.name ?? 'Error'}: ${err.message || `HTTP ${status}`}`);
  }
}
