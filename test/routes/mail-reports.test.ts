/**
 * Report browsing through gateway (API key) → proxy → S3: folders and files one level at a time, 50 per page,
 * presigned downloads valid one hour, and every key a caller must not name refused with 400.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { S3Client, PutObjectCommand, GetBucketCorsCommand } from '@aws-sdk/client-s3';
import type { Stack } from '../../emulators/stack/index.ts';
import { call, testStack } from '../helpers/stack.ts';

const KEY = 'local-crm-api-key-000000000000000000000000';
const BUCKET = 'gatehouse-package-assets';

describe('report browsing through the local stack', function () {
  this.timeout(20_000);
  let stack: Stack;
  let gw: string;

  before(async () => {
    stack = await testStack();
    gw = stack.urls.gateway;
    const s3 = new S3Client({ endpoint: stack.urls.aws, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await Promise.all(Array.from({ length: 55 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `reports/PAGING/2025/01/file-${String(i).padStart(2, '0')}.pdf`, Body: 'x' }))));
    s3.destroy();
  });
  after(() => stack?.close());

  const get = (path: string) => call(gw, 'GET', path, { headers: { 'x-api-key': KEY } });

  it('lists the top level as folders', async () => {
    const res = await get('/reports');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.prefix).to.equal('reports/');
    expect(res.body.folders).to.include.members(['reports/DN-1001/', 'reports/DN-1002/']);
    expect(res.body.files).to.deep.equal([]);
  });

  it('lists a month\'s files with size and date, by relative or full prefix', async () => {
    for (const prefix of ['DN-1001/2025/07/', 'reports/DN-1001/2025/07/']) {
      const res = await get(`/reports?prefix=${encodeURIComponent(prefix)}`);
      expect(res.status).to.equal(200);
      expect(res.body.files.map((f: { key: string }) => f.key)).to.deep.equal(['reports/DN-1001/2025/07/payout-summary.pdf', 'reports/DN-1001/2025/07/royalty-statement.pdf']);
      expect(res.body.files[0].size).to.be.greaterThan(300);
    }
  });

  it('pages by 50 with a continuation token', async () => {
    const first = await get(`/reports?prefix=${encodeURIComponent('PAGING/2025/01/')}`);
    expect(first.body.files).to.have.length(50);
    expect(first.body.nextContinuationToken).to.be.a('string');
    const second = await get(`/reports?prefix=${encodeURIComponent('PAGING/2025/01/')}&continuationToken=${encodeURIComponent(first.body.nextContinuationToken)}`);
    expect(second.body.files).to.have.length(5);
    expect(second.body.nextContinuationToken).to.equal(undefined);
  });

  it('hands out a presigned GET valid one hour that downloads the PDF', async () => {
    const res = await get(`/reports/url?key=${encodeURIComponent('reports/DN-1002/2025/07/royalty-statement.pdf')}`);
    expect(res.status, res.text).to.equal(200);
    const url = new URL(res.body.url);
    expect(url.searchParams.get('X-Amz-Expires')).to.equal('3600');
    const pdf = await fetch(url);
    expect(pdf.status).to.equal(200);
    expect(Buffer.from(await pdf.arrayBuffer())).to.deep.equal(readFileSync(new URL('../../fixtures/aws/files/reports/DN-1002/2025/07/royalty-statement.pdf', import.meta.url)));
  });

  const badKeys: [string, string][] = [
    ['outside the reports prefix', 'O1/D123/P456/data.csv'],
    ['a parent segment', 'reports/DN-1001/../../O1/D123/P456/data.csv'],
    ['an absolute path', '/reports/DN-1001/2025/07/royalty-statement.pdf'],
    ['an encoded traversal', 'reports/DN-1001/%2e%2e/%2e%2e/O1/D123/P456/data.csv'],
    ['a double-encoded slash', 'reports/DN-1001%252f..%252fsecret.pdf'],
    ['a disallowed file type', 'reports/DN-1001/2025/07/run.sh'],
    ['a backslash traversal', 'reports\\..\\O1\\data.csv'],
    ['a URL', 'https://evil.example/reports/x.pdf'],
    ['a folder', 'reports/DN-1001/'],
    ['nothing', ''],
  ];
  for (const [what, key] of badKeys) {
    it(`refuses a key with ${what} (400)`, async () => {
      const res = await get(`/reports/url?key=${encodeURIComponent(key)}`);
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error.code).to.be.a('string');
    });
  }

  for (const [what, prefix] of [['a parent segment', 'DN-1001/../../'], ['an absolute path', '/etc/'], ['an encoded traversal', '%2e%2e/'], ['a non-folder', 'DN-1001']] as const) {
    it(`refuses a listing prefix with ${what} (400)`, async () => {
      const res = await get(`/reports?prefix=${encodeURIComponent(prefix)}`);
      expect(res.status, res.text).to.equal(400);
    });
  }

  it('needs an API key', async () => {
    const res = await call(gw, 'GET', '/reports');
    expect(res.status).to.equal(403);
    expect(res.body).to.deep.equal({ message: 'Forbidden' });
  });

  describe('CORS for a browser page on a configured origin', () => {
    // The stack's default PROXY_CORS_ALLOWED_ORIGINS: a dev server on port 5173.
    const ORIGIN = 'http://127.0.0.1:5173';
    const preflight = (path: string, origin: string, headers = 'x-api-key', method = 'GET') =>
      call(gw, 'OPTIONS', path, { headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

    for (const path of ['/reports', '/reports/url']) {
      it(`answers the preflight of ${path} without an API key, for GET with x-api-key`, async () => {
        const res = await preflight(path, ORIGIN);
        expect(res.status, res.text).to.equal(204);
        expect(res.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
        expect(res.headers.get('access-control-allow-methods')).to.equal('GET, HEAD, OPTIONS');
        expect(res.headers.get('access-control-allow-headers')).to.equal('x-api-key');
        expect(res.headers.get('access-control-max-age')).to.equal('3600');
      });
    }

    it('refuses the preflight of an origin, method or header not allowed (403, no Allow-Origin)', async () => {
      for (const res of [await preflight('/reports', 'http://evil.test'), await preflight('/reports', ORIGIN, 'x-api-key', 'DELETE'), await preflight('/reports', ORIGIN, 'x-api-key, x-other')]) {
        expect(res.status, res.text).to.equal(403);
        expect(res.body.error.code).to.equal('cors_not_allowed');
        expect(res.headers.get('access-control-allow-origin')).to.equal(null);
      }
    });

    it('echoes the allowed origin on answers and refusals alike, never *', async () => {
      const ok = await call(gw, 'GET', '/reports', { headers: { 'x-api-key': KEY, origin: ORIGIN } });
      expect(ok.status).to.equal(200);
      expect(ok.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
      expect(ok.headers.get('vary')).to.include('Origin');
      const refused = await call(gw, 'GET', `/reports/url?key=${encodeURIComponent('reports/x/run.sh')}`, { headers: { 'x-api-key': KEY, origin: ORIGIN } });
      expect(refused.status).to.equal(400);
      expect(refused.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
      const other = await call(gw, 'GET', '/reports', { headers: { 'x-api-key': KEY, origin: 'http://evil.test' } });
      expect(other.status).to.equal(200);
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
    });

    it('seeds the reports bucket with seed 002\'s CORS rule for the configured origins', async () => {
      const s3 = new S3Client({ endpoint: stack.urls.aws, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      try {
        const { CORSRules = [] } = await s3.send(new GetBucketCorsCommand({ Bucket: BUCKET }));
        // Seed 002's rule, and the console's own for its origin when it reported after the fixtures were seeded.
        for (const rule of CORSRules) expect(rule).to.deep.include({ AllowedHeaders: ['*'], AllowedMethods: ['GET', 'HEAD'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 3600 });
        const allowed = CORSRules.flatMap((r) => r.AllowedOrigins ?? []);
        expect(allowed).to.include(ORIGIN);
        expect(allowed, 'every origin the routes allow may read the bucket').to.include.members(stack.proxyEnv.PROXY_CORS_ALLOWED_ORIGINS!.split(','));
      } finally {
        s3.destroy();
      }
    });
  });
});
