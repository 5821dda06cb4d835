/**
 * The outbound client sends the path it is given: dot segments are not resolved away. The AWS SDK signs an S3 key
 * such as `reports/../x` as it is, so a client that sent `/bucket/x` instead was refused (and read the wrong key
 * had it not been signed); a route building a path from a caller's segment must not be moved up a level.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';
import { createHttpClient } from '../../proxy/core/http-client.ts';
import { AwsHttpHandler } from '../../proxy/core/aws-http-handler.ts';
import { startAwsEdge } from '../../emulators/aws/edge.ts';

describe('outbound HTTP client: the path as given', () => {
  it('keeps dot segments and escapes as sent, and still escapes what a URL would (spaces, non-ASCII)', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = createHttpClient();
    try {
      for (const path of ['/a/../b/./c?x=1&y=%2e%2e', '/customers/ada%40example.com/devices/..', '/k/%2e%2e/v', '/q with space/é']) {
        expect((await client.send({ method: 'GET', url: base + path, upstream: 'test' })).status).to.equal(200);
      }
      expect(seen).to.deep.equal(['/a/../b/./c?x=1&y=%2e%2e', '/customers/ada%40example.com/devices/..', '/k/%2e%2e/v', '/q%20with%20space/%C3%A9']);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('lets the AWS SDK write and read S3 keys with . and .. segments through it', async () => {
    const edge = await startAwsEdge({ port: 0, region: 'us-east-1', credentials: { test: 'test' } });
    const s3 = new S3Client({ endpoint: edge.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, requestHandler: new AwsHttpHandler(createHttpClient()) });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'dots' }));
      for (const Key of ['reports/../x.txt', 'reports/./y.txt', '../z.txt']) {
        await s3.send(new PutObjectCommand({ Bucket: 'dots', Key, Body: Key }));
        expect(await (await s3.send(new GetObjectCommand({ Bucket: 'dots', Key }))).Body!.transformToString(), Key).to.equal(Key);
      }
    } finally {
      s3.destroy();
      await edge.close();
    }
  });
});
