/**
 * Seed 002's S3 browser as a browser runs it: headless Debian Chromium loads a page from another loopback origin,
 * lists a report folder through the gateway with the CRM's API key (a preflight first: x-api-key is not a
 * safelisted header), asks for a presigned URL, and downloads the PDF straight from the embedded S3 with the ETag
 * readable (the reports bucket's CORS rule, seeded). A page on an origin not configured is blocked at each step.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import type { Stack } from '../../emulators/stack/index.ts';
import type { Listening } from '../../emulators/shared/emulator.ts';
import { blankOrigin, chromiumOrSkip, launchChromium } from '../helpers/browser.ts';
import { testStack } from '../helpers/stack.ts';
const KEY = 'local-crm-api-key-000000000000000000000000';
const REPORT = 'reports/DN-1001/2025/07/royalty-statement.pdf';

interface Outcome {
  ok: boolean;
  error?: string;
  files?: string[];
  url?: string;
  bytes?: number;
  etag?: string | null;
}

describe('report browsing from a page on another origin, in headless Chromium', function () {
  this.timeout(90_000);
  let stack: Stack;
  let allowed: Listening;
  let other: Listening;
  let browser: BrowserContext;

  before(async function () {
    if (!chromiumOrSkip(this)) return;
    allowed = await blankOrigin('reports');
    other = await blankOrigin('reports');
    stack = await testStack({ PROXY_CORS_ALLOWED_ORIGINS: allowed.url });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await allowed?.close();
    await other?.close();
  });

  /** What a page on `pageUrl` gets: the listing, the presigned URL, then the object's bytes and ETag. */
  const browse = async (pageUrl: string): Promise<Outcome> => {
    const page = await browser.newPage();
    try {
      await page.goto(pageUrl);
      return await page.evaluate(async ({ gateway, key, report }) => {
        try {
          const headers = { 'x-api-key': key };
          const list = await (await fetch(`${gateway}/reports?prefix=${encodeURIComponent('DN-1001/2025/07/')}`, { headers })).json();
          const { url } = await (await fetch(`${gateway}/reports/url?key=${encodeURIComponent(report)}`, { headers })).json();
          const object = await fetch(url);
          const bytes = (await object.arrayBuffer()).byteLength;
          return { ok: true, files: list.files.map((f: { key: string }) => f.key), url, bytes, etag: object.headers.get('etag') };
        } catch (e) {
          return { ok: false, error: String(e) };
        }
      }, { gateway: stack.urls.gateway, key: KEY, report: REPORT });
    } finally {
      await page.close();
    }
  };

  it('lists, gets a presigned URL and downloads the PDF with its ETag from the configured origin', async () => {
    const out = await browse(allowed.url);
    expect(out.ok, JSON.stringify(out)).to.equal(true);
    expect(out.files).to.include(REPORT);
    expect(new URL(out.url!).origin).to.equal(new URL(stack.urls.aws).origin);
    expect(out.bytes).to.equal(readFileSync(new URL(`../../fixtures/aws/files/${REPORT}`, import.meta.url)).length);
    expect(out.etag).to.match(/^"[0-9a-f]{32}"$/);
  });

  it('is blocked by the browser on an origin not configured', async () => {
    const out = await browse(other.url);
    expect(out.ok).to.equal(false);
    expect(out.error).to.include('Failed to fetch');
  });

  it('has the bucket refuse that origin too, even with a valid presigned URL', async () => {
    const { url } = (await browse(allowed.url)) as { url: string };
    const page = await browser.newPage();
    try {
      await page.goto(other.url);
      const out = await page.evaluate(async (u) => fetch(u).then(() => 'read', (e) => String(e)), url);
      expect(out).to.include('Failed to fetch');
    } finally {
      await page.close();
    }
  });
});
