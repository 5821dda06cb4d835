/**
 * Conditional writes (If-None-Match: *, If-Match on PutObject, CopyObject, CompleteMultipartUpload, DeleteObject)
 * and copy-source conditions (x-amz-copy-source-if-*), with S3's status and error codes. Sources:
 * conditional-writes.html, API_PutObject.html, API_CopyObject.html, API_CompleteMultipartUpload.html.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, CopyObjectCommand, DeleteObjectCommand, PutBucketVersioningCommand,
  CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { errorOf, docsOnly, type AwsTarget, openS3, closeS3 } from '../helpers/aws.ts';

describe('S3 conditional writes and copies', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  before(async () => ({ t, s3, bucket: b } = await openS3('s3c')));
  after(() => closeS3(t, s3));

  const put = (Key: string, Body: string, extra: { IfMatch?: string; IfNoneMatch?: string } = {}) => s3.send(new PutObjectCommand({ Bucket: b, Key, Body, ...extra }));
  const body = async (Key: string) => (await s3.send(new GetObjectCommand({ Bucket: b, Key }))).Body!.transformToString();

  describe('PutObject', () => {
    it('creates with If-None-Match: * only while the key is absent (412 PreconditionFailed after)', async () => {
      await put('create-once', 'first', { IfNoneMatch: '*' });
      const err = await errorOf(put('create-once', 'second', { IfNoneMatch: '*' }));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['PreconditionFailed', 412]);
      expect(await body('create-once')).to.equal('first');
    });

    it('replaces with If-Match only while the ETag matches', async () => {
      const { ETag } = await put('swap', 'v1');
      const err = await errorOf(put('swap', 'v2', { IfMatch: '"00000000000000000000000000000000"' }));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['PreconditionFailed', 412]);
      expect(await body('swap')).to.equal('v1');
      await put('swap', 'v2', { IfMatch: ETag });
      expect(await body('swap')).to.equal('v2');
    });

    it('answers 404 NoSuchKey to If-Match on a key with no object', async () => {
      const err = await errorOf(put('never-written', 'x', { IfMatch: '"00000000000000000000000000000000"' }));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['NoSuchKey', 404]);
    });

    it('treats a key whose current version is a delete marker as absent', async () => {
      const vb = `${b}-v`;
      await s3.send(new CreateBucketCommand({ Bucket: vb }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }));
      await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'old' }));
      await s3.send(new DeleteObjectCommand({ Bucket: vb, Key: 'k' }));
      await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'new', IfNoneMatch: '*' }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: vb, Key: 'k' }))).Body!.transformToString()).to.equal('new');
    });

    it('answers 409 ConditionalRequestConflict when another write lands while the body is still uploading', async function () {
      docsOnly(this, t, 'moto checks the condition once the body is in and answers 412');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const slow = Readable.from((async function* () {
        yield Buffer.from('first half, ');
        await gate;
        yield Buffer.from('second half');
      })());
      const conditional = errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'raced', Body: slow, ContentLength: 23, IfNoneMatch: '*' })));
      await new Promise((r) => setTimeout(r, 50));
      await put('raced', 'the other writer');
      release();
      const err = await conditional;
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['ConditionalRequestConflict', 409]);
      expect(await body('raced')).to.equal('the other writer');
    });

    it('refuses an If-None-Match other than * as not implemented', async function () {
      docsOnly(this, t, 'moto ignores the value');
      const err = await errorOf(put('etag-none-match', 'x', { IfNoneMatch: '"abc"' }));
      expect(err.$metadata.httpStatusCode).to.equal(501);
    });
  });

  describe('CopyObject', () => {
    let etag: string;
    before(async () => {
      etag = (await put('src', 'source bytes')).ETag!;
    });
    const copy = (extra: Record<string, unknown>) => s3.send(new CopyObjectCommand({ Bucket: b, Key: `dst-${randomBytes(3).toString('hex')}`, CopySource: `${b}/src`, ...extra }));
    const hourAgo = () => new Date(Date.now() - 3600_000);
    const inAnHour = () => new Date(Date.now() + 3600_000);

    it('copies when every x-amz-copy-source-if-* condition holds', async () => {
      await copy({ CopySourceIfMatch: etag });
      await copy({ CopySourceIfNoneMatch: '"00000000000000000000000000000000"' });
      await copy({ CopySourceIfModifiedSince: hourAgo() });
      await copy({ CopySourceIfUnmodifiedSince: inAnHour() });
    });

    it('answers 412 PreconditionFailed to each failing copy-source condition', async function () {
      docsOnly(this, t, 'moto enforces only some x-amz-copy-source-if-* headers');
      for (const extra of [{ CopySourceIfMatch: '"00000000000000000000000000000000"' }, { CopySourceIfNoneMatch: etag }, { CopySourceIfModifiedSince: inAnHour() }, { CopySourceIfUnmodifiedSince: hourAgo() }]) {
        const err = await errorOf(copy(extra));
        expect([err.name, err.$metadata.httpStatusCode], JSON.stringify(extra)).to.deep.equal(['PreconditionFailed', 412]);
      }
    });

    it('lets if-match win over if-unmodified-since, and fails if-none-match over if-modified-since (CopyObject docs)', async () => {
      await copy({ CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: hourAgo() });
      const err = await errorOf(copy({ CopySourceIfNoneMatch: etag, CopySourceIfModifiedSince: hourAgo() }));
      expect(err.$metadata.httpStatusCode).to.equal(412);
    });

    it('copies onto an existing key with If-None-Match: * only when it is absent', async function () {
      docsOnly(this, t, 'moto ignores conditional headers on CopyObject');
      await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy-once', CopySource: `${b}/src`, IfNoneMatch: '*' }));
      const err = await errorOf(s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy-once', CopySource: `${b}/src`, IfNoneMatch: '*' })));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['PreconditionFailed', 412]);
    });
  });

  describe('CompleteMultipartUpload', () => {
    async function upload(Key: string) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key }));
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: b, Key, UploadId, PartNumber: 1, Body: 'only part' }));
      return (extra: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
        s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] }, ...extra }));
    }

    it('completes with If-None-Match: * only while the key is absent', async () => {
      await put('mp-exists', 'already here');
      const complete = await upload('mp-exists');
      const err = await errorOf(complete({ IfNoneMatch: '*' }));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['PreconditionFailed', 412]);
      expect(await body('mp-exists')).to.equal('already here');
      const fresh = await upload('mp-fresh');
      await fresh({ IfNoneMatch: '*' });
      expect(await body('mp-fresh')).to.equal('only part');
    });

    it('completes with If-Match only while the current ETag matches', async function () {
      docsOnly(this, t, 'moto ignores If-Match on CompleteMultipartUpload');
      const { ETag } = await put('mp-swap', 'current');
      const complete = await upload('mp-swap');
      const err = await errorOf(complete({ IfMatch: '"00000000000000000000000000000000"' }));
      expect(err.$metadata.httpStatusCode).to.equal(412);
      await complete({ IfMatch: ETag });
      expect(await body('mp-swap')).to.equal('only part');
    });
  });

  it('deletes with If-Match only while the ETag matches', async () => {
    const { ETag } = await put('del', 'x');
    const err = await errorOf(s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'del', IfMatch: '"00000000000000000000000000000000"' })));
    expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['PreconditionFailed', 412]);
    await s3.send(new DeleteObjectCommand({ Bucket: b, Key: 'del', IfMatch: ETag }));
    expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'del' })))).name).to.equal('NoSuchKey');
  });
});
