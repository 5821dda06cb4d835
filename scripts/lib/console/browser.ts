/**
 * Driving the console in Debian's Chromium (playwright-core, never a downloaded browser): the browser test, the
 * screenshot script and the console benchmark share how it is launched and what traffic makes the views worth
 * looking at.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<BrowserContext> {
  // A fresh profile per run (the persistent context's directory), downloads accepted for the ZIP.
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'gatehouse-chromium-')), {
    executablePath: CHROMIUM,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** The local CRM key (fixtures/gateway/api-keys.json) the mail routes need at the gateway. */
export const CRM_API_KEY = 'local-crm-api-key-000000000000000000000000';

/** A July campaign with report links for DN-1001, as the README's mail walk-through sends it. */
export const reportCampaign = (subject: string, extra: Record<string, unknown> = {}) => ({
  to: ['ada@example.com'], subject, from: 'Distro Nation <reports@mg.gatehouse.local>',
  html: '<p>Hello Ada, your statements are below.</p>', text: 'Hello Ada, your statements are below.',
  campaign: { name: 'july-payouts', type: 'financial' }, attachReporting: true, customIds: ['DN-1001'], month: '07', year: '2025', ...extra,
});

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: parsed };
}

/**
 * Traffic through the gateway that fills every view: an anonymous event, a signed-in one, a report campaign, and a
 * campaign without the CRM's key, which the gateway refuses (the Trace view's row that stops at the gateway).
 */
export async function sampleTraffic(gateway: string, token: string): Promise<void> {
  await post(`${gateway}/events`, { name: 'app_opened', anonymous_id: 'device-1' });
  await post(`${gateway}/customers/ada@example.com/events`, { name: 'item_purchased', data: { price: 29.99 } }, { authorization: `Bearer ${token}` });
  await post(`${gateway}/send-mail`, reportCampaign('Your July statement'), { 'x-api-key': CRM_API_KEY });
  await post(`${gateway}/send-mail`, reportCampaign('No key'));
}
