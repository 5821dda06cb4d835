/** Object and bucket tagging through SDK v3: the operations, x-amz-tagging on writes and copies, limits and errors. */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CopyObjectCommand, PutObjectTaggingCommand,
  GetObjectTaggingCommand, DeleteObjectTaggingCommand, PutBucketTaggingCommand, GetBucketTaggingCommand, DeleteBucketTaggingCommand,
  PutBucketVersioningCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errorOf, docsOnly, type AwsTarget, openS3, closeS3 } from '../helpers/aws.ts';

describe('S3 tagging (SDK v3)', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  before(async () => ({ t, s3, bucket: b } = await openS3('tag')));
  after(() => closeS3(t, s3));

  const tagsOf = async (Key: string, VersionId?: string) => (await s3.send(new GetObjectTaggingCommand({ Bucket: b, Key, VersionId }))).TagSet?.map((x) => [x.Key, x.Value]);

  it('puts, gets and deletes an object\'s tags, and counts them on GET and HEAD', async () => {
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'doc', Body: 'x' }));
    expect(await tagsOf('doc')).to.deep.equal([]);
    await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'doc', Tagging: { TagSet: [{ Key: 'team', Value: 'finance' }, { Key: 'year', Value: '2026' }] } }));
    expect(await tagsOf('doc')).to.deep.equal([['team', 'finance'], ['year', '2026']]);
    expect((await s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc' }))).TagCount).to.equal(2);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'doc' }));
    expect(head.$metadata.httpStatusCode).to.equal(200);
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: b, Key: 'doc' }));
    expect(await tagsOf('doc')).to.deep.equal([]);
    expect((await s3.send(new GetObjectCommand({ Bucket: b, Key: 'doc' }))).TagCount).to.equal(undefined);
  });

  it('sets tags with x-amz-tagging on PUT and multipart uploads', async () => {
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'h', Body: 'x', Tagging: 'a=1&b=two%20words&empty' }));
    expect(await tagsOf('h')).to.deep.equal([['a', '1'], ['b', 'two words'], ['empty', '']]);
    const mp = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp', Tagging: 'source=multipart' }));
    const part = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId: mp.UploadId, PartNumber: 1, Body: 'only part' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: mp.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(await tagsOf('mp')).to.deep.equal([['source', 'multipart']]);
  });

  it('applies the x-amz-tagging a presigned PUT URL carries in its query', async function () {
    docsOnly(this, t, 'moto ignores the x-amz-* parameters of a presigned URL (S3 applies them: floci-io/floci#3608)');
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: b, Key: 'presigned', Tagging: 'via=url' }), { expiresIn: 300 });
    expect((await fetch(url, { method: 'PUT', body: 'p' })).status).to.equal(200);
    expect(await tagsOf('presigned')).to.deep.equal([['via', 'url']]);
  });

  it('copies tags by default and replaces them with x-amz-tagging-directive REPLACE', async () => {
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'src', Body: 'x', Tagging: 'kept=yes' }));
    await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy1', CopySource: `${b}/src`, Tagging: 'ignored=yes' }));
    expect(await tagsOf('copy1')).to.deep.equal([['kept', 'yes']]);
    await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy2', CopySource: `${b}/src`, Tagging: 'replaced=yes', TaggingDirective: 'REPLACE' }));
    expect(await tagsOf('copy2')).to.deep.equal([['replaced', 'yes']]);
  });

  it('tags each version of a versioned object on its own', async function () {
    docsOnly(this, t, 'moto answers PutObjectTagging without x-amz-version-id');
    const vb = `tagv-${randomBytes(5).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: vb }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: '1', Tagging: 'v=1' }))).VersionId;
    await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: '2', Tagging: 'v=2' }));
    const set = await s3.send(new PutObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1, Tagging: { TagSet: [{ Key: 'v', Value: 'one' }] } }));
    expect(set.VersionId).to.equal(v1);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k', VersionId: v1 }))).TagSet).to.deep.equal([{ Key: 'v', Value: 'one' }]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: vb, Key: 'k' }))).TagSet).to.deep.equal([{ Key: 'v', Value: '2' }]);
  });

  it('refuses tag sets past S3\'s limits', async function () {
    docsOnly(this, t, 'moto checks fewer tag limits');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'limits', Body: 'x' }));
    const put = (TagSet: { Key: string; Value: string }[]) => errorOf(s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'limits', Tagging: { TagSet } })));
    const cases: [{ Key: string; Value: string }[], string, string][] = [
      [Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), 'InvalidTag', 'Object tags cannot be greater than 10'],
      [[{ Key: 'k'.repeat(129), Value: 'v' }], 'InvalidTag', 'The TagKey you have provided is too long, max 128'],
      [[{ Key: 'k', Value: 'v'.repeat(257) }], 'InvalidTag', 'The TagValue you have provided is too long, max 256'],
      [[{ Key: 'dup', Value: '1' }, { Key: 'dup', Value: '2' }], 'InvalidTag', 'Cannot provide multiple Tags with the same key'],
      [[{ Key: 'aws:system', Value: 'x' }], 'InvalidTag', 'Your TagKey cannot be prefixed with aws:'],
      [[{ Key: 'bad{char}', Value: 'x' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
    ];
    for (const [set, code, message] of cases) {
      const err = await put(set);
      expect([err.name, err.$metadata.httpStatusCode, err.message]).to.deep.equal([code, 400, message]);
    }
    // Ten tags of the longest key and value are fine.
    await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'limits', Tagging: { TagSet: Array.from({ length: 10 }, (_, i) => ({ Key: `${i}`.padEnd(128, 'k'), Value: 'v'.repeat(256) })) } }));
    const header = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'h11', Body: 'x', Tagging: Array.from({ length: 11 }, (_, i) => `k${i}=v`).join('&') })));
    expect([header.name, header.message]).to.deep.equal(['BadRequest', 'Object tags cannot be greater than 10']);
    const dup = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'hd', Body: 'x', Tagging: 'a=1&a=2' })));
    expect(dup.name).to.equal('InvalidArgument');
    const missing = await errorOf(s3.send(new GetObjectTaggingCommand({ Bucket: b, Key: 'no-such-key' })));
    expect(missing.name).to.equal('NoSuchKey');
  });

  it('puts, gets and deletes bucket tags; an untagged bucket is NoSuchTagSet', async () => {
    const none = await errorOf(s3.send(new GetBucketTaggingCommand({ Bucket: b })));
    expect([none.name, none.$metadata.httpStatusCode]).to.deep.equal(['NoSuchTagSet', 404]);
    await s3.send(new PutBucketTaggingCommand({ Bucket: b, Tagging: { TagSet: [{ Key: 'cost-center', Value: '42' }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: b }))).TagSet).to.deep.equal([{ Key: 'cost-center', Value: '42' }]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: b }));
    expect((await errorOf(s3.send(new GetBucketTaggingCommand({ Bucket: b })))).name).to.equal('NoSuchTagSet');
  });
});
