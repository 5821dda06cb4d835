/**
 * The fake Mailgun server on the shared emulator frame: wire routes, admin extras, and the webhook dispatcher
 * fed by the state's events.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import { createEmulator, listen } from '../shared/emulator.ts';
import { DEFAULT_TLS_DIR } from '../shared/tls.ts';
import { acceptStorageTunnels } from './storage-tunnel.ts';
import { jsonShape } from '../shared/http-guard.ts';
import { mailgunAdmin } from './admin.ts';
import { mailgunRoutes } from './routes.ts';
import { MailgunState, type MailgunSeed } from './state.ts';
import { WebhookDispatcher, type WebhookOptions } from './webhooks.ts';

export { MailgunState, type MailgunSeed } from './state.ts';
export { WebhookDispatcher, signWebhook, type WebhookCall, type WebhookOptions } from './webhooks.ts';

export const DEFAULT_MAILGUN_PORT = 4030;
export const DEFAULT_SEED_FILE = fileURLToPath(new URL('../../fixtures/mailgun/seed.json', import.meta.url));

export interface MailgunOptions {
  port?: number;
  host?: string;
  seedFile?: string;
  /** Webhook timing (first-attempt delay, retry schedule, timeout); also settable at /__admin/webhooks/settings. */
  webhooks?: Partial<WebhookOptions>;
  /** Where the local CA lives, for the storage-host tunnel's certificate (default `.state/tls`). */
  tlsDir?: string;
}

export interface RunningMailgun {
  url: string;
  port: number;
  state: MailgunState;
  webhooks: WebhookDispatcher;
  close(): Promise<void>;
}

/** Read and check a seed file: an API key and at least one domain with a webhook signing key. */
export function loadSeed(file: string): MailgunSeed {
  const seed = JSON.parse(readFileSync(file, 'utf8')) as MailgunSeed;
  const bad = (why: string) => new Error(`invalid Mailgun seed ${file}: ${why}`);
  if (!seed || typeof seed.apiKey !== 'string' || seed.apiKey === '') throw bad('apiKey must be a non-empty string');
  if (!Array.isArray(seed.domains) || seed.domains.length === 0) throw bad('domains must be a non-empty list');
  for (const d of seed.domains) if (typeof d?.name !== 'string' || typeof d.webhookSigningKey !== 'string') throw bad('each domain needs name and webhookSigningKey');
  return seed;
}

export async function startMailgun(opts: MailgunOptions = {}): Promise<RunningMailgun> {
  const state = new MailgunState(loadSeed(opts.seedFile ?? DEFAULT_SEED_FILE));
  const webhooks = new WebhookDispatcher(opts.webhooks);
  state.onEvent((domain, event) => webhooks.handle(domain, event));
  const { app, errorShape } = createEmulator({
    name: 'mailgun',
    snapshot: () => state.snapshot(),
    reset: () => {
      webhooks.reset();
      state.reset();
    },
    // Injected faults answer in Mailgun's error shape.
    faultBody: (status) => ({ message: status === 429 ? 'Too many requests' : `Injected fault ${status}` }),
    // Mailgun's API errors are {"message": …} (its HTML is for unknown paths only, routes.ts).
    errorShape: jsonShape((p) => ({ message: p.message })),
    admin: mailgunAdmin(state, webhooks),
    routes: mailgunRoutes(state),
    // Mailgun accepts messages up to 25 MB; leave room for multipart framing.
    bodyLimit: '30mb',
  });
  const server = await listen(app, opts.port ?? DEFAULT_MAILGUN_PORT, { host: opts.host, errors: errorShape });
  acceptStorageTunnels(server.server as http.Server, opts.tlsDir ?? DEFAULT_TLS_DIR);
  state.baseUrl = server.url;
  return {
    url: server.url,
    port: server.port,
    state,
    webhooks,
    close: async () => {
      webhooks.clear();
      await server.close();
    },
  };
}
