/**
 * The packages function's AWS calls, from its own code with packagesAwsClients pointed at the mock server: the
 * CloudFront key read from SSM at cold start (proxy/routes/packages/aws.ts) and the restore jobs queued on SQS by
 * POST /packages/restore (restore.ts, over the seeded packages database on embedded PGlite), and the S3 proxy's
 * probe of a presigned URL (proxy-s3.ts: HEAD /packages/proxy/s3 reads one byte through the caller's URL).
 * Wire shapes: SSM API reference (GetParameter), SQS API reference (SendMessageBatch, AWS JSON 1.0), S3 API
 * reference (GetObject with Range; query-string authentication, "Authenticating Requests: Using Query Parameters").
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { awsClientConfig } from '../../../proxy/core/aws.ts';
import { openPackagesDatabase } from '../../../emulators/stack/packages.ts';
import { createHttpClient } from '../../../proxy/core/http-client.ts';
import { silentLogger } from '../../../proxy/core/log.ts';
import { systemClock, type Deps, type RouteRequest } from '../../../proxy/core/types.ts';
import type { Db } from '../../../proxy/db/index.ts';
import { loadCloudFrontPrivateKey, packagesAwsClients } from '../../../proxy/routes/packages/aws.ts';
import type { PackagesServices } from '../../../proxy/routes/packages/deps.ts';
import { probePresigned } from '../../../proxy/routes/packages/proxy-s3.ts';
import { restorePackages } from '../../../proxy/routes/packages/restore.ts';
import { encodeRestoreMessage } from '../../../proxy/routes/packages/restore-message.ts';
import type { AwsFlow } from './run.ts';
import { AWS_STATES as S, EXAMPLES as X } from './states.ts';
import { awsEnv, jsonAnswer, jsonCall } from './wire.ts';

/** Not a key: loadCloudFrontPrivateKey only checks the PEM armour of what SSM holds (base64, as seed 003 stores it). */
export const FAKE_PEM = '-----BEGIN PRIVATE KEY-----\nZmFrZS1jb250cmFjdC1rZXk=\n-----END PRIVATE KEY-----\n';
export const FAKE_PEM_PARAMETER = Buffer.from(FAKE_PEM).toString('base64');

/** The job the seed's package 461 of D123 becomes when its owner (user 1, ada) restores it. */
export const JOB = encodeRestoreMessage({ organizationId: 1, datasetId: 123, packageId: 461, nodeId: X.restorePackage, userId: 1 });
// The SDK checks each MD5OfMessageBody against what it sent (SQS API reference, SendMessageBatchResultEntry).
const JOB_MD5 = createHash('md5').update(JOB).digest('hex');

