/**
 * Mobile app → Gatehouse, packages routes (seed 003): each route's happy path, an auth failure (no sign-in, no
 * permission on the dataset, or a presigned URL S3 refuses) and a refused input (a traversal path, a hostile URL,
 * a bad body). Codes: proxy/routes/packages/access.ts, assets.ts, presigned-url.ts, cors.ts.
 */
import { expect } from 'chai';
import { MatchersV3 as M } from '@pact-foundation/pact';
import type { GatehouseClient } from '../../mobile-client/index.ts';
import type { InteractionSpec } from '../interaction.ts';
import { bearerJwt, gatehouseError, validationFailed } from '../matchers.ts';
import { MOBILE_STATES as S } from './states.ts';

type Spec = InteractionSpec<GatehouseClient>;
type Req = Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>;

const jwt = { authorization: bearerJwt() };
const D123 = 'N:dataset:123';
const D900 = 'N:dataset:900';
const P456 = 'N:package:456';
const ORIGIN = 'http://127.0.0.1:5173';
const ref = { datasetId: D123, packageId: P456 };
const pkgQuery = (datasetId = D123, extra: Record<string, string> = {}) => ({ dataset_id: datasetId, package_id: P456, ...extra });

// Obviously fake: the real URL comes from the provider state, which presigns one on the provider's own S3.
const SIG = 'f'.repeat(64);
const EXAMPLE_PRESIGNED = `https://gatehouse-package-assets.s3.amazonaws.com/O1/D123/P456/data.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAFAKE%2F20250801%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250801T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
const presignedUrl = () => M.regex('^https?://\\S+X-Amz-Signature=[0-9a-f]{64}\\S*$', EXAMPLE_PRESIGNED);
const issued = (expr = 'presignedUrl') => ({ presigned_url: M.fromProviderState(`\${${expr}}`, EXAMPLE_PRESIGNED) });
const HOSTILE = EXAMPLE_PRESIGNED.replace('gatehouse-package-assets.s3.amazonaws.com', 'evil.example.com');
const epochSeconds = () => M.integer(1754053200);

const notSignedIn = (what: string, req: Req): Spec => ({
  given: [S.anonymous], uponReceiving: `${what} without signing in`, ...req, status: 401,
  responseBody: gatehouseError('login_required', 'this route needs a signed-in user'), errorCode: 'login_required',
});
const otherOrganisation = (what: string, req: Req): Spec => ({
  given: [S.signedIn], uponReceiving: `${what} on a dataset of another organisation`, ...req, headers: jwt, status: 403,
  responseBody: gatehouseError('dataset_forbidden', `you need viewer permission on dataset ${D900}`), errorCode: 'dataset_forbidden',
});
const refused = (given: string[], what: string, status: number, code: string, message: string, req: Req): Spec => ({
  given, uponReceiving: what, ...req, status, responseBody: gatehouseError(code, message), errorCode: code,
});

const restore: Spec[] = [
  { given: [S.signedIn, S.deletedPackage], uponReceiving: 'a restore of a deleted package by its dataset\'s owner', method: 'POST', path: '/packages/restore',
    query: { dataset_id: D123 }, headers: jwt, body: { nodeIds: ['N:package:461'] }, status: 200, responseBody: { success: ['N:package:461'], failures: [] },
    call: (c, b) => c.packages.restore(D123, b.nodeIds) },
  notSignedIn('a restore', { method: 'POST', path: '/packages/restore', query: { dataset_id: D123 }, body: { nodeIds: ['N:package:461'] },
    call: (c, b) => c.packages.restore(D123, b.nodeIds) }),
  { ...refused([S.signedIn], 'a restore with no node ids', 400, 'validation_failed', '', { method: 'POST', path: '/packages/restore', query: { dataset_id: D123 },
    headers: jwt, body: { nodeIds: [] }, call: (c, b) => c.packages.restore(D123, b.nodeIds) }), responseBody: validationFailed('nodeIds', 'must NOT have fewer than 1 items') },
  // A package never restored through Gatehouse has no restore to report; one that was shows its job (restore.ts).
  { given: [S.signedIn], uponReceiving: 'the restore status of a live package', method: 'GET', path: '/packages/restore', query: pkgQuery(), headers: jwt,
    status: 200, responseBody: { id: P456, state: 'READY', restore: null }, call: (c) => c.packages.restoreStatus(D123, P456) },
  notSignedIn('a restore status', { method: 'GET', path: '/packages/restore', query: pkgQuery(), call: (c) => c.packages.restoreStatus(D123, P456) }),
];

const presign: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'a package download URL as JSON', method: 'GET', path: '/packages/presign/s3', query: pkgQuery(D123, { redirect: 'false' }),
    headers: jwt, status: 200, responseBody: { url: presignedUrl(), expires_at: epochSeconds() }, call: (c) => c.packages.presign(ref) },
  notSignedIn('a package download', { method: 'GET', path: '/packages/presign/s3', query: pkgQuery(D123, { redirect: 'false' }), call: (c) => c.packages.presign(ref) }),
  refused([S.signedIn], 'a viewer asset by a path that climbs out of the package', 400, 'invalid_path', 'path must stay inside the package\'s assets', {
    method: 'GET', path: '/packages/presign/s3', query: pkgQuery(D123, { path: '../P457/notes.txt', redirect: 'false' }), headers: jwt,
    call: (c) => c.packages.presign({ ...ref, path: '../P457/notes.txt' }) }),
];

const cloudfront: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'a CloudFront signed URL for a package asset', method: 'GET', path: '/packages/cloudfront/sign',
    query: pkgQuery(D123, { path: 'data.parquet' }), headers: jwt, status: 200,
    // Canned-policy URL: Expires, Signature and Key-Pair-Id in the query (CloudFront developer guide, "signed URLs"), in any order.
    responseBody: { signed_url: M.regex('^https://\\S+/O1/D123/P456/data\\.parquet\\?Expires=\\d+&\\S*Key-Pair-Id=\\S+$',
      'https://d111111abcdef8.cloudfront.net/O1/D123/P456/data.parquet?Expires=1754053200&Key-Pair-Id=KFAKE&Signature=fake~'), expires_at: epochSeconds() },
    call: (c) => c.packages.signCloudFront({ ...ref, path: 'data.parquet' }) },
  otherOrganisation('a CloudFront signed URL', { method: 'GET', path: '/packages/cloudfront/sign', query: { dataset_id: D900, package_id: 'N:package:900', path: 'data.parquet' },
    call: (c) => c.packages.signCloudFront({ datasetId: D900, packageId: 'N:package:900', path: 'data.parquet' }) }),
  refused([S.signedIn], 'a CloudFront signed URL without an asset path', 400, 'missing_parameter', 'query parameter path is required', {
    method: 'GET', path: '/packages/cloudfront/sign', query: pkgQuery(), headers: jwt, call: (c) => c.packages.signCloudFront({ ...ref, path: undefined as never }) }),
];

// No sign-in: the presigned URL is the credential, and S3 itself checks its signature.
// No 307 here (nor from presign): Pact's Rust verifier follows redirects (reqwest's default policy;
// pact-foundation/pact-net#441), so it would judge S3's answer, not ours. The redirects are pinned in
// test/routes/packages*.test.ts; the pact holds HEAD (same GET route) and presign's redirect=false JSON.
const proxy: Spec[] = [
  refused([S.anonymous], 'a URL of a host that is not S3 through the S3 proxy', 403, 'host_not_allowed', 'host evil.example.com is not an S3 endpoint', {
    method: 'GET', path: '/packages/proxy/s3', query: { presigned_url: HOSTILE }, call: (c) => c.packages.proxyLocation(HOSTILE) }),
  refused([S.anonymous], 'something that is not a URL through the S3 proxy', 400, 'invalid_url', 'presigned_url is not an absolute URL', {
    method: 'GET', path: '/packages/proxy/s3', query: { presigned_url: 'not-a-url' }, call: (c) => c.packages.proxyLocation('not-a-url') }),
  { given: [S.anonymous, S.packagePresigned], uponReceiving: 'the size and ETag of a presigned object through the S3 proxy', method: 'HEAD', path: '/packages/proxy/s3',
    query: issued(), status: 200, responseHeaders: { etag: M.regex('^"[0-9a-f]{32}"$', '"0cc175b9c0f1b6a831c399e269772661"'), 'accept-ranges': 'bytes' },
    call: async (c) => expect(await c.packages.proxyHead(EXAMPLE_PRESIGNED)).to.deep.equal({ status: 200,
      headers: { etag: '"0cc175b9c0f1b6a831c399e269772661"', 'accept-ranges': 'bytes' } }) },
  { given: [S.anonymous, S.packagePresigned], uponReceiving: 'a HEAD through the S3 proxy with a signature S3 refuses', method: 'HEAD', path: '/packages/proxy/s3',
    query: issued('tamperedUrl'), status: 403, call: async (c) => expect((await c.packages.proxyHead(EXAMPLE_PRESIGNED)).status).to.equal(403) },
  { given: [S.anonymous, S.packagePresigned, S.corsOrigin], uponReceiving: 'a browser\'s preflight for the S3 proxy', method: 'OPTIONS', path: '/packages/proxy/s3',
    query: issued(), headers: { origin: ORIGIN, 'access-control-request-method': 'GET' }, status: 204,
    responseHeaders: { 'access-control-allow-origin': ORIGIN, 'access-control-allow-methods': 'GET, HEAD, OPTIONS' },
    call: async (c) => {
      // The Rust mock server appends CORS headers of its own to every answer, so the interaction's are read as included.
      const { status, headers } = await c.packages.preflight(EXAMPLE_PRESIGNED, ORIGIN);
      expect(status).to.equal(204);
      expect(headers['access-control-allow-origin']).to.include(ORIGIN);
      expect(headers['access-control-allow-methods']).to.include('GET, HEAD, OPTIONS');
    } },
  refused([S.anonymous, S.packagePresigned], 'a preflight for the S3 proxy from an origin not on its list', 403, 'cors_not_allowed', 'this origin, method or header is not allowed', {
    method: 'OPTIONS', path: '/packages/proxy/s3', query: issued(), headers: { origin: 'http://evil.test', 'access-control-request-method': 'GET' },
    call: (c) => c.packages.preflight(EXAMPLE_PRESIGNED, 'http://evil.test') }),
];

export const packagesInteractions: Spec[] = [...restore, ...presign, ...cloudfront, ...proxy];
