/**
 * What the AWS benchmark drives: a stored S3 object behind a presigned GET, and a DynamoDB GetItem request
 * signed once with SigV4 and replayed byte for byte against every endpoint.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DynamoDBClient, CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export const REGION = 'us-east-1';
export const OBJECT_BYTES = 4096;

export interface Credentials { accessKeyId: string; secretAccessKey: string }

/** A request the load generator replays unchanged. */
export interface Target { method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; body?: string }

/** Create a bucket holding one object; the target is a presigned GET of it (every server verifies or ignores it alike). */
export async function s3ObjectTarget(endpoint: string, credentials: Credentials, bytes = OBJECT_BYTES): Promise<Target> {
  const s3 = new S3Client({ endpoint, region: REGION, credentials, forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'object.bin', Body: Buffer.alloc(bytes, 'x') }));
    return { method: 'GET', url: await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bench', Key: 'object.bin' }), { expiresIn: 3600 }) };
  } finally {
    s3.destroy();
  }
}

const CREDENTIALS: Credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Create the `bench` table with one item in it, on whichever DynamoDB the endpoint is. */
export async function seedTable(endpoint: string): Promise<void> {
  const ddb = new DynamoDBClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  try {
    await ddb.send(new CreateTableCommand({
      TableName: 'bench', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
    }));
    await ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: 'user#1' }, token: { S: 'x'.repeat(256) } } }));
  } finally {
    ddb.destroy();
  }
}

/**
 * GetItem of the seeded item, signed once as the SDK would sign it. The host header is left to the generator
 * (it is the only byte that differs per endpoint), so the signature is checked for shape only — which is all
 * dynalite does, directly or behind the edge.
 */
export async function getItemTarget(endpoint: string): Promise<Target> {
  const url = new URL(endpoint);
  const body = JSON.stringify({ TableName: 'bench', Key: { pk: { S: 'user#1' } } });
  const signer = new SignatureV4({ credentials: CREDENTIALS, region: REGION, service: 'dynamodb', sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  // The generator writes Host and Content-Length itself (a second Content-Length would stall the request).
  const { host: _host, 'content-length': _length, ...headers } = signed.headers;
  return { method: 'POST', url: url.href, headers, body };
}

/** moto_server on a free-ish port when it is on PATH; a reason string when it is not. */
export async function startMoto(): Promise<{ endpoint: string; proc: ChildProcess } | string> {
  if (spawnSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' }).status !== 0) return 'moto_server is not on PATH';
  const port = 5000 + Math.floor(Math.random() * 900);
  const proc = spawn('moto_server', ['-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${endpoint}/moto-api/`).then(() => true, () => false)) return { endpoint, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  return 'moto_server did not start within 10 s';
}
