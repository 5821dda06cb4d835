/**
 * The console in headless Debian Chromium, against a whole stack on free ports: a mobile request sent through the
 * gateway appears live with its hops, and one the gateway refuses as a row of its own with the verdict; a captured
 * mail opens in a sandboxed iframe whose report link answers 200; two folders deep in the S3 browser a folder downloads as one ZIP whose entries are the objects' bytes; a masked
 * secret is revealed by a click; a small HAR replays with its verdicts; bad input shows a message and the page
 * stays up. Every view leaves a screenshot under the test's temp dir; a failure names them.
 */
import { expect } from 'chai';
import http from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import yauzl from 'yauzl';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Stack } from '../../emulators/stack/index.ts';
import { testStack } from '../helpers/stack.ts';
import { CHROMIUM, CRM_API_KEY, launchChromium, post, reportCampaign } from '../../scripts/lib/console/browser.ts';

const BUCKET = 'gatehouse-package-assets';

describe('console in headless Chromium (issue 17)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let browser: BrowserContext;
  let page: Page;
  let s3: S3Client;
  const shots: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-console-test-'));

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
      return this.skip();
    }
    stack = await testStack();
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => console.log(`      page error: ${e.message}`));
    s3 = new S3Client({ endpoint: stack.urls.aws, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** Runs a step against the page; a screenshot of the view is taken after it, and every path is named on failure. */
  async function view(name: string, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (e) {
      const err = e as Error;
      await shot(`${name}-failed`).catch(() => {});
      err.message += `\n      screenshots: ${shots.join(', ')}`;
      throw err;
    }
    await shot(name);
  }

  async function shot(name: string): Promise<void> {
    const path = join(dir, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    shots.push(path);
  }

  const open = async (hash: string) => {
    await page.goto(`${stack.urls.console}/#${hash}`);
    await page.locator('main').waitFor();
  };

  it('is in the stack table and serves its page from its own origin', async () => {
    expect(stack.status().map((s) => s.name)).to.include('console');
    expect(stack.services.map((s) => s.name)).to.include('console');
    const res = await fetch(`${stack.urls.console}/`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-security-policy')).to.match(/default-src 'self'/);
  });

  it('shows a mobile request sent through the gateway, live, with its gateway, proxy and upstream hops', async () => {
    await view('trace', async () => {
      await open('trace');
      await page.locator('table.traces').waitFor();
      const traceId = 'a1'.repeat(16);
      const sent = await post(`${stack.gateway.url}/send-mail`, reportCampaign('Trace me'), { 'x-api-key': CRM_API_KEY, traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
      expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
      // No reload: the row arrives on the event stream.
      const row = page.locator(`tr.trace-row[data-trace="${traceId}"]`);
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      const gateway = page.locator('.hop.gateway');
      await expect_text(gateway, /k-crm-local/);
      await expect_text(gateway, /ok/);
      await expect_text(gateway, /signed with/);
      await expect_text(page.locator('.hop.proxy'), /mail/);
      for (const upstream of ['mailgun', 'aws-s3', 'aws-dynamodb']) await page.locator(`.hop.upstream[data-upstream="${upstream}"]`).first().waitFor();
      await expect_text(page.locator('.hop.upstream[data-upstream="mailgun"]').first(), /seen by the fake mailgun/);
    });
  });

  it('shows a request the gateway refused, live, as its own row with the gateway\'s verdict and no proxy hop', async () => {
    await view('trace-refused', async () => {
      await open('trace');
      await page.locator('table.traces').waitFor();
      const [forwarded, expired, noKey] = ['b2', 'b3', 'b4'].map((b) => b.repeat(16));
      const tp = (id: string) => `00-${id}-00f067aa0ba902b7-01`;
      expect((await post(`${stack.gateway.url}/events`, { name: 'app_opened', anonymous_id: 'device-9' }, { traceparent: tp(forwarded) })).status).to.equal(200);
      await page.locator(`tr.trace-row[data-trace="${forwarded}"]`).waitFor({ timeout: 30_000 });
      const old = await stack.gateway.mintToken('grace@example.com', -10);
      const refusedJwt = await post(`${stack.gateway.url}/customers/grace@example.com/events`, { name: 'late' }, { authorization: `Bearer ${old}`, traceparent: tp(expired) });
      expect(refusedJwt.status).to.equal(401);
      const refusedKey = await post(`${stack.gateway.url}/send-mail`, reportCampaign('No key'), { traceparent: tp(noKey) });
      expect(refusedKey.status).to.equal(403);

      // No reload: both rows arrive on the event stream, marked as stopped at the gateway, with the check and reason.
      const jwtRow = page.locator(`tr.trace-row.refused[data-trace="${expired}"]`);
      const keyRow = page.locator(`tr.trace-row.refused[data-trace="${noKey}"]`);
      await jwtRow.waitFor({ timeout: 30_000 });
      await keyRow.waitFor({ timeout: 30_000 });
      await expect_text(jwtRow, /401.*stopped at gateway.*JWT refused: the token has expired.*refused by JWT/);
      await expect_text(keyRow, /403.*stopped at gateway.*API key.*forbidden.*refused by API key: this route requires an x-api-key header/);
      // Newest first, in time order with the proxy's rows; the forwarded request is one row, the proxy's.
      const order = await page.locator('tr.trace-row').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-trace')));
      expect(order.indexOf(noKey)).to.be.within(0, order.indexOf(expired) - 1);
      expect(order.indexOf(expired)).to.be.below(order.indexOf(forwarded));
      expect(order.filter((t) => t === forwarded)).to.have.length(1);
      expect(await page.locator(`tr.trace-row.refused[data-trace="${forwarded}"]`).count()).to.equal(0);

      await jwtRow.click();
      const expanded = page.locator(`tr.trace-row.refused[data-trace="${expired}"] + tr.expanded`);
      const hop = expanded.locator('.hop.gateway.refused');
      await expect_text(hop, /stopped here.*refused by JWT.*the token has expired.*not forwarded.*401/);
      await expect_text(expanded.locator('.hop.proxy.none'), /no proxy hop/);
      expect(await expanded.locator('.hop.proxy:not(.none)').count(), 'no proxy hop').to.equal(0);
      expect(await expanded.locator('.hop.upstream').count(), 'no upstream calls').to.equal(0);
      await hop.locator('details.message summary').first().click();
      await expect_text(hop, /authorization\s*Bearer \[REDACTED\]/);
      expect(await page.content(), 'the JWT never reaches the page').to.not.contain(old);
    });
  });

  it('opens a captured mail in a sandboxed iframe with no scripts and no remote loads; its report link answers 200', async () => {
    await view('mail', async () => {
      // A script and a remote image in the HTML: neither may run or load.
      let hits = 0;
      const { listen } = await import('../../emulators/shared/emulator.ts');
      const beacon = await listen((_req, res) => { hits++; res.end('x'); }, 0);
      try {
        const sent = await post(`${stack.gateway.url}/send-mail`, reportCampaign('Mail view check', {
          html: `<p>Hello</p><script>fetch('${beacon.url}/script')</script><img src="${beacon.url}/pixel.png">`,
        }), { 'x-api-key': CRM_API_KEY });
        expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
        await open('mail');
        await page.locator('input[name=subject]').fill('Mail view check');
        await page.locator('table.messages tr.clickable').first().click();
        const frame = page.locator('iframe.mail');
        await frame.waitFor();
        const sandbox = await frame.getAttribute('sandbox');
        expect(sandbox).to.be.a('string');
        expect(sandbox).not.to.match(/allow-scripts|allow-same-origin/);
        expect(await frame.getAttribute('srcdoc')).to.match(/Content-Security-Policy" content="default-src 'none'/);
        const inFrame = page.frameLocator('iframe.mail');
        await inFrame.locator('text=Hello').waitFor();
        const link = await inFrame.locator('a[href*="/reports/DN-1001/"]').first().getAttribute('href');
        expect(link).to.be.a('string');
        const listed = await page.locator('a.report-link[data-cloudfront="true"]').first().getAttribute('href');
        expect(listed).to.equal(link);
        const pdf = await fetch(link!);
        expect(pdf.status).to.equal(200);
        expect(pdf.headers.get('content-type')).to.equal('application/pdf');
        await page.waitForTimeout(500);
        expect(hits, 'the message HTML fetched or loaded from the network').to.equal(0);
      } finally {
        await beacon.close();
      }
    });
  });

  it('navigates two folders deep in the S3 browser and downloads a folder as one ZIP holding the objects\' bytes', async () => {
    await view('s3', async () => {
      await open('s3');
      await page.locator(`button.bucket:has-text("${BUCKET}")`).click();
      await page.locator('tr.folder[data-key="reports/"] a').click();
      await page.locator('tr.folder[data-key="reports/DN-1001/"] a').click();
      await expect_text(page.locator('.crumbs'), /reports\s*\/\s*DN-1001/);
      await page.locator('tr.folder[data-key="reports/DN-1001/2025/"]').waitFor();
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator('button:has-text("download this folder as ZIP")').click()]);
      const saved = join(dir, download.suggestedFilename());
      await download.saveAs(saved);
      await page.locator('.zip-done').waitFor();
      const zipped = await unzip(saved);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'reports/DN-1001/' }));
      const keys = (listed.Contents ?? []).map((o) => o.Key!).sort();
      expect([...zipped.keys()].sort()).to.deep.equal(keys.map((k) => k.slice('reports/DN-1001/'.length)));
      for (const key of keys) {
        const object = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
        expect(zipped.get(key.slice('reports/DN-1001/'.length))!.equals(object), key).to.equal(true);
      }
    });
  });

  it('shows an object\'s metadata and versions, and a bucket that does not exist as a message', async () => {
    await view('s3-object', async () => {
      await open('s3');
      await page.locator(`button.bucket:has-text("${BUCKET}")`).click();
      for (const f of ['O1/', 'O1/D123/', 'O1/D123/P456/']) await page.locator(`tr.folder[data-key="${f}"] a`).click();
      await page.locator('tr.object[data-key="O1/D123/P456/data.parquet"] td:nth-child(2)').click();
      await expect_text(page.locator('.object-info'), /ETag/);
      await page.locator('input[name=bucket]').fill('no-such-bucket-here');
      await page.locator('button:has-text("open")').click();
      await expect_text(page.locator('.error').first(), /NoSuchBucket/);
    });
  });

  it('keeps a secret masked until it is clicked, then shows its value', async () => {
    await view('aws', async () => {
      await open('aws/ssm');
      await page.locator('button[data-tab="ssm"]').click();
      const row = page.locator('table.parameters tr[data-name="/gatehouse/extend/users/ada_at_example.com/password"]');
      await row.waitFor();
      expect(await page.content()).not.to.include('ada-Extend-2024!');
      await row.locator('button.masked').click();
      await expect_text(row.locator('.secret.revealed'), /ada-Extend-2024!/);
      await page.locator('button[data-tab="vault"]').click();
      await page.locator('tr[data-key="gatehouse/"]').click();
      await page.locator('tr[data-key="mail"]').click();
      const field = page.locator('tr[data-field="MAILGUN_API_KEY"]');
      await field.waitFor();
      expect(await field.textContent()).not.to.match(/key-/);
      await field.locator('button.masked').click();
      await field.locator('.secret.revealed').waitFor();
    });
  });

  it('replays a small HAR uploaded from the page and shows each entry\'s verdict and differences', async () => {
    await view('replay', async () => {
      const har = JSON.parse(readFileSync('fixtures/recordings/customerio.har', 'utf8'));
      har.log.entries = har.log.entries.slice(0, 3);
      har.log.entries[2].response.status = 418; // one entry that cannot match: a verdict with its diff
      const file = join(dir, 'small.har');
      writeFileSync(file, JSON.stringify(har));
      await open('replay');
      await page.locator('input[name=har]').setInputFiles(file);
      await page.locator('.replay-run[data-finished="true"]').waitFor({ timeout: 90_000 });
      expect(await page.locator('table.verdicts tr[data-verdict="pass"]').count()).to.equal(2);
      const failed = page.locator('table.verdicts tr[data-verdict="fail"]');
      expect(await failed.count()).to.equal(1);
      await expect_text(failed, /418/);
      await expect_text(page.locator('pre.output'), /3 requests: 2 passed, 1 failed, 0 errors/);
      // Not a HAR: a message, and the page still works.
      writeFileSync(join(dir, 'broken.har'), '{ this is not json');
      await page.locator('input[name=har]').setInputFiles(join(dir, 'broken.har'));
      await expect_text(page.locator('.error').first(), /not valid JSON/);
    });
  });

  it('shows every service with health and requests, and a fake that is down as a message while the page stays up', async () => {
    await view('stack', async () => {
      const extend = stack.status().find((s) => s.name === 'extend')!;
      process.kill(extend.pid!, 'SIGSTOP');
      try {
        await open('stack');
        const row = page.locator('table.services tr[data-service="extend"]');
        await expect_text(row, /down/, 20_000);
        await expect_text(row, /extend did not answer/);
        await expect_text(page.locator('table.services tr[data-service="mailgun"]'), /healthy/);
      } finally {
        process.kill(extend.pid!, 'SIGCONT');
      }
      await page.locator('button:has-text("refresh")').click();
      await expect_text(page.locator('table.services tr[data-service="extend"]'), /healthy/, 20_000);
    });
  });

  it('refuses a request naming another host (DNS rebinding): 403 in JSON, on pages and API alike', async () => {
    const { port } = new URL(stack.urls.console);
    const get = (path: string, host: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    for (const path of ['/', '/api/aws/ssm', '/api/stack']) {
      const refused = await get(path, `rebind.example:${port}`);
      expect(refused.status, path).to.equal(403);
      expect(JSON.parse(refused.body).error.code).to.equal('host_not_allowed');
    }
    expect((await get('/', `localhost:${port}`)).status).to.equal(200);
  });

  it('answers bad input to its API with a JSON 4xx naming the problem', async () => {
    const bad = async (method: string, path: string, body?: string, type = 'application/json') => {
      const res = await fetch(stack.urls.console + path, { method, headers: body === undefined ? {} : { 'content-type': type }, body });
      return { status: res.status, body: await res.json() as { error: { code: string; message: string } } };
    };
    expect(await bad('GET', '/api/s3/list?bucket=Not_A_Bucket')).to.deep.include({ status: 400 });
    // A key with a lone surrogate has no UTF-8 form (it was a 502 "AWS endpoint did not answer"; found by npm run fuzz).
    const surrogate = await bad('POST', '/api/s3/bundle', '{"bucket":"gatehouse-package-assets","keys":["\\udfff"]}');
    expect(surrogate.status).to.equal(400);
    expect(surrogate.body.error.message).to.match(/keys\[0\] is not valid Unicode/);
    expect((await bad('POST', '/api/replay', '{"har": 5}')).body.error.code).to.equal('missing_field');
    expect((await bad('POST', '/api/replay', '[[[[', 'application/json')).body.error.code).to.equal('invalid_json');
    expect((await bad('POST', '/api/replay', 'x', 'text/plain')).status).to.equal(415);
    expect((await bad('POST', '/api/stack/reset', '{"service":"nope"}')).status).to.equal(404);
    expect((await bad('POST', '/api/stack/vault/faults', '{"status":"x"}')).body.error.code).to.equal('invalid_fault');
    expect((await bad('DELETE', '/api/stack')).status).to.equal(405);
    expect((await bad('GET', '/page/../../package.json')).status).to.equal(404);
  });
});

async function expect_text(locator: import('playwright-core').Locator, re: RegExp, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')) ?? '';
    if (re.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${re} in: ${last.slice(0, 500) || '(nothing)'}`);
}

function unzip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
