/**
 * Where the AWS-facing tests send their requests: the embedded edge (started on a free port) by default, or any
 * other endpoint when AWS_ENDPOINT_URL is set (LocalStack, moto_server). `embedded` tells a test whether
 * behaviour only our edge guarantees (signature enforcement) can be asserted.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import type { AccountSpec } from '../../emulators/aws/s3/accounts.ts';

export interface AwsTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** True when the target is our embedded edge. */
  embedded: boolean;
  close(): Promise<void>;
}

/** `clock` drives the embedded edge's SSM and Secrets Manager time (ignored for an external endpoint). */
export async function awsTarget(opts: { clock?: () => number } = {}): Promise<AwsTarget> {
  const region = process.env.AWS_REGION ?? 'us-east-1';
  const credentials = {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
  };
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) return { endpoint: external, region, credentials, embedded: false, close: async () => {} };
  const edge = await startAwsEdge({ port: 0, region, credentials: { [credentials.accessKeyId]: credentials.secretAccessKey }, clock: opts.clock });
  return { endpoint: edge.url, region, credentials, embedded: true, close: () => edge.close() };
}

/** Two more accounts besides the default one (000000000000, keys test/test), for cross-account tests. */
export const PARTNER: AccountSpec = { accountId: '111111111111', accessKeyId: 'AKIAPARTNER000000001', secretAccessKey: 'partner-secret', name: 'partner' };
export const STRANGER: AccountSpec = { accountId: '222222222222', accessKeyId: 'AKIASTRANGER00000002', secretAccessKey: 'stranger-secret', name: 'stranger' };

/**
 * An embedded edge with several accounts (AWS_EDGE_ACCOUNTS), or undefined against an external endpoint: one set of
 * credentials cannot stand for three accounts there, so such tests skip with the reason printed.
 */
export async function multiAccountTarget(ctx: Mocha.Context, accounts: AccountSpec[] = [PARTNER, STRANGER]): Promise<AwsTarget | undefined> {
  if (process.env.AWS_ENDPOINT_URL) {
    console.log(`      (skipped on ${process.env.AWS_ENDPOINT_URL}: needs several accounts, which only the embedded edge is configured with)`);
    ctx.skip();
    return undefined;
  }
  const edge = await startAwsEdge({ port: 0, region: 'us-east-1', credentials: { test: 'test' }, accounts });
  return { endpoint: edge.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, embedded: true, close: () => edge.close() };
}

/** Client configuration for one of the accounts. */
export const accountConfig = (t: AwsTarget, a: AccountSpec) => ({ endpoint: t.endpoint, region: t.region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });

/** Skip, with the reason printed, a documented behaviour the external target (moto, LocalStack) does not reproduce. */
export function docsOnly(ctx: Mocha.Context, t: AwsTarget, reason: string): void {
  if (t.embedded) return;
  console.log(`      (skipped on ${t.endpoint}: ${reason})`);
  ctx.skip();
}

/** What an SDK call that must fail threw (its AWS error name and HTTP status), or a failure when it succeeded. */
export type SdkError = Error & { name: string; $metadata: { httpStatusCode?: number }; $response?: { headers: Record<string, string> } };

export async function errorOf(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

/** Client configuration for any AWS SDK v3 client aimed at the target. */
export const sdkConfig = (t: AwsTarget) => ({ endpoint: t.endpoint, region: t.region, credentials: t.credentials });

/** One describe block's S3: a target, a path-style client on it and a fresh bucket `<prefix>-<random hex>`. */
export async function openS3(prefix: string): Promise<{ t: AwsTarget; s3: S3Client; bucket: string }> {
  const t = await awsTarget();
  const s3 = new S3Client({ ...sdkConfig(t), forcePathStyle: true });
  const bucket = `${prefix}-${randomBytes(5).toString('hex')}`;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    await closeS3(t, s3);
    throw e;
  }
  return { t, s3, bucket };
}

export async function closeS3(t: AwsTarget | undefined, s3: S3Client | undefined): Promise<void> {
  s3?.destroy();
  await t?.close();
}

/**
 * Make a client send `target` as its X-Amz-Target (before signing, so the signature stays valid): how a test asks
 * a JSON service for an operation it does not have, through the real SDK.
 */
export function retarget(client: { middlewareStack: { add: (mw: any, opts: any) => void } }, target: string): void {
  client.middlewareStack.add(
    (next: (args: any) => Promise<unknown>) => async (args: any) => {
      args.request.headers['x-amz-target'] = target;
      return next(args);
    },
    { step: 'build', name: 'retarget' },
  );
}
