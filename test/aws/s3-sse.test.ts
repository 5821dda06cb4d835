/**
 * Server-side encryption through SDK v3: SSE-S3 (AES256) on PUT, GET, HEAD, ranges, copies and multipart uploads;
 * SSE-C with the customer's key checked on every read and never kept; SSE-KMS refused with 501; bucket default
 * encryption and the SSE-C block. Against the embedded edge, the stored bytes are checked to hold no plaintext.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, CopyObjectCommand, CreateMultipartUploadCommand,
  UploadPartCommand, UploadPartCopyCommand, CompleteMultipartUploadCommand, PutBucketEncryptionCommand, GetBucketEncryptionCommand,
  DeleteBucketEncryptionCommand, ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { errorOf, docsOnly, type AwsTarget, openS3, closeS3 } from '../helpers/aws.ts';
import { startS3Server } from '../../emulators/aws/s3/serve.ts';

const MiB = 1024 * 1024;
const customerKey = () => randomBytes(32);
const ssec = (key: Buffer) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key.toString('base64'), SSECustomerKeyMD5: createHash('md5').update(key).digest('base64') });
const copySsec = (key: Buffer) => ({ CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key.toString('base64'), CopySourceSSECustomerKeyMD5: createHash('md5').update(key).digest('base64') });
const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('S3 server-side encryption (SDK v3)', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  before(async () => ({ t, s3, bucket: b } = await openS3('sse')));
  after(() => closeS3(t, s3));
  const bytes = async (out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }) => Buffer.from(await out.Body!.transformToByteArray());

  describe('SSE-S3', () => {
    const body = randomBytes(200 * 1024 + 17);

    it('encrypts on PUT and says so on PUT, GET and HEAD; the ETag is the MD5 of the data', async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: 's3', Body: body, ServerSideEncryption: 'AES256' }));
      expect([put.ServerSideEncryption, put.ETag]).to.deep.equal(['AES256', `"${md5(body)}"`]);
      const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 's3' }));
      expect(got.ServerSideEncryption).to.equal('AES256');
      expect((await bytes(got)).equals(body)).to.equal(true);
      expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: 's3' }))).ServerSideEncryption).to.equal('AES256');
    });

    it('serves ranges across the 64 KiB chunks it encrypts in', async () => {
      for (const [start, end] of [[0, 0], [65530, 65545], [65536, 131071], [100000, body.length - 1], [body.length - 5, body.length - 1]]) {
        const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 's3', Range: `bytes=${start}-${end}` }));
        expect((await bytes(got)).equals(body.subarray(start, end + 1)), `${start}-${end}`).to.equal(true);
      }
    });

    it('copies into and out of encryption, as the copy request says', async () => {
      await s3.send(new PutObjectCommand({ Bucket: b, Key: 'plain', Body: 'plain text' }));
      const enc = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'plain-encrypted', CopySource: `${b}/plain`, ServerSideEncryption: 'AES256' }));
      expect(enc.ServerSideEncryption).to.equal('AES256');
      expect(enc.CopyObjectResult?.ETag).to.equal(`"${md5('plain text')}"`);
      const out = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 's3-copy', CopySource: `${b}/s3` }));
      expect(out.ServerSideEncryption).to.equal(undefined);
      expect((await bytes(await s3.send(new GetObjectCommand({ Bucket: b, Key: 's3-copy' })))).equals(body)).to.equal(true);
      // An object can be copied onto itself to encrypt it in place.
      const inPlace = await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'plain', CopySource: `${b}/plain`, ServerSideEncryption: 'AES256' }));
      expect(inPlace.ServerSideEncryption).to.equal('AES256');
    });

    it('encrypts every part of a multipart upload and reads parts and ranges back', async () => {
      const p1 = randomBytes(5 * MiB);
      const p2 = randomBytes(70 * 1024);
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp', ServerSideEncryption: 'AES256' }));
      expect(up.ServerSideEncryption).to.equal('AES256');
      const e1 = await s3.send(new UploadPartCommand({ Bucket: b, Key: 'mp', UploadId: up.UploadId, PartNumber: 1, Body: p1 }));
      expect(e1.ServerSideEncryption).to.equal('AES256');
      const e2 = await s3.send(new UploadPartCopyCommand({ Bucket: b, Key: 'mp', UploadId: up.UploadId, PartNumber: 2, CopySource: `${b}/s3`, CopySourceRange: `bytes=0-${p2.length - 1}` }));
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1.ETag }, { PartNumber: 2, ETag: e2.CopyPartResult?.ETag }] } }));
      expect(done.ServerSideEncryption).to.equal('AES256');
      const whole = Buffer.concat([p1, body.subarray(0, p2.length)]);
      expect((await bytes(await s3.send(new GetObjectCommand({ Bucket: b, Key: 'mp' })))).equals(whole)).to.equal(true);
      const r = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'mp', Range: `bytes=${p1.length - 10}-${p1.length + 10}` }));
      expect((await bytes(r)).equals(whole.subarray(p1.length - 10, p1.length + 11))).to.equal(true);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'mp' }))).Contents?.[0].Size).to.equal(whole.length);
    });

    it('serves one part of an encrypted multipart object by partNumber', async function () {
      docsOnly(this, t, 'moto ignores partNumber on GET');
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: 'mp', PartNumber: 2 }));
      const part = await bytes(await s3.send(new GetObjectCommand({ Bucket: b, Key: 'mp', PartNumber: 2 })));
      expect([head.PartsCount, part.length]).to.deep.equal([2, 70 * 1024]);
      expect(part.equals(body.subarray(0, part.length))).to.equal(true);
    });

    it('applies a bucket\'s default encryption to writes that ask for none', async function () {
      docsOnly(this, t, 'S3 and moto encrypt every object with SSE-S3 whatever the bucket says; the edge only where asked (README)');
      const db = `ssed-${randomBytes(5).toString('hex')}`;
      await s3.send(new CreateBucketCommand({ Bucket: db }));
      expect((await s3.send(new PutObjectCommand({ Bucket: db, Key: 'before', Body: 'x' }))).ServerSideEncryption).to.equal(undefined);
      await s3.send(new PutBucketEncryptionCommand({ Bucket: db, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }));
      const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: db }))).ServerSideEncryptionConfiguration?.Rules?.[0];
      expect(rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).to.equal('AES256');
      expect((await s3.send(new PutObjectCommand({ Bucket: db, Key: 'after', Body: 'x' }))).ServerSideEncryption).to.equal('AES256');
      expect((await s3.send(new HeadObjectCommand({ Bucket: db, Key: 'before' }))).ServerSideEncryption).to.equal(undefined);
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: db }));
      expect((await s3.send(new PutObjectCommand({ Bucket: db, Key: 'again', Body: 'x' }))).ServerSideEncryption).to.equal(undefined);
    });
  });

  describe('SSE-C', () => {
    let cb: string;
    const key = customerKey();
    const secret = Buffer.from('nobody reads this without the key');

    before(async () => {
      cb = `ssec-${randomBytes(5).toString('hex')}`;
      await s3.send(new CreateBucketCommand({ Bucket: cb }));
    });

    it('is blocked on a new bucket, as on S3 since April 2026, until PutBucketEncryption allows it', async function () {
      docsOnly(this, t, 'moto does not block SSE-C on new buckets');
      const err = await errorOf(s3.send(new PutObjectCommand({ Bucket: cb, Key: 'c', Body: secret, ...ssec(key) })));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      expect(err.message).to.include('blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C)');
      const rule = (await s3.send(new GetBucketEncryptionCommand({ Bucket: cb }))).ServerSideEncryptionConfiguration?.Rules?.[0];
      expect(rule?.BlockedEncryptionTypes?.EncryptionType).to.deep.equal(['SSE-C']);
    });

    it('stores with the customer\'s key and reads only with it', async () => {
      await s3.send(new PutBucketEncryptionCommand({ Bucket: cb, ServerSideEncryptionConfiguration: { Rules: [{ BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] } })).catch(() => undefined);
      await s3.send(new PutObjectCommand({ Bucket: cb, Key: 'c', Body: secret, ...ssec(key) }));
      const got = await s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c', ...ssec(key) }));
      expect((await bytes(got)).equals(secret)).to.equal(true);
      const ranged = await s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c', Range: 'bytes=7-12', ...ssec(key) }));
      expect((await bytes(ranged)).toString()).to.equal(secret.subarray(7, 13).toString());
    });

    it('echoes the algorithm and the key\'s MD5, and an ETag that is not the data\'s MD5', async function () {
      docsOnly(this, t, 'moto does not echo SSE-C headers');
      const put = await s3.send(new PutObjectCommand({ Bucket: cb, Key: 'c-echo', Body: secret, ...ssec(key) }));
      expect([put.SSECustomerAlgorithm, put.SSECustomerKeyMD5, put.ServerSideEncryption]).to.deep.equal(['AES256', ssec(key).SSECustomerKeyMD5, undefined]);
      // "The ETag that is returned is not the MD5 of the object."
      expect(put.ETag).to.not.equal(`"${md5(secret)}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c-echo', ...ssec(key) }));
      expect([got.SSECustomerAlgorithm, got.SSECustomerKeyMD5]).to.deep.equal(['AES256', ssec(key).SSECustomerKeyMD5]);
      expect((await s3.send(new HeadObjectCommand({ Bucket: cb, Key: 'c-echo', ...ssec(key) }))).SSECustomerKeyMD5).to.equal(ssec(key).SSECustomerKeyMD5);
    });

    // A key whose MD5 does not match cannot be sent through SDK v3 (it computes the MD5): s3-bad-input covers it.
    it('refuses reads without the key and with another key', async function () {
      docsOnly(this, t, 'moto does not check SSE-C keys on reads');
      const none = await errorOf(s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c' })));
      expect([none.name, none.$metadata.httpStatusCode, none.message]).to.deep.equal(['InvalidRequest', 400, 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.']);
      const wrong = await errorOf(s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c', ...ssec(customerKey()) })));
      expect([wrong.name, wrong.$metadata.httpStatusCode, wrong.message]).to.deep.equal(['AccessDenied', 403, 'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.']);
      const head = await errorOf(s3.send(new HeadObjectCommand({ Bucket: cb, Key: 'c', ...ssec(customerKey()) })));
      expect(head.$metadata.httpStatusCode).to.equal(403);
      await s3.send(new PutObjectCommand({ Bucket: cb, Key: 'plain', Body: 'x' }));
      const notApplicable = await errorOf(s3.send(new GetObjectCommand({ Bucket: cb, Key: 'plain', ...ssec(key) })));
      expect([notApplicable.name, notApplicable.message]).to.deep.equal(['InvalidRequest', 'The encryption parameters are not applicable to this object.']);
      const shortKey = randomBytes(16);
      const short = await errorOf(s3.send(new PutObjectCommand({ Bucket: cb, Key: 'short', Body: 'x', ...ssec(shortKey) })));
      expect([short.name, short.message]).to.deep.equal(['InvalidArgument', 'The secret key was invalid for the specified algorithm.']);
    });

    it('copies an SSE-C source given its key, into SSE-S3 or another customer key', async () => {
      const other = customerKey();
      await s3.send(new CopyObjectCommand({ Bucket: cb, Key: 'c-rekeyed', CopySource: `${cb}/c`, ...copySsec(key), ...ssec(other) }));
      expect((await bytes(await s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c-rekeyed', ...ssec(other) })))).equals(secret)).to.equal(true);
      const s3copy = await s3.send(new CopyObjectCommand({ Bucket: cb, Key: 'c-s3', CopySource: `${cb}/c`, ...copySsec(key), ServerSideEncryption: 'AES256' }));
      expect(s3copy.ServerSideEncryption).to.equal('AES256');
      expect((await bytes(await s3.send(new GetObjectCommand({ Bucket: cb, Key: 'c-s3' })))).equals(secret)).to.equal(true);
    });

    it('refuses a copy of an SSE-C source without its key', async function () {
      docsOnly(this, t, 'moto copies SSE-C sources without their key');
      const err = await errorOf(s3.send(new CopyObjectCommand({ Bucket: cb, Key: 'c2', CopySource: `${cb}/c` })));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['InvalidRequest', 400]);
    });

    it('needs the same key on every part of an SSE-C multipart upload', async function () {
      docsOnly(this, t, 'moto does not check SSE-C keys on parts');
      const up = await s3.send(new CreateMultipartUploadCommand({ Bucket: cb, Key: 'cmp', ...ssec(key) }));
      const none = await errorOf(s3.send(new UploadPartCommand({ Bucket: cb, Key: 'cmp', UploadId: up.UploadId, PartNumber: 1, Body: 'x' })));
      expect(none.message).to.equal('The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.');
      const other = await errorOf(s3.send(new UploadPartCommand({ Bucket: cb, Key: 'cmp', UploadId: up.UploadId, PartNumber: 1, Body: 'x', ...ssec(customerKey()) })));
      expect(other.message).to.equal('The provided encryption parameters did not match the ones used originally.');
      const p1 = await s3.send(new UploadPartCommand({ Bucket: cb, Key: 'cmp', UploadId: up.UploadId, PartNumber: 1, Body: 'only part', ...ssec(key) }));
      expect(p1.SSECustomerKeyMD5).to.equal(ssec(key).SSECustomerKeyMD5);
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: cb, Key: 'cmp', UploadId: up.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }));
      expect((await bytes(await s3.send(new GetObjectCommand({ Bucket: cb, Key: 'cmp', ...ssec(key) })))).toString()).to.equal('only part');
    });
  });

  describe('refusals', () => {
    it('refuses SSE-KMS with 501, an unknown algorithm with 400, and SSE-S3 with SSE-C together', async function () {
      docsOnly(this, t, 'moto accepts aws:kms without KMS');
      const kms = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms' })));
      expect([kms.name, kms.$metadata.httpStatusCode]).to.deep.equal(['NotImplemented', 501]);
      const dsse = await errorOf(s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'k', ServerSideEncryption: 'aws:kms:dsse' })));
      expect(dsse.$metadata.httpStatusCode).to.equal(501);
      const bad = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ServerSideEncryption: 'AES128' as 'AES256' })));
      expect([bad.name, bad.message]).to.deep.equal(['InvalidArgument', 'The encryption method specified is not supported']);
      const both = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ServerSideEncryption: 'AES256', ...ssec(customerKey()) })));
      expect([both.name, both.message]).to.deep.equal(['InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified']);
      const kmsDefault = await errorOf(s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } })));
      expect(kmsDefault.$metadata.httpStatusCode).to.equal(501);
      expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' })))).name).to.equal('NoSuchKey');
    });
  });
});

describe('S3 server-side encryption at rest (embedded)', () => {
  it('keeps SSE-S3 and SSE-C objects as ciphertext and the customer key nowhere', async () => {
    const srv = await startS3Server({ credentials: { test: 'test' } });
    const s3 = new S3Client({ endpoint: srv.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'rest' }));
      await s3.send(new PutBucketEncryptionCommand({ Bucket: 'rest', ServerSideEncryptionConfiguration: { Rules: [{ BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] } }));
      const plain = Buffer.from('PLAINTEXT-MARKER '.repeat(100));
      const key = customerKey();
      await s3.send(new PutObjectCommand({ Bucket: 'rest', Key: 's3', Body: plain, ServerSideEncryption: 'AES256' }));
      await s3.send(new PutObjectCommand({ Bucket: 'rest', Key: 'c', Body: plain, ...ssec(key) }));
      for (const k of ['s3', 'c']) {
        const v = srv.s3.state.getObject('rest', k);
        expect(v.body!.includes(Buffer.from('PLAINTEXT-MARKER')), k).to.equal(false);
        const record = JSON.stringify({ ...v, body: undefined });
        expect(record.includes(key.toString('base64')) || record.includes(key.toString('hex'))).to.equal(false);
      }
    } finally {
      s3.destroy();
      await srv.close();
    }
  });
});
