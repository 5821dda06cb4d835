/**
 * Request options are served or refused, never accepted and dropped: storage classes (archived ones unreadable
 * until a restore this edge does not perform), website redirects, object lock retention and legal holds, MFA delete,
 * Requester Pays, appends, optional listing attributes, a copy's checksum algorithm.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CopyObjectCommand, ListObjectsV2Command,
  PutBucketVersioningCommand, GetBucketRequestPaymentCommand, PutBucketRequestPaymentCommand, RestoreObjectCommand,
} from '@aws-sdk/client-s3';
import { errorOf, docsOnly, type AwsTarget, openS3, closeS3 } from '../helpers/aws.ts';

const crc32 = (b: Buffer) => { const o = Buffer.alloc(4); o.writeUInt32BE(zlib.crc32(b)); return o.toString('base64'); };

describe('S3 request options: served or refused (SDK v3)', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  before(async () => ({ t, s3, bucket: b } = await openS3('opt')));
  after(() => closeS3(t, s3));

  it('stores a storage class and a website redirect and answers them on GET, HEAD and listings', async () => {
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'ia', Body: 'x', StorageClass: 'STANDARD_IA', WebsiteRedirectLocation: '/elsewhere.html' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'ia' }));
    expect([got.StorageClass, got.WebsiteRedirectLocation]).to.deep.equal(['STANDARD_IA', '/elsewhere.html']);
    expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'ia' }))).StorageClass).to.equal('STANDARD_IA');
    expect((await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'ia' }))).Contents?.[0].StorageClass).to.equal('STANDARD_IA');
  });

  it('refuses an unknown storage class and a redirect without /, http:// or https://', async function () {
    docsOnly(this, t, 'moto accepts any redirect location');
    const cls = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', StorageClass: 'FAKE' as 'STANDARD' })));
    expect([cls.name, cls.message]).to.deep.equal(['InvalidStorageClass', 'The storage class you specified is not valid']);
    const redirect = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', WebsiteRedirectLocation: 'ftp://x' })));
    expect(redirect.name).to.equal('InvalidArgument');
  });

  it('keeps an archived object\'s bytes from GET until a restore, which answers 501', async function () {
    docsOnly(this, t, 'moto serves GLACIER objects without a restore');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'cold', Body: 'frozen', StorageClass: 'GLACIER' }));
    const err = await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'cold' })));
    expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['InvalidObjectState', 403]);
    expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'cold' }))).StorageClass).to.equal('GLACIER');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'cold', OptionalObjectAttributes: ['RestoreStatus'] }));
    expect(listed.Contents?.[0].RestoreStatus?.IsRestoreInProgress).to.equal(false);
    const restore = await errorOf(s3.send(new RestoreObjectCommand({ Bucket: b, Key: 'cold', RestoreRequest: { Days: 1 } })));
    expect(restore.$metadata.httpStatusCode).to.equal(501);
  });

  it('refuses object lock retention and legal holds: 400 without Object Lock, 501 with it', async function () {
    docsOnly(this, t, 'moto stores retention settings');
    const until = new Date(Date.now() + 86_400_000);
    const plain = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until })));
    expect([plain.name, plain.message]).to.deep.equal(['InvalidRequest', 'Bucket is missing Object Lock Configuration']);
    const locked = `optl-${randomBytes(5).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: locked, ObjectLockEnabledForBucket: true }));
    const hold = await errorOf(s3.send(new PutObjectCommand({ Bucket: locked, Key: 'k', Body: 'x', ObjectLockLegalHoldStatus: 'ON' })));
    expect([hold.name, hold.$metadata.httpStatusCode]).to.deep.equal(['NotImplemented', 501]);
  });

  it('refuses MFA delete and Requester Pays, and answers the bucket owner as payer', async function () {
    docsOnly(this, t, 'moto stores both settings');
    const mfa = await errorOf(s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' }, MFA: '123456 000000' })));
    expect(mfa.$metadata.httpStatusCode).to.equal(501);
    expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: b }))).Payer).to.equal('BucketOwner');
    const pays = await errorOf(s3.send(new PutBucketRequestPaymentCommand({ Bucket: b, RequestPaymentConfiguration: { Payer: 'Requester' } })));
    expect(pays.$metadata.httpStatusCode).to.equal(501);
  });

  it('gives a copy the checksum algorithm it asks for', async function () {
    docsOnly(this, t, 'moto does not compute checksums on copy');
    const body = Buffer.from('checksummed copy');
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'src', Body: body, ChecksumAlgorithm: 'SHA256' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'dst', CopySource: `${b}/src`, ChecksumAlgorithm: 'CRC32' }));
    expect(copy.CopyObjectResult?.ChecksumCRC32).to.equal(crc32(body));
    expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'dst', ChecksumMode: 'ENABLED' }))).ChecksumCRC32).to.equal(crc32(body));
  });
});
