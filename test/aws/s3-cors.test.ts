/** Bucket CORS through the edge: configuration round trip, preflight OPTIONS and CORS headers on actual requests. */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { S3Client, CreateBucketCommand, PutBucketCorsCommand, GetBucketCorsCommand, DeleteBucketCorsCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsTarget, sdkConfig, docsOnly, type AwsTarget } from '../helpers/aws.ts';

describe('S3 CORS', () => {
  let t: AwsTarget;
  let s3: S3Client;
  let b: string;
  // The seed's CRM configuration (002: S3 file browser).
  const rule = { AllowedHeaders: ['*'], AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['https://crm.distro-nation.com'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3600 };

  before(async () => {
    t = await awsTarget();
    s3 = new S3Client({ ...sdkConfig(t), forcePathStyle: true });
    b = `s3c-${randomBytes(5).toString('hex')}`;
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'report.csv', Body: 'x' }));
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  const preflight = (origin: string | undefined, method: string, headers?: string) =>
    fetch(`${t.endpoint}/${b}/report.csv`, {
      method: 'OPTIONS',
      headers: { ...(origin ? { origin } : {}), 'access-control-request-method': method, ...(headers ? { 'access-control-request-headers': headers } : {}) },
    });

  it('answers 403 to a preflight while the bucket has no CORS configuration', async function () {
    docsOnly(this, t, "moto's server answers preflights with its own permissive CORS, not the bucket's rules");
    const res = await preflight('https://crm.distro-nation.com', 'GET');
    expect(res.status).to.equal(403);
    expect(await res.text()).to.include('<Code>AccessForbidden</Code>');
  });

  it('stores, returns and deletes the configuration', async () => {
    await s3.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: [rule] } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: b }));
    expect(got.CORSRules).to.deep.equal([rule]);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: b }));
    const err = await s3.send(new GetBucketCorsCommand({ Bucket: b })).catch((e: Error) => e);
    expect((err as Error).name).to.equal('NoSuchCORSConfiguration');
  });

  describe('with the CRM rule', () => {
    before(async () => {
      await s3.send(new PutBucketCorsCommand({ Bucket: b, CORSConfiguration: { CORSRules: [rule] } }));
    });

    it('allows a matching preflight and echoes origin, methods, headers and max age', async function () {
      docsOnly(this, t, "moto's server answers preflights with its own permissive CORS, not the bucket's rules");
      const res = await preflight('https://crm.distro-nation.com', 'GET', 'Authorization, X-Amz-Date');
      expect(res.status).to.equal(200);
      expect(res.headers.get('access-control-allow-origin')).to.equal('https://crm.distro-nation.com');
      expect(res.headers.get('access-control-allow-methods')).to.equal('GET, HEAD');
      expect(res.headers.get('access-control-allow-headers')).to.equal('authorization, x-amz-date');
      expect(res.headers.get('access-control-max-age')).to.equal('3600');
      expect(res.headers.get('access-control-expose-headers')).to.equal('ETag');
    });

    it('refuses a preflight from another origin or for a method not allowed', async () => {
      expect((await preflight('https://evil.example', 'GET')).status).to.equal(403);
      expect((await preflight('https://crm.distro-nation.com', 'PUT')).status).to.equal(403);
    });

    it('answers 400 to a preflight without Origin', async function () {
      docsOnly(this, t, "moto's server answers preflights with its own permissive CORS, not the bucket's rules");
      expect((await preflight(undefined, 'GET')).status).to.equal(400);
    });

    it('adds CORS headers to an actual GET from an allowed origin, and none for others', async function () {
      docsOnly(this, t, 'moto adds Access-Control-Allow-Origin for any origin');
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: b, Key: 'report.csv' }), { expiresIn: 60 });
      const ok = await fetch(url, { headers: { origin: 'https://crm.distro-nation.com' } });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('access-control-allow-origin')).to.equal('https://crm.distro-nation.com');
      expect(ok.headers.get('access-control-expose-headers')).to.equal('ETag');
      const other = await fetch(url, { headers: { origin: 'https://evil.example' } });
      expect(other.status).to.equal(200);
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    });
  });
});
