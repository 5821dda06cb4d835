/**
 * Headless Debian Chromium for the browser tests, driven by playwright-core (never `npx playwright install`), and
 * the loopback pages a test loads so its requests come from an origin of its choosing.
 */
import http from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** False (the suite skipped, the reason printed) when Debian's chromium is not installed. */
export function chromiumOrSkip(ctx: Mocha.Context): boolean {
  if (existsSync(CHROMIUM)) return true;
  console.log(`      skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  ctx.skip();
  return false;
}

/** A browser with a fresh user data dir per run (Playwright takes it as the persistent context's directory). */
export function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'gatehouse-chromium-')), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** An origin of its own (a free loopback port) serving an empty page: where a test's fetches come from. */
export function blankOrigin(title = 'page'): Promise<Listening> {
  return listen((_req: http.IncomingMessage, res: http.ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${title}</title>`), 0);
}
