/**
 * GET|HEAD|OPTIONS /packages/proxy/s3 through the gateway with no user: a real presigned URL is followed (307,
 * CORS, HEAD metadata), and the SSRF table — every hostile URL refused with its status and reason.
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { call } from '../helpers/stack.ts';
import { packagesStack } from './packages-harness.ts';

const ORIGIN = 'http://127.0.0.1:5173';
const SIG = 'a'.repeat(64);
const now = new Date();
const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const q = (over: Record<string, string | null> = {}) => {
  const p: Record<string, string | null> = {
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256', 'X-Amz-Credential': 'AKIA/20260101/us-east-1/s3/aws4_request', 'X-Amz-Date': amzDate,
    'X-Amz-Expires': '300', 'X-Amz-SignedHeaders': 'host', 'X-Amz-Signature': SIG, ...over,
  };
  return Object.entries(p).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&');
};
const S3 = 'https://gatehouse-package-assets.s3.amazonaws.com/O1/D123/P456/data.csv';

// [what, url, status, reason]
const HOSTILE: [string, string, number, string][] = [
  ['other host', `https://evil.example.com/O1/x?${q()}`, 403, 'host_not_allowed'],
  ['look-alike suffix', `https://gatehouse-package-assets.s3.amazonaws.com.evil.com/k?${q()}`, 403, 'host_not_allowed'],
  ['trailing-dot host', `https://gatehouse-package-assets.s3.amazonaws.com./k?${q()}`, 403, 'host_not_allowed'],
  ['bucket not allowed (virtual host)', `https://other-bucket.s3.amazonaws.com/k?${q()}`, 403, 'bucket_not_allowed'],
  ['bucket not allowed (path style)', `https://s3.us-east-1.amazonaws.com/other-bucket/k?${q()}`, 403, 'bucket_not_allowed'],
  ['IPv4 literal', `https://52.216.1.1/gatehouse-package-assets/k?${q()}`, 403, 'ip_literal_not_allowed'],
  ['decimal IPv4', `https://886047745/gatehouse-package-assets/k?${q()}`, 403, 'ip_literal_not_allowed'],
  ['hex IPv4', `https://0x7f000001/gatehouse-package-assets/k?${q()}`, 403, 'ip_literal_not_allowed'],
  ['IPv6 loopback', `https://[::1]/gatehouse-package-assets/k?${q()}`, 403, 'ip_literal_not_allowed'],
  ['metadata address', `https://169.254.169.254/latest/meta-data/?${q()}`, 403, 'link_local_address'],
  ['metadata over http', `http://169.254.169.254/latest/meta-data/?${q()}`, 400, 'scheme_not_allowed'],
  ['IPv4-mapped metadata', `https://[::ffff:169.254.169.254]/k?${q()}`, 403, 'link_local_address'],
  ['IPv6 link-local', `https://[fe80::1]/k?${q()}`, 403, 'link_local_address'],
  ['userinfo', `https://user:pw@gatehouse-package-assets.s3.amazonaws.com/k?${q()}`, 400, 'userinfo_not_allowed'],
  ['userinfo hiding the host', `https://gatehouse-package-assets.s3.amazonaws.com@evil.com/k?${q()}`, 400, 'userinfo_not_allowed'],
  ['odd port', `https://gatehouse-package-assets.s3.amazonaws.com:8443/k?${q()}`, 403, 'port_not_allowed'],
  ['plain http to S3', `http://gatehouse-package-assets.s3.amazonaws.com/k?${q()}`, 400, 'scheme_not_allowed'],
  ['file scheme', 'file:///etc/passwd', 400, 'scheme_not_allowed'],
  ['backslash trick', `https://evil.com\\@gatehouse-package-assets.s3.amazonaws.com/k?${q()}`, 400, 'invalid_url'],
  ['not a URL', 'not a url', 400, 'invalid_url'],
  ['fragment', `${S3}?${q()}#frag`, 400, 'fragment_not_allowed'],
  ['missing signature', `${S3}?${q({ 'X-Amz-Signature': null })}`, 400, 'missing_signature_parameter'],
  ['missing expires', `${S3}?${q({ 'X-Amz-Expires': null })}`, 400, 'missing_signature_parameter'],
  ['no X-Amz at all', S3, 400, 'missing_signature_parameter'],
  ['duplicate signature', `${S3}?${q()}&X-Amz-Signature=${SIG}`, 400, 'duplicate_signature_parameter'],
  ['wrong algorithm', `${S3}?${q({ 'X-Amz-Algorithm': 'AWS4-HMAC-SHA1' })}`, 400, 'unsupported_algorithm'],
  ['expired', `${S3}?${q({ 'X-Amz-Date': '20200101T000000Z' })}`, 403, 'expired'],
  ['expires beyond 7 days', `${S3}?${q({ 'X-Amz-Expires': '604801' })}`, 400, 'malformed_expires'],
  ['dated in the future', `${S3}?${q({ 'X-Amz-Date': '20991231T000000Z' })}`, 400, 'not_yet_valid'],
  ['no object key', `https://gatehouse-package-assets.s3.amazonaws.com/?${q()}`, 400, 'missing_key'],
  ['too long', `${S3}?${q()}&pad=${'x'.repeat(5000)}`, 400, 'url_too_long'],
  ['missing parameter', '', 400, 'missing_presigned_url'],
];

describe('GET|HEAD|OPTIONS /packages/proxy/s3 through the gateway', function () {
  this.timeout(60_000);
  let stack: Stack;
  let gw: string;
  let presigned: string;

  before(async () => {
    stack = await packagesStack('pglite', { PROXY_CORS_ALLOWED_ORIGINS: ORIGIN });
    gw = stack.urls.gateway;
    const token = await stack.gateway.mintToken('linus@example.com');
    presigned = (await call(gw, 'GET', '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false', { token })).body.url;
  });
  after(() => stack?.close());

  const proxied = (url: string) => `/packages/proxy/s3?presigned_url=${encodeURIComponent(url)}`;

  it('redirects (307) to a valid presigned URL with CORS headers for an allowed origin, without a user', async () => {
    const res = await fetch(gw + proxied(presigned), { headers: { origin: ORIGIN }, redirect: 'manual' });
    expect(res.status).to.equal(307);
    expect(res.headers.get('location')).to.equal(presigned);
    expect(res.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).to.equal('ETag');
    expect((await fetch(res.headers.get('location')!)).status).to.equal(200);
  });

  it('gives no CORS grant to an origin not on the list', async () => {
    const res = await fetch(gw + proxied(presigned), { headers: { origin: 'http://evil.test' }, redirect: 'manual' });
    expect(res.status).to.equal(307);
    expect(res.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('answers HEAD as HeadObject would: the whole object\'s Content-Length, its ETag and Content-Type', async () => {
    const res = await fetch(gw + proxied(presigned), { method: 'HEAD', headers: { origin: ORIGIN } });
    expect(res.status).to.equal(200);
    const object = await fetch(presigned);
    const bytes = Buffer.from(await object.arrayBuffer());
    expect(bytes.length).to.be.greaterThan(1);
    expect(res.headers.get('content-length')).to.equal(String(bytes.length));
    expect(res.headers.get('etag')).to.match(/^"[0-9a-f]{32}"$/).and.to.equal(object.headers.get('etag'));
    expect(res.headers.get('content-type')).to.equal('text/csv');
    expect(res.headers.get('accept-ranges')).to.equal('bytes');
    expect(res.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
  });

  it('answers HEAD with 403 when S3 refuses a tampered signature', async () => {
    const res = await fetch(gw + proxied(presigned.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000')), { method: 'HEAD' });
    expect(res.status).to.equal(403);
  });

  it('answers the preflight for an allowed origin and refuses others', async () => {
    const ok = await fetch(gw + proxied(presigned), { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
    expect(ok.status).to.equal(204);
    expect(ok.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
    expect(ok.headers.get('access-control-allow-methods')).to.equal('GET, HEAD, OPTIONS');
    expect(ok.headers.get('access-control-allow-headers')).to.equal('range');
    const bad = await fetch(gw + proxied(presigned), { method: 'OPTIONS', headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET' } });
    expect(bad.status).to.equal(403);
  });

  describe(`refuses ${HOSTILE.length} hostile URLs`, () => {
    for (const [what, url, status, reason] of HOSTILE) {
      it(`${what} → ${status} ${reason}`, async () => {
        const res = await call(gw, 'GET', url ? proxied(url) : '/packages/proxy/s3', { headers: { origin: ORIGIN } });
        expect(res.status, res.text).to.equal(status);
        expect(res.body.error.code).to.equal(reason);
        expect(res.headers.get('location')).to.equal(null);
        expect(res.headers.get('access-control-allow-origin')).to.equal(ORIGIN);
      });
    }
  });
});
