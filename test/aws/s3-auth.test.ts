/**
 * SigV4 enforcement on the embedded S3: header auth, presigned URLs, clock skew and chunk-signed streaming uploads.
 * Cases another target (moto, LocalStack) does not enforce are skipped there with the reason printed.
 */
import { expect } from 'chai';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';
import { startS3Server } from '../../emulators/aws/s3/serve.ts';
import { verifySigV4, sha256Hex } from '../../emulators/aws/sigv4.ts';


const errorCode = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const errorMessage = (xml: string) => /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];

describe('S3 SigV4 enforcement', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;

  before(async () => {
    t = await awsTarget();
    s3 = new S3Client({ ...sdkConfig(t), forcePathStyle: true });
    b = `s3a-${randomBytes(5).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'files/report 1.csv', Body: 'secret,report' }));
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  function embeddedOnly(ctx: Mocha.Context): void {
    if (!t.embedded) {
      console.log(`      (skipped: ${t.endpoint} does not enforce signatures)`);
      ctx.skip();
    }
  }
  const client = (over: Partial<ConstructorParameters<typeof S3Client>[0]>) =>
    new S3Client({ endpoint: t.endpoint, region: t.region, credentials: t.credentials, forcePathStyle: true, maxAttempts: 1, ...over });

  it('rejects a request signed with the wrong secret (SignatureDoesNotMatch)', async function () {
    embeddedOnly(this);
    const bad = client({ credentials: { accessKeyId: t.credentials.accessKeyId, secretAccessKey: 'wrong' } });
    const err = await errorOf(bad.send(new ListBucketsCommand({})));
    expect(err.name).to.equal('SignatureDoesNotMatch');
    expect(err.$metadata.httpStatusCode).to.equal(403);
  });

  it('rejects an unknown access key (InvalidAccessKeyId)', async function () {
    embeddedOnly(this);
    const bad = client({ credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' } });
    const err = await errorOf(bad.send(new GetObjectCommand({ Bucket: b, Key: 'files/report 1.csv' })));
    expect(err.name).to.equal('InvalidAccessKeyId');
    expect(err.$metadata.httpStatusCode).to.equal(403);
  });

  it('rejects a request whose clock is 20 minutes off (RequestTimeTooSkewed)', async function () {
    embeddedOnly(this);
    const skewed = client({ systemClockOffset: -20 * 60 * 1000 });
    const err = await errorOf(skewed.send(new ListBucketsCommand({})));
    expect(err.name).to.equal('RequestTimeTooSkewed');
    expect(err.$metadata.httpStatusCode).to.equal(403);
  });

  it('rejects an unsigned request (AccessDenied)', async function () {
    embeddedOnly(this);
    const res = await fetch(`${t.endpoint}/${b}/files/report%201.csv`);
    expect(res.status).to.equal(403);
    expect(errorCode(await res.text())).to.equal('AccessDenied');
  });

  describe('presigned URLs', () => {
    const presign = (opts: { expiresIn?: number; signingDate?: Date } = {}) =>
      getSignedUrl(s3, new GetObjectCommand({ Bucket: b, Key: 'files/report 1.csv' }), { expiresIn: opts.expiresIn ?? 3600, signingDate: opts.signingDate });

    it('serves a presigned GET to plain fetch', async () => {
      const res = await fetch(await presign());
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('secret,report');
    });

    it('answers 403 AccessDenied "Request has expired" after X-Amz-Expires', async function () {
      embeddedOnly(this);
      const res = await fetch(await presign({ expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) }));
      const body = await res.text();
      expect(res.status).to.equal(403);
      expect(errorCode(body)).to.equal('AccessDenied');
      expect(errorMessage(body)).to.equal('Request has expired');
    });

    it('rejects X-Amz-Expires over 604800 seconds (seven days)', async function () {
      embeddedOnly(this);
      const url = new URL(await presign());
      url.searchParams.set('X-Amz-Expires', '604801');
      const res = await fetch(url);
      const body = await res.text();
      expect(res.status).to.equal(400);
      expect(errorCode(body)).to.equal('AuthorizationQueryParametersError');
      expect(errorMessage(body)).to.include('604800');
    });

    it('rejects a presigned URL whose query or path was tampered with', async function () {
      embeddedOnly(this);
      const url = new URL(await presign({ expiresIn: 60 }));
      url.searchParams.set('X-Amz-Expires', '3600');
      const longer = await fetch(url);
      expect(longer.status).to.equal(403);
      expect(errorCode(await longer.text())).to.equal('SignatureDoesNotMatch');
      const other = new URL(await presign());
      other.pathname = other.pathname.replace('report%201.csv', 'report%202.csv');
      const moved = await fetch(other);
      expect(moved.status).to.equal(403);
      expect(errorCode(await moved.text())).to.equal('SignatureDoesNotMatch');
    });
  });
});

describe('SigV4 chunk-signed uploads (AWS documentation vector)', () => {
  // sigv4-streaming.html "Example: PUT Object": 66560 bytes of 'a' in a 64 KiB and a 1 KiB chunk, 2013-05-24.
  const creds = { AKIAIOSFODNN7EXAMPLE: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
  const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
  const sigs = ['ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648', '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'];

  function body(signatures: string[]): Buffer {
    const a = (n: number) => Buffer.alloc(n, 'a');
    return Buffer.concat([
      Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`), a(65536), Buffer.from('\r\n'),
      Buffer.from(`400;chunk-signature=${signatures[1]}\r\n`), a(1024), Buffer.from('\r\n'),
      Buffer.from(`0;chunk-signature=${signatures[2]}\r\n\r\n`),
    ]);
  }

  function put(url: string, payload: Buffer): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${url}/examplebucket/chunkObject.txt`, {
        method: 'PUT',
        headers: {
          host: 's3.amazonaws.com',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${seed}`,
          'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          'content-encoding': 'aws-chunked',
          'x-amz-decoded-content-length': '66560',
          'content-length': String(payload.length),
        },
      }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('accepts the documented chunk signature chain and stores the decoded 66560 bytes', async () => {
    const srv = await startS3Server({ credentials: creds, now: () => Date.UTC(2013, 4, 24, 0, 1) });
    try {
      srv.s3.state.createBucket('examplebucket', 'us-east-1');
      const payload = body(sigs);
      expect(payload.length).to.equal(66824);
      const res = await put(srv.url, payload);
      expect(res.status, res.body).to.equal(200);
      const stored = srv.s3.state.getObject('examplebucket', 'chunkObject.txt');
      expect(stored.body?.equals(Buffer.alloc(66560, 'a'))).to.equal(true);
    } finally {
      await srv.close();
    }
  });

  it('rejects a chunk whose signature breaks the chain', async () => {
    const srv = await startS3Server({ credentials: creds, now: () => Date.UTC(2013, 4, 24, 0, 1) });
    try {
      srv.s3.state.createBucket('examplebucket', 'us-east-1');
      const res = await put(srv.url, body([sigs[0], sigs[0], sigs[2]]));
      expect(res.status).to.equal(403);
      expect(errorCode(res.body)).to.equal('SignatureDoesNotMatch');
      expect(() => srv.s3.state.getObject('examplebucket', 'chunkObject.txt')).to.throw('The specified key does not exist.');
    } finally {
      await srv.close();
    }
  });
});

