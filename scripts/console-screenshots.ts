/**
 * `npm run console:screenshots [-- --out DIR]`: the README's pictures of the console, taken by the same headless
 * Chromium the browser test drives. It starts a stack of its own (free ports, a temporary state folder), sends
 * sample traffic through the gateway, replays a committed recording, and writes one PNG per view to
 * emulators/console/screenshots/ (or --out). No secret is revealed in a picture: the one value shown unmasked is a
 * plain SSM String (a bucket name).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startStack } from '../emulators/stack/index.ts';
import { silentLogger } from '../proxy/core/log.ts';
import { launchChromium, sampleTraffic } from './lib/console/browser.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = resolve(outAt >= 0 ? args[outAt + 1] : fileURLToPath(new URL('../emulators/console/screenshots/', import.meta.url)));
mkdirSync(out, { recursive: true });

const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-screens-'));
const stack = await startStack({ env: { GATEHOUSE_STATE_DIR: stateDir }, ephemeral: true, stateDir, log: silentLogger() });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  const base = stack.urls.console;
  const go = async (hash: string) => {
    await page.goto(`${base}/#${hash}`);
    await page.locator('main').waitFor();
  };
  const snap = async (name: string) => {
    await page.waitForTimeout(400); // the last answers render
    await page.screenshot({ path: join(out, `${name}.png`) });
    console.log(`wrote ${join(out, `${name}.png`)}`);
  };

  // Trace first, so the rows arrive live while the traffic is sent.
  await go('trace');
  await sampleTraffic(stack.gateway.url, await stack.gateway.mintToken('ada@example.com'));
  await page.locator('tr.trace-row').nth(3).waitFor({ timeout: 60_000 });
  await openRow(page, '/send-mail');
  await snap('trace');

  await go('stack');
  await page.locator('table.services tr[data-service="console"]').waitFor();
  await snap('stack');

  await go('mail');
  await page.locator('table.messages tr.clickable').first().click();
  await page.locator('iframe.mail').waitFor();
  await snap('mail');

  await go('customerio');
  await page.locator('table.people tr[data-cio]').first().waitFor();
  await page.locator('table.people tr', { hasText: 'ada@example.com' }).click();
  await page.locator('.person').waitFor();
  await snap('customerio');

  await go('s3');
  await page.locator('button.bucket').first().click();
  for (const f of ['reports/', 'reports/DN-1001/', 'reports/DN-1001/2025/', 'reports/DN-1001/2025/07/']) await page.locator(`tr.folder[data-key="${f}"] a`).click();
  await page.locator('tr.object td:nth-child(2)').first().click();
  await page.locator('.object-info').waitFor();
  await page.locator('tr.object input[type=checkbox]').first().check();
  await snap('s3');

  await go('aws/sqs');
  await page.locator('button[data-tab="ssm"]').click();
  const plain = page.locator('table.parameters tr[data-name="/gatehouse/packages/viewer-assets-bucket"]');
  await plain.locator('button.masked').click();
  await plain.locator('.secret.revealed').waitFor();
  await snap('aws');

  await go('replay');
  await page.locator('select[name=fixture]').selectOption('customerio.har');
  await page.locator('button:has-text("replay")').first().click();
  await page.locator('.replay-run[data-finished="true"]').waitFor({ timeout: 120_000 });
  await snap('replay');
} finally {
  await browser.close();
  await stack.close();
}

/** Open the oldest row of `path` (the newest /send-mail is the one the gateway refused, which has no upstream hops). */
async function openRow(page: Page, path: string): Promise<void> {
  await page.locator('tr.trace-row', { hasText: path }).last().click();
  await page.locator('.hop.upstream').first().waitFor();
}
