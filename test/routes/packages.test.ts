/**
 * The packages routes through gateway → proxy → (database, AWS edge, CloudFront edge), as a developer runs them:
 * the authorization matrix, restore end to end through the queue and the worker, presigned and CloudFront URLs
 * fetched for real, and the S3 proxy's SSRF table. Runs on embedded PGlite, and again on TEST_DATABASE_URL's Postgres
 * when one is reachable.
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { admin, call } from '../helpers/stack.ts';
import { eventually, fetchFromEdge, packagesStack, postgresUnavailable, type Backend } from './packages-harness.ts';

const D123 = 'N:dataset:123';
type Route = 'restore' | 'presign' | 'cloudfront';

for (const backend of ['pglite', 'postgres'] as Backend[]) {
  describe(`Packages routes through the local stack (${backend})`, function () {
    this.timeout(60_000);
    let stack: Stack;
    let gw: string;
    const tokens: Record<string, string> = {};
    // The CloudFront edge's clock (epoch ms; undefined: real time). Only the edge's, so the gateway's signatures still verify.
    let edgeAt: number | undefined;

    before(async function () {
      if (backend === 'postgres') {
        const why = await postgresUnavailable();
        if (why) {
          console.log(`      skipped on Postgres: ${why}`);
          return this.skip();
        }
      }
      // One attempt per restore job: a failing one is given up at once, not after the queue's 60 s redeliveries.
      stack = await packagesStack(backend, { RESTORE_MAX_ATTEMPTS: '1' }, { edgeNow: () => edgeAt ?? Date.now() });
      gw = stack.urls.gateway;
      for (const who of ['ada', 'grace', 'linus', 'mallory', 'margaret']) tokens[who] = await stack.gateway.mintToken(`${who}@example.com`);
    });
    after(() => stack?.close());

    const as = (who: string | undefined) => (who ? { token: tokens[who] } : {});
    const hit = (route: Route, who: string | undefined, dataset: string, pkg: string) => {
      const q = `dataset_id=${encodeURIComponent(dataset)}&package_id=${encodeURIComponent(pkg)}`;
      if (route === 'restore') return call(gw, 'POST', `/packages/restore?dataset_id=${encodeURIComponent(dataset)}`, { ...as(who), json: { nodeIds: [pkg] } });
      if (route === 'presign') return call(gw, 'GET', `/packages/presign/s3?${q}&redirect=false`, as(who));
      return call(gw, 'GET', `/packages/cloudfront/sign?${q}&path=data.parquet`, as(who));
    };

    describe('authorization matrix', () => {
      // [who, dataset, package, restore, presign, cloudfront] — restore of a READY package answers 200 with a failure.
      const MATRIX: [string | undefined, string, string, number, number, number][] = [
        ['ada', D123, 'N:package:456', 200, 200, 200],
        ['grace', D123, 'N:package:456', 200, 200, 200],
        ['linus', D123, 'N:package:456', 403, 200, 200],
        ['mallory', D123, 'N:package:456', 403, 403, 403],
        ['margaret', D123, 'N:package:456', 403, 403, 403],
        ['ada', 'N:dataset:900', 'N:package:900', 403, 403, 403],
        ['margaret', 'N:dataset:900', 'N:package:900', 200, 200, 200],
        ['ada', D123, 'N:package:501', 200, 404, 404],
        ['ada', D123, 'N:package:900', 200, 404, 404],
        [undefined, D123, 'N:package:456', 401, 401, 401],
      ];
      for (const [who, dataset, pkg, ...statuses] of MATRIX) {
        (['restore', 'presign', 'cloudfront'] as Route[]).forEach((route, i) => {
          it(`${who ?? 'anonymous'} → ${route} on ${dataset} / ${pkg}: ${statuses[i]}`, async () => {
            const res = await hit(route, who, dataset, pkg);
            expect(res.status, res.text).to.equal(statuses[i]);
            if (statuses[i] === 403) expect(res.body.error.code).to.equal('dataset_forbidden');
            if (route === 'restore' && statuses[i] === 200) expect(res.body.failures).to.have.length(1);
          });
        });
      }
    });

    describe('POST /packages/restore', () => {
      it('restores a deleted package and a collection with its descendants through the queue and the worker', async () => {
        const res = await call(gw, 'POST', `/packages/restore?dataset_id=${D123}`, { token: tokens.grace, json: { nodeIds: ['N:package:461', 'N:collection:470', 'N:package:999', 'N:package:500'] } });
        expect(res.status).to.equal(200);
        expect(res.body.success).to.deep.equal(['N:package:461', 'N:collection:470']);
        expect(res.body.failures).to.deep.equal([{ id: 'N:package:999', error: 'not found' }, { id: 'N:package:500', error: 'not found' }]);
        const presign = (pkg: string) => call(gw, 'GET', `/packages/presign/s3?dataset_id=${D123}&package_id=${pkg}&redirect=false`, { token: tokens.grace });
        await eventually(async () => (await presign('N:package:473')).status === 200 && (await presign('N:package:461')).status === 200);
        const file = await fetch((await presign('N:package:473')).body.url);
        expect(file.status).to.equal(200);
        expect(await file.text()).to.equal('in a deleted subfolder\n');
      });

      it('reports ids that are not package or collection ids as not found, NUL bytes included, without a 500 (found by npm run fuzz)', async () => {
        const ids = ['N:package:4\u000061', 'N:dataset:123', 'package-461', '\u0000'];
        const res = await call(gw, 'POST', `/packages/restore?dataset_id=${D123}`, { token: tokens.grace, json: { nodeIds: ids } });
        expect(res.status, res.text).to.equal(200);
        expect(res.body).to.deep.equal({ success: [], failures: ids.map((id) => ({ id, error: 'not found' })) });
      });

      it('refuses a package that is not deleted, and queues again one left RESTORING with no job in flight (never "in progress" for a lost job)', async () => {
        // The seed's N:package:480 is RESTORING with no job: the restore the issue found lost for ever.
        const res = await call(gw, 'POST', `/packages/restore?dataset_id=${D123}`, { token: tokens.ada, json: { nodeIds: ['N:package:457', 'N:package:480'] } });
        expect(res.body.failures).to.deep.equal([{ id: 'N:package:457', error: 'package is not deleted (state UPLOADED)' }]);
        expect(res.body.success).to.deep.equal(['N:package:480']);
        const status = () => call(gw, 'GET', `/packages/restore?dataset_id=${D123}&package_id=N:package:480`, { token: tokens.grace });
        await eventually(async () => (await status()).body.state === 'READY');
        expect((await status()).body.restore).to.deep.include({ status: 'done', attempts: 1, error: null });
      });

      it('reports where a restore stands, and a failed one with its error once the package is DELETED again', async () => {
        // N:package:490's bucket does not exist: every attempt fails; after the last one it is DELETED, and said so.
        const res = await call(gw, 'POST', `/packages/restore?dataset_id=${D123}`, { token: tokens.ada, json: { nodeIds: ['N:package:490'] } });
        expect(res.body.success).to.deep.equal(['N:package:490']);
        const status = () => call(gw, 'GET', `/packages/restore?dataset_id=${D123}&package_id=N:package:490`, { token: tokens.linus });
        expect((await status()).body.restore.status).to.be.oneOf(['queued', 'running', 'failed']);
        await eventually(async () => (await status()).body.state === 'DELETED', 30_000);
        const failed = (await status()).body;
        expect(failed.restore).to.deep.include({ status: 'failed', attempts: 1 });
        expect(failed.restore.error).to.match(/^restore failed after 1 attempts: /);
        expect((await call(gw, 'GET', `/packages/restore?dataset_id=${D123}&package_id=N:package:456`, { token: tokens.linus })).body).to.deep.equal({ id: 'N:package:456', state: 'READY', restore: null });
        expect((await call(gw, 'GET', `/packages/restore?dataset_id=${D123}&package_id=N:package:456`, { token: tokens.mallory })).status).to.equal(403);
      });

      it('answers a bad body and a missing dataset_id with 400', async () => {
        expect((await call(gw, 'POST', `/packages/restore?dataset_id=${D123}`, { token: tokens.ada, json: { nodeIds: 'x' } })).body.error.code).to.equal('validation_failed');
        expect((await call(gw, 'POST', '/packages/restore', { token: tokens.ada, json: { nodeIds: ['N:package:1'] } })).body.error.code).to.equal('missing_parameter');
      });
    });

    describe('GET /packages/presign/s3', () => {
      it('redirects (307) to a presigned URL that downloads the viewer asset', async () => {
        const res = await fetch(`${gw}/packages/presign/s3?dataset_id=${D123}&package_id=N:package:456&path=preview/thumbnail.txt`, { headers: { authorization: `Bearer ${tokens.linus}` }, redirect: 'manual' });
        expect(res.status).to.equal(307);
        const location = res.headers.get('location')!;
        expect(location).to.match(/X-Amz-Signature=[0-9a-f]{64}/).and.to.include('/O1/D123/P456/preview/thumbnail.txt');
        expect((await fetch(location)).status).to.equal(200);
      });

      for (const path of ['../P457/notes.txt', '/etc/passwd', '%2e%2e/P457/notes.txt', 'a//b', './x', 'preview\\..\\x']) {
        it(`refuses the path ${JSON.stringify(path)} with 400`, async () => {
          const res = await call(gw, 'GET', `/packages/presign/s3?dataset_id=${D123}&package_id=N:package:456&path=${encodeURIComponent(path)}`, { token: tokens.ada });
          expect(res.status).to.equal(400);
          expect(res.body.error.code).to.equal('invalid_path');
        });
      }

      it('answers 409 for a deleted package', async () => {
        const res = await call(gw, 'GET', `/packages/presign/s3?dataset_id=${D123}&package_id=N:package:460`, { token: tokens.ada });
        expect(res.status).to.equal(409);
      });
    });

    describe('GET /packages/cloudfront/sign', () => {
      it('signs a URL valid for an hour that the local CloudFront edge serves with the parquet cache header', async () => {
        const res = await call(gw, 'GET', `/packages/cloudfront/sign?dataset_id=${D123}&package_id=N:package:456&path=data.parquet`, { token: tokens.linus });
        expect(res.status).to.equal(200);
        expect(res.body.expires_at - Math.floor(Date.now() / 1000)).to.be.within(3590, 3600);
        expect(res.body.signed_url).to.match(/^https:\/\/d111111abcdef8\.cloudfront\.net\/O1\/D123\/P456\/data\.parquet\?Expires=\d+&Key-Pair-Id=K7DU95SV97M25E&Signature=/);
        const got = await fetchFromEdge(stack, res.body.signed_url);
        expect(got.status).to.equal(200);
        expect(got.headers['cache-control']).to.equal('max-age=2592000');
        expect(got.body.subarray(0, 4).toString()).to.equal('PAR1');
        const tampered = await fetchFromEdge(stack, res.body.signed_url.replace('data.parquet', 'data.csv'));
        expect(tampered.status).to.equal(403);
      });

      it('is refused by the local edge once its hour is over (the edge\'s clock moved, not the app\'s)', async () => {
        const res = await call(gw, 'GET', `/packages/cloudfront/sign?dataset_id=${D123}&package_id=N:package:456&path=preview/thumbnail.txt`, { token: tokens.linus });
        expect(res.status).to.equal(200);
        try {
          edgeAt = (res.body.expires_at - 5) * 1000;
          expect((await fetchFromEdge(stack, res.body.signed_url)).status).to.equal(200);
          // CloudFront refuses from DateLessThan on (canned policy: "the URL expires at this time").
          edgeAt = res.body.expires_at * 1000;
          const late = await fetchFromEdge(stack, res.body.signed_url);
          expect(late.status).to.equal(403);
          expect(late.body.toString()).to.include('<Code>AccessDenied</Code>');
          const state = await admin(stack.urls.cloudfront, '/state');
          expect(state.denials.recent.at(-1)).to.include({ path: '/O1/D123/P456/preview/thumbnail.txt', reason: 'expired' });
        } finally {
          edgeAt = undefined;
        }
      });
    });
  });
}