/** Runs `fn` over a fresh copy of the seeded packages database (embedded PGlite), removed afterwards. */
export async function withSeededDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-aws-pact-'));
  const db = await openPackagesDatabase({ dataDir: dir });
  try {
    return await fn(db);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** POST /packages/restore of one deleted package of D123 by its owner, as the mobile app sends it. */
function restoreOne(endpoint: string): Promise<unknown> {
  const aws = packagesAwsClients(awsEnv(endpoint));
  return withSeededDatabase(async (db) => {
    const services = { cfg: { restoreQueueUrl: `${endpoint}/000000000000/${X.restoreQueue}` }, db: async () => db, s3: aws.s3, sqs: aws.sqs, cloudfrontPrivateKey: FAKE_PEM } as unknown as PackagesServices;
    const deps = { http: createHttpClient(), clock: systemClock, log: silentLogger(), services: { packages: services } } as unknown as Deps;
    const req = {
      method: 'POST', path: '/packages/restore', rawQuery: 'dataset_id=N:dataset:123', query: new URLSearchParams('dataset_id=N:dataset:123'),
      headers: {}, body: Buffer.alloc(0), requestId: 'contract', params: {}, json: { nodeIds: [X.restorePackage] }, identity: { email: X.email },
    } as RouteRequest;
    return (await restorePackages(req, deps)).body;
  });
}

export const packagesFlows: AwsFlow[] = [
  {
    title: 'loadCloudFrontPrivateKey reads the packages CloudFront key from SSM at cold start (GetParameter, decrypted)',
    interactions: [{
      given: [S.cloudfrontParameter], uponReceiving: 'a GetParameter of the packages CloudFront key, decrypted', method: 'POST', path: '/',
      headers: jsonCall('ssm', 'AmazonSSM.GetParameter', '1.1'),
      body: { Name: M.regex('^/gatehouse/packages/cloudfront/[^/]+$', X.cloudfrontParameter), WithDecryption: true },
      status: 200, responseHeaders: jsonAnswer('1.1'),
      json: { Parameter: { Name: M.like(X.cloudfrontParameter), Type: 'SecureString', Value: M.like(FAKE_PEM_PARAMETER), Version: M.integer(1) } }, reads: 'Parameter',
    }],
    run: (endpoint) => loadCloudFrontPrivateKey(packagesAwsClients(awsEnv(endpoint)).ssm, X.cloudfrontParameter),
    expected: FAKE_PEM,
  },
  {
    title: 'POST /packages/restore queues one restore job per package (SendMessageBatch)',
    interactions: [{
      given: [S.restoreQueue], uponReceiving: 'a SendMessageBatch of restore jobs', method: 'POST', path: '/',
      headers: jsonCall('sqs', 'AmazonSQS.SendMessageBatch', '1.0'),
      body: {
        QueueUrl: M.regex('^https?://[^/]+/\\d{12}/[A-Za-z0-9_-]{1,80}$', `http://127.0.0.1:4566/000000000000/${X.restoreQueue}`),
        Entries: M.eachLike({ Id: M.regex('^\\d+$', '0'), MessageBody: M.like(JOB) }),
      },
      status: 200, responseHeaders: jsonAnswer('1.0'),
      json: { Successful: [{ Id: '0', MessageId: '00000000-0000-4000-8000-000000000000', MD5OfMessageBody: JOB_MD5 }], Failed: [] }, reads: 'Successful',
    }],
    run: restoreOne,
    expected: { success: [X.restorePackage], failures: [] },
  },
  {
    title: 'HEAD /packages/proxy/s3 probes the caller\'s presigned URL for one byte (GET with Range, query-string SigV4)',
    interactions: [{
      given: [S.assetsLive], uponReceiving: 'a ranged GetObject through a presigned URL', method: 'GET',
      path: M.regex('^/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/O\\d+/D\\d+/P\\d+/\\S+$', `/${X.assetsBucket}/${X.restoreFile}`),
      // The presigner's query, value by value: the signature is made over these, so none may be left out or added.
      query: {
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
        'X-Amz-Credential': M.regex('^[A-Z0-9]{16,128}/\\d{8}/[a-z0-9-]+/s3/aws4_request$', 'AKIAFAKECONTRACTS000/20250101/us-east-1/s3/aws4_request'),
        'X-Amz-Date': M.regex('^\\d{8}T\\d{6}Z$', '20250101T000000Z'),
        'X-Amz-Expires': M.regex('^\\d+$', '300'),
        'X-Amz-Signature': M.regex('^[0-9a-f]{64}$', 'f'.repeat(64)),
        'X-Amz-SignedHeaders': 'host',
        'x-amz-checksum-mode': 'ENABLED',
        'x-id': 'GetObject',
      },
      headers: { range: 'bytes=0-0' },
      status: 206,
      responseHeaders: { 'content-range': M.regex('^bytes 0-0/\\d+$', 'bytes 0-0/10'), etag: M.regex('^".*"$', '"7d19527a54d6e625713a058f512d174e"') },
    }],
    run: async (endpoint) => {
      const s3 = new S3Client({ ...awsClientConfig(awsEnv(endpoint)), forcePathStyle: true });
      try {
        const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: X.assetsBucket, Key: X.restoreFile }), { expiresIn: 300 });
        const res = await probePresigned(createHttpClient(), url);
        return { status: res.status, range: res.headers['content-range'] };
      } finally {
        s3.destroy();
      }
    },
    expected: { status: 206, range: 'bytes 0-0/10' },
  },
];
