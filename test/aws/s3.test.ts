/** Embedded S3 through the AWS edge with the official SDK v3: buckets, objects, copy, ranges, conditions, batch delete. */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  S3Client, CreateBucketCommand, DeleteBucketCommand, HeadBucketCommand, ListBucketsCommand, PutObjectCommand, GetObjectCommand,
  HeadObjectCommand, DeleteObjectCommand, CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { awsTarget, errorOf, sdkConfig, docsOnly, type AwsTarget } from '../helpers/aws.ts';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const bucketName = () => `s3t-${randomBytes(5).toString('hex')}`;


describe('S3 (embedded, SDK v3)', () => {
  let t: AwsTarget;
  let s3: S3Client;
  before(async () => {
    t = await awsTarget();
    s3 = new S3Client({ ...sdkConfig(t), forcePathStyle: true });
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  async function newBucket(): Promise<string> {
    const b = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    return b;
  }

  describe('buckets', () => {
    it('creates, heads, lists and deletes a bucket', async () => {
      const b = await newBucket();
      const head = await s3.send(new HeadBucketCommand({ Bucket: b }));
      expect(head.BucketRegion).to.equal('us-east-1');
      const list = await s3.send(new ListBucketsCommand({}));
      expect(list.Buckets?.map((x) => x.Name)).to.include(b);
      await s3.send(new DeleteBucketCommand({ Bucket: b }));
      const err = await errorOf(s3.send(new HeadBucketCommand({ Bucket: b })));
      expect(err.$metadata.httpStatusCode).to.equal(404);
    });

    it('answers BucketAlreadyOwnedByYou when re-creating outside us-east-1', async () => {
      const eu = new S3Client({ endpoint: t.endpoint, region: 'eu-west-1', credentials: t.credentials, forcePathStyle: true });
      const b = bucketName();
      await eu.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
      const err = await errorOf(eu.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } })));
      expect(err.name).to.equal('BucketAlreadyOwnedByYou');
      expect(err.$metadata.httpStatusCode).to.equal(409);
      await eu.send(new DeleteBucketCommand({ Bucket: b }));
      eu.destroy();
    });

    it('refuses to delete a bucket that still holds objects (BucketNotEmpty)', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x' }));
      const err = await errorOf(s3.send(new DeleteBucketCommand({ Bucket: b })));
      expect(err.name).to.equal('BucketNotEmpty');
      expect(err.$metadata.httpStatusCode).to.equal(409);
    });

    it('answers NoSuchBucket for objects in a missing bucket', async () => {
      const err = await errorOf(s3.send(new GetObjectCommand({ Bucket: bucketName(), Key: 'k' })));
      expect(err.name).to.equal('NoSuchBucket');
      expect(err.$metadata.httpStatusCode).to.equal(404);
    });

    it('rejects an invalid bucket name', async function () {
      docsOnly(this, t, 'moto accepts upper case and underscores in bucket names');
      const err = await errorOf(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' })));
      expect(err.name).to.equal('InvalidBucketName');
    });
  });

  describe('objects', () => {
    let b: string;
    before(async () => {
      b = await newBucket();
    });

    it('round-trips body, MD5 ETag, user metadata and stored headers', async () => {
      const put = await s3.send(new PutObjectCommand({
        Bucket: b, Key: 'reports/2025/jan.csv', Body: 'a,b\n1,2\n', ContentType: 'text/csv', CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="jan.csv"', Metadata: { owner: 'finance', 'report-id': '42' },
      }));
      expect(put.ETag).to.equal(`"${md5('a,b\n1,2\n')}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'reports/2025/jan.csv' }));
      expect(await got.Body!.transformToString()).to.equal('a,b\n1,2\n');
      expect(got.ETag).to.equal(put.ETag);
      expect(got.ContentType).to.equal('text/csv');
      expect(got.CacheControl).to.equal('max-age=60');
      expect(got.ContentDisposition).to.equal('attachment; filename="jan.csv"');
      expect(got.Metadata).to.deep.equal({ owner: 'finance', 'report-id': '42' });
      expect(got.ContentLength).to.equal(8);
    });

    it('uses the MD5 of the body as ETag', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 'md5', Body: 'hello' }));
      expect(put.ETag).to.equal('"5d41402abc4b2a76b9719d911017c592"');
    });

    it('keeps keys with spaces, plus signs and unicode intact', async () => {
      const key = 'dir one/a+b=c&d é.txt';
      await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: 'odd' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
      expect(await got.Body!.transformToString()).to.equal('odd');
      const list = await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'dir one/' }));
      expect(list.Contents?.map((c) => c.Key)).to.deep.equal([key]);
    });

    it('accepts a streamed body (aws-chunked with a CRC32 trailer) and stores the decoded bytes', async () => {
      const data = randomBytes(70_000);
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'streamed', Body: Readable.from([data.subarray(0, 30_000), data.subarray(30_000)]), ContentLength: data.length }));
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'streamed', ChecksumMode: 'ENABLED' }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).to.equal(true);
      expect(got.ChecksumCRC32).to.be.a('string');
      if (!t.embedded) return;
      const journal = (await (await fetch(`${t.endpoint}/__admin/journal?method=PUT&path=/${b}/streamed`)).json()) as { entries: { headers: Record<string, string> }[] };
      const sent = journal.entries[0].headers;
      expect(sent['x-amz-content-sha256']).to.equal('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      expect(sent['x-amz-trailer']).to.equal('x-amz-checksum-crc32');
    });

    it('rejects a body whose x-amz-checksum-crc32 does not match', async function () {
      docsOnly(this, t, 'moto stores a body whose CRC32 does not match');
      const err = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'bad-crc', Body: 'payload', ChecksumCRC32: 'AAAAAA==' })));
      expect(err.$metadata.httpStatusCode).to.equal(400);
      expect(err.name).to.match(/BadDigest|InvalidRequest/);
    });

    it('answers NoSuchKey for a missing key, and HEAD 404 without a body', async () => {
      const err = await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'nope' })));
      expect(err.name).to.equal('NoSuchKey');
      const head = await errorOf(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'nope' })));
      expect(head.$metadata.httpStatusCode).to.equal(404);
    });

    it('deletes an object and treats deleting a missing key as success', async () => {
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'gone', Body: 'x' }));
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'gone' }));
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'gone' }));
      expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'gone' })))).name).to.equal('NoSuchKey');
    });
  });

  describe('copy', () => {
    it('copies body and metadata (COPY) or replaces metadata (REPLACE)', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'src', Body: 'copy me', ContentType: 'text/plain', Metadata: { a: '1' } }));
      const c1 = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst1', CopySource: `${b}/src` }));
      expect(c1.CopyObjectResult?.ETag).to.equal(`"${md5('copy me')}"`);
      const d1 = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'dst1' }));
      expect(d1.Metadata).to.deep.equal({ a: '1' });
      expect(d1.ContentType).to.equal('text/plain');
      await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst2', CopySource: `${b}/src`, MetadataDirective: 'REPLACE', Metadata: { b: '2' }, ContentType: 'application/json' }));
      const d2 = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'dst2' }));
      expect(d2.Metadata).to.deep.equal({ b: '2' });
      expect(d2.ContentType).to.equal('application/json');
      expect(await d2.Body!.transformToString()).to.equal('copy me');
    });

    it('refuses to copy an object onto itself without changing anything', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'self', Body: 'x' }));
      const err = await errorOf(s3.send(new CopyObjectCommand({ Bucket: b, Key: 'self', CopySource: `${b}/self` })));
      expect(err.name).to.equal('InvalidRequest');
    });
  });

  describe('ranged and conditional reads', () => {
    let b: string;
    let etag: string;
    before(async () => {
      b = await newBucket();
      etag = (await s3.send(new PutObjectCommand({ Bucket: b, Key: 'digits', Body: '0123456789' }))).ETag!;
    });

    const range = async (r: string) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', Range: r }));
      return { status: got.$metadata.httpStatusCode, range: got.ContentRange, body: await got.Body!.transformToString() };
    };

    it('serves a closed range with 206 and Content-Range', async () => {
      expect(await range('bytes=2-5')).to.deep.equal({ status: 206, range: 'bytes 2-5/10', body: '2345' });
    });

    it('serves open and suffix ranges', async () => {
      expect(await range('bytes=7-')).to.deep.equal({ status: 206, range: 'bytes 7-9/10', body: '789' });
      expect(await range('bytes=-3')).to.deep.equal({ status: 206, range: 'bytes 7-9/10', body: '789' });
      expect(await range('bytes=8-100')).to.deep.equal({ status: 206, range: 'bytes 8-9/10', body: '89' });
    });

    it('answers 416 InvalidRange when the range starts past the end', async () => {
      const err = await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', Range: 'bytes=10-12' })));
      expect(err.$metadata.httpStatusCode).to.equal(416);
      expect(err.name).to.equal('InvalidRange');
    });

    it('honours If-Match and If-None-Match', async () => {
      const ok = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', IfMatch: etag }));
      expect(ok.$metadata.httpStatusCode).to.equal(200);
      const failed = await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', IfMatch: '"0000"' })));
      expect(failed.$metadata.httpStatusCode).to.equal(412);
      const notModified = await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', IfNoneMatch: etag })));
      expect(notModified.$metadata.httpStatusCode).to.equal(304);
      const headNotModified = await errorOf(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'digits', IfNoneMatch: etag })));
      expect(headNotModified.$metadata.httpStatusCode).to.equal(304);
    });

    it('honours If-Modified-Since and If-Unmodified-Since', async () => {
      const future = new Date(Date.now() + 3600_000);
      const past = new Date(Date.now() - 3600_000);
      expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', IfModifiedSince: future })))).$metadata.httpStatusCode).to.equal(304);
      expect((await s3.send(new GetObjectCommand({ Bucket: b, Key: 'digits', IfModifiedSince: past }))).$metadata.httpStatusCode).to.equal(200);
      expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket: b, Key: 'digits', IfUnmodifiedSince: past })))).$metadata.httpStatusCode).to.equal(412);
      expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'digits', IfUnmodifiedSince: future }))).$metadata.httpStatusCode).to.equal(200);
    });
  });

  describe('DeleteObjects', () => {
    it('deletes many keys and reports each one', async () => {
      const b = await newBucket();
      for (const k of ['a', 'b', 'c']) await s3.send(new PutObjectCommand({ Bucket: b, Key: k, Body: k }));
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }, { Key: 'missing' }] } }));
      expect(out.Deleted?.map((d) => d.Key).sort()).to.deep.equal(['a', 'b', 'missing']);
      expect(out.Errors ?? []).to.deep.equal([]);
      const left = await s3.send(new ListObjectsV2Command({ Bucket: b }));
      expect(left.Contents?.map((c) => c.Key)).to.deep.equal(['c']);
    });

    it('answers nothing per key in quiet mode', async function () {
      docsOnly(this, t, 'moto lists deleted keys even in quiet mode');
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'q', Body: 'q' }));
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: 'q' }], Quiet: true } }));
      expect(out.Deleted ?? []).to.deep.equal([]);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount).to.equal(0);
    });
  });

  describe('virtual-hosted addressing', () => {
    it('serves bucket.localhost:<port> hosts as the bucket', async () => {
      const b = await newBucket();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'vh/key.txt', Body: 'virtual' }));
      const port = new URL(t.endpoint).port;
      const vh = new S3Client({ endpoint: `http://localhost:${port}`, region: t.region, credentials: t.credentials, forcePathStyle: false });
      // Connect to loopback while keeping the signed Host header `<bucket>.localhost:<port>`.
      vh.middlewareStack.add((next) => async (args) => {
        (args.request as { hostname: string }).hostname = '127.0.0.1';
        return next(args);
      }, { step: 'deserialize', name: 'loopback' });
      const got = await vh.send(new GetObjectCommand({ Bucket: b, Key: 'vh/key.txt' }));
      expect(await got.Body!.transformToString()).to.equal('virtual');
      const list = await vh.send(new ListObjectsV2Command({ Bucket: b }));
      expect(list.Contents?.map((c) => c.Key)).to.deep.equal(['vh/key.txt']);
      vh.destroy();
    });
  });
});
