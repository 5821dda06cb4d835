/**
 * `npm run bench:console [-- --requests 20]`: what the console weighs and how soon a request shows in it, measured in
 * the headless Chromium the tests drive, against a stack of its own on free ports.
 *
 *   - Page weight: bytes on the wire (headers included, Chrome's `encodedDataLength`) for a first load with an
 *     empty cache, until the Stack view has drawn its table; the page's own files and the API's answers apart.
 *   - First trace row: for each of --requests anonymous `POST /events` through the gateway, from the moment the
 *     request is sent until its row is in the Trace view's DOM (a MutationObserver in the page stamps the time;
 *     the same machine's clock on both sides), and from the gateway's answer to the row.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from '../emulators/stack/index.ts';
import { silentLogger } from '../proxy/core/log.ts';
import { launchChromium } from './lib/console/browser.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const at = process.argv.indexOf('--requests');
const REQUESTS = at >= 0 ? Number(process.argv[at + 1]) : 20;

const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-console-'));
const stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log: silentLogger() });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const cdp = await browser.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const urls = new Map<string, string>();
  const sizes = { page: 0, api: 0, files: 0, requests: 0 };
  cdp.on('Network.requestWillBeSent', (e: { requestId: string; request: { url: string } }) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => {
    const url = urls.get(e.requestId) ?? '';
    sizes.requests++;
    if (new URL(url).pathname.startsWith('/api/')) sizes.api += e.encodedDataLength;
    else {
      sizes.page += e.encodedDataLength;
      sizes.files++;
    }
  });
  const t0 = Date.now();
  await page.goto(`${stack.urls.console}/#stack`);
  await page.locator('table.services tr[data-service="console"]').waitFor();
  const drawnMs = Date.now() - t0;
  await page.waitForTimeout(500); // the last answers finish loading
  const weight = { ...sizes };

  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  await page.goto(`${stack.urls.console}/#trace`);
  await page.locator('table.traces').waitFor();
  // In the page (a string: this file is type-checked without the DOM's types): stamp when each row first shows.
  await page.evaluate(`(() => {
    const seen = (window.rowSeen = {});
    new MutationObserver(() => {
      for (const tr of document.querySelectorAll('tr.trace-row')) seen[tr.dataset.trace] ??= performance.timeOrigin + performance.now();
    }).observe(document.body, { childList: true, subtree: true });
  })()`);
  const sentToRow: number[] = [];
  const answerToRow: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const traceId = (i + 1).toString(16).padStart(32, 'c');
    const sent = Date.now();
    const res = await fetch(`${stack.gateway.url}/events`, {
      method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` }, body: JSON.stringify({ name: 'app_opened', anonymous_id: `bench-${i}` }),
    });
    await res.arrayBuffer();
    const answered = Date.now();
    await page.locator(`tr.trace-row[data-trace="${traceId}"]`).waitFor({ timeout: 30_000 });
    const shown = (await page.evaluate(`window.rowSeen[${JSON.stringify(traceId)}]`)) as number;
    sentToRow.push(shown - sent);
    answerToRow.push(shown - answered);
    await new Promise((r) => setTimeout(r, 100));
  }
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const fmt = (xs: number[]) => `median ${q(xs, 0.5).toFixed(0)} ms, p90 ${q(xs, 0.9).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`console first load (empty cache, #stack drawn in ${drawnMs} ms): ${weight.requests} responses, ${(weight.page + weight.api).toLocaleString('en')} bytes on the wire — page files ${weight.page.toLocaleString('en')} bytes in ${weight.files} responses (gzip), API answers ${weight.api.toLocaleString('en')} bytes`);
  console.log(`first trace row after a request (${REQUESTS} × POST /events through the gateway): from sending ${fmt(sentToRow)}; from the gateway's answer ${fmt(answerToRow)}`);
  console.log(`command: npm run bench:console -- --requests ${REQUESTS}`);
} finally {
  await browser.close();
  await stack.close();
}