describe('presigned URLs replayed against a moving clock', () => {
  // The edge remembers a presigned URL's successful check (the GET hot path); the time check must still run on
  // every request, so the same URL stops working the moment it expires.
  it('serves a presigned URL twice, then refuses the same URL once its expiry has passed', async () => {
    let now = Date.now();
    const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
    const srv = await startS3Server({ credentials: { test: 'test' }, now: () => now });
    const s3 = new S3Client({ endpoint: srv.url, region: 'us-east-1', credentials: creds, forcePathStyle: true });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'replayed' }));
      await s3.send(new PutObjectCommand({ Bucket: 'replayed', Key: 'a.txt', Body: 'hello' }));
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'replayed', Key: 'a.txt' }), { expiresIn: 60, signingDate: new Date(now) });
      for (let i = 0; i < 2; i++) {
        const ok = await fetch(url);
        expect(ok.status).to.equal(200);
        expect(await ok.text()).to.equal('hello');
      }
      now += 61_000;
      const late = await fetch(url);
      const xml = await late.text();
      expect(late.status).to.equal(403);
      expect(errorCode(xml)).to.equal('AccessDenied');
      expect(errorMessage(xml)).to.equal('Request has expired');
    } finally {
      s3.destroy();
      await srv.close();
    }
  });
});

describe('verifySigV4 for other services', () => {
  it('verifies a JSON-protocol request (SSM) signed by @smithy/signature-v4, using the body hash it is given', async () => {
    const signer = new SignatureV4({ service: 'ssm', region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
    const body = JSON.stringify({ Name: '/app/key', WithDecryption: true });
    const signed = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: 'localhost', port: 4566, path: '/', query: {},
      headers: { host: 'localhost:4566', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' }, body,
    });
    const req = { method: 'POST', path: '/', rawQuery: '', headers: signed.headers as Record<string, string> };
    const ok = verifySigV4(req, { test: 'test' }, Date.now(), { payloadHash: sha256Hex(body) });
    expect(ok).to.include({ ok: true, accessKeyId: 'test', region: 'eu-west-1', service: 'ssm', presigned: false });
    const tampered = verifySigV4(req, { test: 'test' }, Date.now(), { payloadHash: sha256Hex(body.replace('key', 'other')) });
    expect(tampered).to.deep.include({ ok: false, status: 403, code: 'SignatureDoesNotMatch' });
  });
});
