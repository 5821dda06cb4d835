/**
 * CORS of /packages/proxy/s3 as a browser sees it: headless Debian Chromium loads a page from another loopback
 * origin, which calls the gateway with a header that forces a preflight. The allowed origin reads the answer
 * (and the exposed ETag); a page on an origin not on the list is blocked by the browser itself.
 */
import { expect } from 'chai';
import type { BrowserContext } from 'playwright-core';
import type { Stack } from '../../emulators/stack/index.ts';
import type { Listening } from '../../emulators/shared/emulator.ts';
import { blankOrigin, chromiumOrSkip, launchChromium } from '../helpers/browser.ts';
import { call } from '../helpers/stack.ts';
import { packagesStack } from '../routes/packages-harness.ts';

describe('S3 proxy CORS preflight in headless Chromium', function () {
  this.timeout(60_000);
  let stack: Stack;
  let allowed: Listening;
  let other: Listening;
  let browser: BrowserContext;
  let presigned: string;

  before(async function () {
    if (!chromiumOrSkip(this)) return;
    allowed = await blankOrigin('viewer');
    other = await blankOrigin('viewer');
    stack = await packagesStack('pglite', { PROXY_CORS_ALLOWED_ORIGINS: allowed.url });
    const token = await stack.gateway.mintToken('linus@example.com');
    presigned = (await call(stack.urls.gateway, 'GET', '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false', { token })).body.url;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await allowed?.close();
    await other?.close();
  });

  // If-None-Match is not a CORS-safelisted header, so the browser must preflight first.
  const probe = (pageUrl: string) => async () => {
    const page = await browser.newPage();
    try {
      await page.goto(pageUrl);
      const target = `${stack.urls.gateway}/packages/proxy/s3?presigned_url=${encodeURIComponent(presigned)}`;
      return await page.evaluate(async (url) => {
        try {
          const res = await fetch(url, { method: 'HEAD', headers: { 'if-none-match': '"x"' } });
          return { ok: true, status: res.status, etag: res.headers.get('etag') };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }, target);
    } finally {
      await page.close();
    }
  };

  it('lets the allowed origin through the preflight and read the ETag', async () => {
    const out = await probe(allowed.url)();
    expect(out.ok, JSON.stringify(out)).to.equal(true);
    expect(out.status).to.equal(200);
    expect(out.etag).to.match(/^"[0-9a-f]{32}"$/);
  });

  it('blocks a page on another origin', async () => {
    const out = await probe(other.url)();
    expect(out.ok).to.equal(false);
    expect(out.error).to.include('Failed to fetch');
  });
});
