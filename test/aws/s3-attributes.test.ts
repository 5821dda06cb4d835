/**
 * GetObjectAttributes and multipart checksums through SDK v3, against what S3 was recorded answering (LocalStack's
 * validated snapshots): ETag unquoted, Checksum and ObjectParts only where there is one, versions by id; COMPOSITE and
 * FULL_OBJECT uploads, their part checksums and the errors for a mismatched mode or a missing part checksum.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectAttributesCommand, PutBucketVersioningCommand, DeleteObjectCommand,
  CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand, ListPartsCommand, GetObjectCommand, HeadObjectCommand,
  CopyObjectCommand, PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { errorOf, docsOnly, type AwsTarget, openS3, closeS3 } from '../helpers/aws.ts';

const MiB = 1024 * 1024;
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');
const crc32 = (b: Buffer) => { const o = Buffer.alloc(4); o.writeUInt32BE(zlib.crc32(b)); return o.toString('base64'); };

describe('S3 GetObjectAttributes and multipart checksums (SDK v3)', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  before(async () => ({ t, s3, bucket: b } = await openS3('attr')));
  after(() => closeS3(t, s3));
  const attrs = (Key: string, extra: { VersionId?: string; MaxParts?: number; PartNumberMarker?: string } = {}) =>
    s3.send(new GetObjectAttributesCommand({ Bucket: b, Key, ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'], ...extra }));

  it('answers a simple object\'s ETag (unquoted), checksum, storage class and size, with no ObjectParts', async function () {
    docsOnly(this, t, 'moto sends GetObjectAttributes\' Last-Modified as ISO 8601, which SDK v3 cannot read');
    const body = Buffer.from('69\n420\n');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'data.txt', Body: body, ChecksumAlgorithm: 'CRC32', StorageClass: 'STANDARD_IA' }));
    const a = await attrs('data.txt');
    expect([a.ETag, a.Checksum?.ChecksumCRC32, a.Checksum?.ChecksumType, a.StorageClass, a.ObjectSize, a.ObjectParts]).to.deep.equal([md5(body), crc32(body), 'FULL_OBJECT', 'STANDARD_IA', body.length, undefined]);
    expect(a.LastModified).to.be.instanceOf(Date);
  });

  it('answers a version by id, and NoSuchKey when the current one is a delete marker', async function () {
    docsOnly(this, t, 'moto answers GetObjectAttributes without x-amz-version-id');
    const vb = `attrv-${randomBytes(5).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: vb }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: vb, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'version 1' }))).VersionId;
    await s3.send(new PutObjectCommand({ Bucket: vb, Key: 'k', Body: 'v2' }));
    await s3.send(new DeleteObjectCommand({ Bucket: vb, Key: 'k' }));
    const gone = await errorOf(s3.send(new GetObjectAttributesCommand({ Bucket: vb, Key: 'k', ObjectAttributes: ['ObjectSize'] })));
    expect([gone.name, gone.$metadata.httpStatusCode]).to.deep.equal(['NoSuchKey', 404]);
    const old = await s3.send(new GetObjectAttributesCommand({ Bucket: vb, Key: 'k', VersionId: v1, ObjectAttributes: ['ObjectSize', 'ETag'] }));
    expect([old.ObjectSize, old.ETag, old.VersionId]).to.deep.equal([9, md5('version 1'), v1]);
  });

  it('builds a COMPOSITE checksum from the parts\' and lists the parts in GetObjectAttributes', async function () {
    docsOnly(this, t, 'moto keeps no multipart checksums');
    const p1 = randomBytes(5 * MiB + 1);
    const p2 = Buffer.from('aaaaaaaaaa');
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'comp', ChecksumAlgorithm: 'CRC32', ChecksumType: 'COMPOSITE' }));
    expect([up.ChecksumAlgorithm, up.ChecksumType]).to.deep.equal(['CRC32', 'COMPOSITE']);
    const parts = [];
    for (const [i, body] of [p1, p2].entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'comp', UploadId: up.UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
      expect(r.ChecksumCRC32).to.equal(crc32(body));
      parts.push({ PartNumber: i + 1, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
    }
    const listed = await s3.send(new ListPartsCommand({ Bucket: b, Key: 'comp', UploadId: up.UploadId }));
    expect([listed.ChecksumAlgorithm, listed.ChecksumType, listed.Parts?.map((p) => p.ChecksumCRC32)]).to.deep.equal(['CRC32', 'COMPOSITE', [crc32(p1), crc32(p2)]]);
    const missing = await errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'comp', UploadId: up.UploadId, MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) } })));
    expect([missing.name, missing.message]).to.deep.equal(['InvalidRequest', 'The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.']);
    const wrong = await errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'comp', UploadId: up.UploadId, MultipartUpload: { Parts: parts.map((p) => ({ ...p, ChecksumCRC32: crc32(Buffer.from('bbb')) })) } })));
    expect(wrong.name).to.equal('InvalidPart');
    const mode = await errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'comp', UploadId: up.UploadId, ChecksumType: 'FULL_OBJECT', MultipartUpload: { Parts: parts } })));
    expect(mode.message).to.equal('The upload was created using the COMPOSITE checksum mode. The complete request must use the same checksum mode.');
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'comp', UploadId: up.UploadId, MultipartUpload: { Parts: parts } }));
    const composite = `${crc32(Buffer.concat([p1, p2].map((x) => Buffer.from(crc32(x), 'base64'))))}-2`;
    expect([done.ChecksumCRC32, done.ChecksumType]).to.deep.equal([composite, 'COMPOSITE']);
    const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'comp', ChecksumMode: 'ENABLED' }));
    expect([head.ChecksumCRC32, head.ChecksumType]).to.deep.equal([composite, 'COMPOSITE']);
    const part2 = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'comp', PartNumber: 2, ChecksumMode: 'ENABLED' }));
    expect(part2.ChecksumCRC32).to.equal(crc32(p2));
    const a = await attrs('comp', { MaxParts: 1 });
    expect([a.Checksum?.ChecksumCRC32, a.Checksum?.ChecksumType]).to.deep.equal([composite.replace(/-2$/, ''), 'COMPOSITE']);
    expect([a.ObjectParts?.TotalPartsCount, a.ObjectParts?.IsTruncated, a.ObjectParts?.NextPartNumberMarker, a.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumCRC32])]).to.deep.equal([2, true, '1', [[1, p1.length, crc32(p1)]]]);
    // A copy is one part: it gets a full-object CRC32 of the same bytes.
    const copy = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'comp-copy', CopySource: `${b}/comp` }));
    expect([copy.CopyObjectResult?.ChecksumCRC32, copy.CopyObjectResult?.ChecksumType]).to.deep.equal([crc32(Buffer.concat([p1, p2])), 'FULL_OBJECT']);
  });

  it('combines part CRCs into a FULL_OBJECT checksum and checks the one the client sends', async function () {
    docsOnly(this, t, 'moto keeps no multipart checksums');
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(1234);
    const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'full', ChecksumAlgorithm: 'CRC32', ChecksumType: 'FULL_OBJECT' }));
    const parts = [];
    for (const [i, body] of [p1, p2].entries()) {
      const r = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'full', UploadId: up.UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
      parts.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    const wrongAlg = await errorOf(s3.send(new UploadPartCommand({ Bucket: b, Key: 'full', UploadId: up.UploadId, PartNumber: 3, Body: 'x', ChecksumAlgorithm: 'SHA256' })));
    expect(wrongAlg.message).to.equal('Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: sha256');
    const whole = crc32(Buffer.concat([p1, p2]));
    const bad = await errorOf(s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'full', UploadId: up.UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC32: crc32(Buffer.from('bad')), MultipartUpload: { Parts: parts } })));
    expect([bad.name, bad.message]).to.deep.equal(['BadDigest', 'The crc32 you specified did not match the calculated checksum.']);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'full', UploadId: up.UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC32: whole, MultipartUpload: { Parts: parts } }));
    expect([done.ChecksumCRC32, done.ChecksumType]).to.deep.equal([whole, 'FULL_OBJECT']);
  });

  it('refuses bad checksum settings on CreateMultipartUpload', async function () {
    docsOnly(this, t, 'moto accepts any checksum settings');
    const cases: [Record<string, string>, string][] = [
      [{ ChecksumType: 'FULL_OBJECT' }, 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.'],
      [{ ChecksumAlgorithm: 'SHA256', ChecksumType: 'FULL_OBJECT' }, 'The FULL_OBJECT checksum type cannot be used with the sha256 checksum algorithm.'],
      [{ ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'COMPOSITE' }, 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.'],
    ];
    for (const [extra, message] of cases) {
      const err = await errorOf(s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'bad', ...extra } as never)));
      expect([err.name, err.message]).to.deep.equal(['InvalidRequest', message]);
    }
  });

  it('refuses a missing or unknown attribute name', async function () {
    docsOnly(this, t, 'moto does not check attribute names');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'x', Body: 'x' }));
    const bad = await errorOf(s3.send(new GetObjectAttributesCommand({ Bucket: b, Key: 'x', ObjectAttributes: ['Colour' as 'ETag'] })));
    expect([bad.name, bad.$metadata.httpStatusCode]).to.deep.equal(['InvalidArgument', 400]);
    await s3.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'x', Tagging: { TagSet: [] } }));
  });
});
