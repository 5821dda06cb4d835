/** Write-through persistence: what one embedded S3 wrote is there after a restart on the same directory. */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, PutBucketVersioningCommand, DeleteObjectCommand, ListObjectVersionsCommand, PutBucketCorsCommand, GetBucketCorsCommand, HeadBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { startS3Server } from '../../emulators/aws/s3/serve.ts';

describe('S3 persistence (persistDir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 's3-persist-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function withServer<T>(fn: (s3: S3Client) => Promise<T>): Promise<T> {
    const srv = await startS3Server({ credentials: { test: 'test' }, persistDir: dir });
    const s3 = new S3Client({ endpoint: srv.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
    try {
      return await fn(s3);
    } finally {
      s3.destroy();
      await srv.close();
    }
  }

  it('keeps buckets, objects with metadata, versions, delete markers and CORS across a restart', async () => {
    await withServer(async (s3) => {
      await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: 'kept', VersioningConfiguration: { Status: 'Enabled' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a/report.csv', Body: 'v1', ContentType: 'text/csv', Metadata: { m: '1' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'a/report.csv', Body: 'v2', ContentType: 'text/csv', Metadata: { m: '2' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept', Key: 'deleted', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: 'kept', Key: 'deleted' }));
      await s3.send(new PutBucketCorsCommand({ Bucket: 'kept', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } }));
      await s3.send(new CreateBucketCommand({ Bucket: 'dropped' }));
      await s3.send(new DeleteBucketCommand({ Bucket: 'dropped' }));
    });
    await withServer(async (s3) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a/report.csv' }));
      expect(await got.Body!.transformToString()).to.equal('v2');
      expect(got.Metadata).to.deep.equal({ m: '2' });
      expect(got.ContentType).to.equal('text/csv');
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: 'kept' }));
      expect(versions.Versions?.map((v) => v.Key)).to.deep.equal(['a/report.csv', 'a/report.csv', 'deleted']);
      expect(versions.DeleteMarkers?.map((m) => m.Key)).to.deep.equal(['deleted']);
      const old = versions.Versions!.find((v) => !v.IsLatest && v.Key === 'a/report.csv')!;
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'kept', Key: 'a/report.csv', VersionId: old.VersionId }))).Body!.transformToString()).to.equal('v1');
      expect((await s3.send(new GetBucketCorsCommand({ Bucket: 'kept' }))).CORSRules?.[0].AllowedOrigins).to.deep.equal(['*']);
      const gone = await s3.send(new HeadBucketCommand({ Bucket: 'dropped' })).catch((e: { $metadata: { httpStatusCode: number } }) => e.$metadata.httpStatusCode);
      expect(gone).to.equal(404);
    });
  });

  it('forgets everything on reset, on disk too', async () => {
    const srv = await startS3Server({ credentials: { test: 'test' }, persistDir: dir });
    srv.s3.state.createBucket('wiped', 'us-east-1');
    srv.s3.reset();
    await srv.close();
    const again = await startS3Server({ credentials: { test: 'test' }, persistDir: dir });
    expect(again.s3.state.listBuckets()).to.deep.equal([]);
    await again.close();
  });
});
