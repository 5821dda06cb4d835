/**
 * Every route that reads S3 answers an S3 failure by its meaning (seed 002's S3ErrorTypes, proxy/core/s3-errors.ts):
 * NoSuchKey/NotFound → 404, SlowDown/throttling → 429 with Retry-After, AccessDenied → 403, anything else → 502.
 * The embedded edge is made to answer each error for real: a missing key, or a fault on `/__admin/faults` with S3's
 * own XML error body (HEAD answers carry none, as S3's do).
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { s3Error, s3ErrorCode } from '../../proxy/core/s3-errors.ts';
import { admin, call, injectFault, testStack } from '../helpers/stack.ts';

const KEY = 'local-crm-api-key-000000000000000000000000';
const BUCKET = '/gatehouse-package-assets';
const s3Xml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`;

// [S3 error, status, body, expected status, expected code] — S3's own codes and statuses (S3 API reference, "Error responses").
const ERRORS: [string, number, string, number, string][] = [
  ['SlowDown', 503, s3Xml('SlowDown', 'Please reduce your request rate.'), 429, 'upstream_rate_limited'],
  ['AccessDenied', 403, s3Xml('AccessDenied', 'Access Denied'), 403, 'access_denied'],
  ['InternalError', 500, s3Xml('InternalError', 'We encountered an internal error. Please try again.'), 502, 'aws_unavailable'],
];

describe('S3 failures keep their meaning on every route that reads S3', function () {
  this.timeout(90_000);
  let stack: Stack;
  let gw: string;
  let presigned: string;

  before(async () => {
    stack = await testStack();
    gw = stack.urls.gateway;
    const token = await stack.gateway.mintToken('linus@example.com');
    presigned = (await call(gw, 'GET', '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false', { token })).body.url;
  });
  after(() => stack?.close());
  // The SDK retries throttling and 5xx (3 attempts): a fault stays for every attempt, and is cleared after each test.
  afterEach(() => admin(stack.urls.aws, '/faults', { method: 'DELETE' }));
  const fault = (method: string, status: number, body?: string) => injectFault(stack.urls.aws, { status, body, count: 3, match: { method, path: BUCKET } });

  const crm = (method: string, path: string, json?: unknown) => call(gw, method, path, { headers: { 'x-api-key': KEY }, json });
  const sendWithReports = () => crm('POST', '/send-mail', {
    to: ['ada@example.com'], subject: 'July', html: '<p>Hi</p>', text: 'Hi', from: 'reports@mg.gatehouse.local',
    campaign: { name: 's3-errors', type: 'financial' }, attachReporting: true, customIds: ['DN-1001'], month: '7', year: '2025',
  });
  const headProxy = (url: string) => fetch(`${gw}/packages/proxy/s3?presigned_url=${encodeURIComponent(url)}`, { method: 'HEAD' });

  const routes: [string, string, () => Promise<{ status: number; headers: Headers; body?: any }>][] = [
    ['GET /reports (ListObjectsV2)', 'GET', () => crm('GET', '/reports?prefix=DN-1001/')],
    ['POST /send-mail with report links (ListObjectsV2)', 'GET', sendWithReports],
    // HeadObject: a HEAD answer has no body, so S3 (and the edge) say it by status alone.
    ['GET /reports/url (HeadObject)', 'HEAD', () => crm('GET', `/reports/url?key=${encodeURIComponent('reports/DN-1001/2025/07/royalty-statement.pdf')}`)],
    ['HEAD /packages/proxy/s3 (the presigned probe)', 'GET', async () => { const r = await headProxy(presigned); return { status: r.status, headers: r.headers }; }],
  ];

  for (const [route, method, send] of routes) {
    for (const [name, status, body, want, code] of ERRORS) {
      it(`${route}: S3 ${status} ${name} → ${want}${want === 429 ? ' with Retry-After' : ''}`, async () => {
        await fault(method, status, body);
        const res = await send();
        expect(res.status, JSON.stringify(res.body)).to.equal(want);
        if (res.body) expect(res.body.error.code).to.equal(code);
        if (want === 429) expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      });
    }
  }

  it('GET /reports/url of a report that does not exist: 404 object_not_found, no link to nothing', async () => {
    const res = await crm('GET', `/reports/url?key=${encodeURIComponent('reports/DN-1001/2025/07/no-such-statement.pdf')}`);
    expect(res.status).to.equal(404);
    expect(res.body.error).to.deep.include({ code: 'object_not_found', message: 'File not found or has been moved' });
    expect(res.body.error.details).to.include({ awsStatus: 404 });
  });

  it('GET /reports/url: S3 404 on HeadObject (no body) → 404, as NotFound', async () => {
    await fault('HEAD', 404);
    const res = await crm('GET', `/reports/url?key=${encodeURIComponent('reports/DN-1001/2025/07/royalty-statement.pdf')}`);
    expect(res.status).to.equal(404);
    expect(res.body.error.code).to.equal('object_not_found');
  });

  it('HEAD /packages/proxy/s3 of an object that does not exist: 404 (NoSuchKey)', async () => {
    const res = await headProxy(presigned.replace('/data.csv?', '/no-such-file.csv?'));
    // The presigned signature covers the path: S3 checks the signature first, so a changed key is refused (403)…
    expect(res.status).to.equal(403);
    // … and a key that exists nowhere but is signed for is NoSuchKey: presign one through the route's own signer.
    const token = await stack.gateway.mintToken('linus@example.com');
    const asset = (await call(gw, 'GET', '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&path=missing/asset.png&redirect=false', { token })).body.url;
    expect((await headProxy(asset)).status).to.equal(404);
  });

  it('HEAD /packages/proxy/s3: S3 NoSuchKey from a fault with S3\'s XML body → 404', async () => {
    await fault('GET', 404, s3Xml('NoSuchKey', 'The specified key does not exist.'));
    expect((await headProxy(presigned)).status).to.equal(404);
  });

  it('passes S3\'s own Retry-After on when S3 sends one', async () => {
    await injectFault(stack.urls.aws, { status: 503, body: s3Xml('SlowDown', 'Please reduce your request rate.'), retryAfter: 2, count: 3, match: { method: 'GET', path: BUCKET } });
    const res = await crm('GET', '/reports?prefix=DN-1001/');
    expect(res.status).to.equal(429);
    expect(res.headers.get('retry-after')).to.equal('2');
  });

  describe('the mapping itself', () => {
    const ours = { what: 'S3 GetObject', credentials: 'ours' as const };
    it('reads the code of S3\'s XML error body', () => {
      expect(s3ErrorCode(s3Xml('NoSuchKey', 'x'))).to.equal('NoSuchKey');
      expect(s3ErrorCode('<html>503</html>')).to.equal(undefined);
    });
    it('treats S3 refusing the proxy\'s own signature as our failure (502), the caller\'s presigned URL as the caller\'s (403)', () => {
      expect(s3Error({ status: 403, code: 'SignatureDoesNotMatch' }, ours).status).to.equal(502);
      expect(s3Error({ status: 403, code: 'SignatureDoesNotMatch' }, { ...ours, credentials: 'callers' }).status).to.equal(403);
    });
    it('a missing bucket is a broken deployment (502), not a missing file', () => {
      expect(s3Error({ status: 404, code: 'NoSuchBucket' }, ours).status).to.equal(502);
    });
    it('S3\'s 503 ServiceUnavailable with a body is a failure (502); SlowDown and a bodyless 503 are throttling (429)', () => {
      expect(s3Error({ status: 503, code: 'ServiceUnavailable' }, ours).status).to.equal(502);
      expect(s3Error({ status: 503 }, ours).status).to.equal(429);
      expect(s3Error({ status: 400, code: 'ThrottlingException' }, ours).headers).to.deep.equal({ 'retry-after': '1' });
    });
  });
});
