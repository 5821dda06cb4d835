/**
 * A browser form upload from a page on another origin, as a web app does it: headless Debian Chromium loads a page
 * from one loopback origin, posts a file with fetch + FormData to the embedded S3 on another, using the fields
 * @aws-sdk/s3-presigned-post's createPresignedPost signed, reads S3's 201 PostResponse and exposed ETag through the
 * bucket's CORS rules, then reads the object back with a presigned GET whose If-None-Match header makes Chromium send
 * a preflight first. A page on an origin the rules do not name is refused by the browser itself.
 */
import { expect } from 'chai';
import http from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { S3Client, CreateBucketCommand, PutBucketCorsCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { startAwsEdge, type AwsEdge } from '../../emulators/aws/edge.ts';

const CHROMIUM = '/usr/bin/chromium';
const BUCKET = 'browser-uploads';

describe('S3 presigned POST upload from a page on another origin, in headless Chromium', function () {
  this.timeout(60_000);
  let edge: AwsEdge;
  let s3: S3Client;
  let allowed: Listening;
  let other: Listening;
  let browser: BrowserContext;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
      return this.skip();
    }
    const page = (_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>uploader</title>');
    allowed = await listen(page, 0);
    other = await listen(page, 0);
    edge = await startAwsEdge({ port: 0, host: '127.0.0.1' });
    s3 = new S3Client({ endpoint: edge.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{
      AllowedOrigins: [allowed.url], AllowedMethods: ['POST', 'GET'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag', 'Location'], MaxAgeSeconds: 60,
    }] } }));
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'gatehouse-chromium-')), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  after(async () => {
    await browser?.close();
    s3?.destroy();
    await edge?.close();
    await allowed?.close();
    await other?.close();
  });

  async function presigned(key: string) {
    return createPresignedPost(s3, {
      Bucket: BUCKET, Key: 'from-browser/${filename}', Expires: 300,
      Conditions: [['starts-with', '$key', 'from-browser/'], ['content-length-range', 1, 64 * 1024], ['starts-with', '$Content-Type', 'text/']],
      Fields: { success_action_status: '201', 'Content-Type': 'text/plain', 'x-amz-meta-uploaded-by': key },
    });
  }

  /** In the page: POST the form (the file last, as the docs require), then fetch the readback URL with a preflighted header. */
  async function uploadFrom(pageUrl: string, post: Awaited<ReturnType<typeof presigned>>, content: string, readback?: string) {
    const page = await browser.newPage();
    try {
      await page.goto(pageUrl);
      return await page.evaluate(async ({ post, content, readback }) => {
        const form = new FormData();
        for (const [k, v] of Object.entries(post.fields)) form.append(k, v);
        form.append('file', new File([content], 'notes.txt', { type: 'text/plain' }));
        const out: Record<string, unknown> = {};
        try {
          const res = await fetch(post.url, { method: 'POST', body: form });
          Object.assign(out, { status: res.status, etag: res.headers.get('etag'), body: await res.text() });
        } catch (e) {
          return { error: String(e) };
        }
        if (readback) {
          try {
            const got = await fetch(readback, { headers: { 'if-none-match': '"no-such-etag"' } });
            Object.assign(out, { readStatus: got.status, readBody: await got.text() });
          } catch (e) {
            out.readError = String(e);
          }
        }
        return out;
      }, { post, content, readback });
    } finally {
      await page.close();
    }
  }

  it('uploads a file from the allowed origin, reads S3\'s answer and the object back through CORS', async () => {
    const post = await presigned('allowed page');
    const readback = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'from-browser/notes.txt' }), { expiresIn: 300 });
    const out = await uploadFrom(allowed.url, post, 'written in a browser', readback);
    expect(out.error, JSON.stringify(out)).to.equal(undefined);
    expect(out.status).to.equal(201);
    expect(out.etag).to.match(/^"[0-9a-f]{32}"$/);
    expect(out.body).to.include('<Key>from-browser/notes.txt</Key>');
    expect([out.readStatus, out.readBody]).to.deep.equal([200, 'written in a browser']);
    // The form POST is a simple request; the readback's If-None-Match made Chromium ask first.
    const preflights = edge.journal.list({ method: 'OPTIONS', pathPrefix: `/${BUCKET}/from-browser/notes.txt` });
    expect(preflights.map((e) => [e.status, e.headers.origin, e.headers['access-control-request-method']])).to.deep.equal([[200, allowed.url, 'GET']]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'from-browser/notes.txt' }));
    expect([head.ContentType, head.Metadata]).to.deep.equal(['text/plain', { 'uploaded-by': 'allowed page' }]);
  });

  it('lets the allowed page read S3\'s refusal of a file the policy does not allow', async () => {
    const out = await uploadFrom(allowed.url, await presigned('too big'), 'x'.repeat(64 * 1024 + 1));
    expect(out.status, JSON.stringify(out)).to.equal(400);
    expect(out.body).to.include('<Code>EntityTooLarge</Code>');
  });

  it('keeps S3\'s answer from a page on an origin the CORS rules do not name', async () => {
    const readback = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'from-browser/notes.txt' }), { expiresIn: 300 });
    const out = await uploadFrom(other.url, await presigned('other page'), 'from elsewhere', readback);
    expect(out.error).to.include('Failed to fetch');
  });
});
