/**
 * The packages function through the Lambda adapter (REST v1, HTTP API v2, Function URL), signed as the gateway
 * signs, against the stack's AWS and CloudFront edges; and, with its clock injected an hour back, URLs that the
 * S3 edge refuses as expired.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '../../emulators/stack/index.ts';
import { openPackagesDatabase } from '../../emulators/stack/packages.ts';
import { buildPackagesApp } from '../../proxy/functions/packages.ts';
import { createLambdaHandler } from '../../proxy/adapters/lambda/handler.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import type { Db } from '../../proxy/db/index.ts';
import { FLAVOURS, resultBody, toEvent } from '../helpers/events.ts';
import { gatewaySigner } from '../helpers/signed.ts';
import { packagesStack } from './packages-harness.ts';

// Encoded as API Gateway re-encodes them, so the signed query is the one the function sees in every flavour.
const enc = (q: string) => q.replace(/:/g, '%3A');
const Q = enc('dataset_id=N:dataset:123&package_id=N:package:456');
interface Case { name: string; method: string; path: string; query?: string; json?: unknown; email?: string; status: number; code?: string }
const CASES: Case[] = [
  { name: 'presign JSON', method: 'GET', path: '/packages/presign/s3', query: `${Q}&redirect=false`, email: 'linus@example.com', status: 200 },
  { name: 'presign redirect', method: 'GET', path: '/packages/presign/s3', query: Q, email: 'linus@example.com', status: 307 },
  { name: 'cloudfront sign', method: 'GET', path: '/packages/cloudfront/sign', query: `${Q}&path=data.parquet`, email: 'linus@example.com', status: 200 },
  { name: 'restore (not deleted)', method: 'POST', path: '/packages/restore', query: enc('dataset_id=N:dataset:123'), json: { nodeIds: ['N:package:456'] }, email: 'grace@example.com', status: 200 },
  { name: 'viewer may not restore', method: 'POST', path: '/packages/restore', query: enc('dataset_id=N:dataset:123'), json: { nodeIds: ['N:package:461'] }, email: 'linus@example.com', status: 403, code: 'dataset_forbidden' },
  { name: 'other organisation', method: 'GET', path: '/packages/presign/s3', query: enc('dataset_id=N:dataset:900&package_id=N:package:900'), email: 'ada@example.com', status: 403, code: 'dataset_forbidden' },
  { name: 'anonymous', method: 'GET', path: '/packages/presign/s3', query: Q, status: 401, code: 'login_required' },
  { name: 'proxy refuses a foreign host', method: 'GET', path: '/packages/proxy/s3', query: `presigned_url=${encodeURIComponent('https://evil.example.com/x')}`, status: 403, code: 'host_not_allowed' },
];

describe('Packages routes through the Lambda adapter', function () {
  this.timeout(60_000);
  let stack: Stack;
  let sign: ReturnType<typeof gatewaySigner>;
  let db: Db;
  const build = (offsetMs = 0) => createLambdaHandler(() => buildPackagesApp({
    env: { ...stack.proxyEnv, SIGNATURE_MAX_SKEW_SECONDS: '3600' },
    log: silentLogger(),
    clock: { now: () => Date.now() + offsetMs, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    openDb: async () => db,
  }));

  before(async () => {
    stack = await packagesStack('pglite');
    sign = gatewaySigner(stack.stateDir);
    db = await openPackagesDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'gatehouse-pg-')) });
  });
  after(async () => {
    await db?.close();
    await stack?.close();
  });

  for (const flavour of FLAVOURS) {
    describe(`${flavour} events`, () => {
      const handler = () => build();
      let h: ReturnType<typeof createLambdaHandler>;
      before(() => (h = handler()));
      for (const c of CASES) {
        it(`${c.name}: ${c.method} ${c.path} → ${c.status}`, async () => {
          const res = await h(toEvent(flavour, sign(c)));
          const text = resultBody(res).toString();
          expect(res.statusCode, text).to.equal(c.status);
          if (c.code) expect(JSON.parse(text).error.code).to.equal(c.code);
        });
      }
    });
  }

  it('a presigned URL signed ten minutes ago is refused by the S3 edge (clock injected)', async () => {
    const past = build(-600_000);
    const presign = JSON.parse(resultBody(await past(toEvent('v2', sign({ method: 'GET', path: '/packages/presign/s3', query: `${Q}&redirect=false`, email: 'linus@example.com' })))).toString());
    const expired = await fetch(presign.url);
    expect(expired.status).to.equal(403);
    expect(await expired.text()).to.include('Request has expired');
    // The same requests signed now work.
    const fresh = JSON.parse(resultBody(await build()(toEvent('v2', sign({ method: 'GET', path: '/packages/presign/s3', query: `${Q}&redirect=false`, email: 'linus@example.com' })))).toString());
    expect((await fetch(fresh.url)).status).to.equal(200);
  });
});
