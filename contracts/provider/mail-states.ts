/**
 * The mail provider states: the CRM's real API key (the gateway's fixture key, or a deployment's), July 2025
 * reports for DN-1001 (seeded into S3 by the stack), a campaign sent through the target's own gateway so its
 * delivery status exists, and Mailgun webhook signatures made afresh (HMAC-SHA256 of timestamp+token with the
 * domain's signing key: documentation.mailgun.com "Securing Webhooks") because each is valid for minutes, once.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DEFAULT_API_KEYS_FILE, type ApiKeysConfig } from '../../emulators/gateway/api-keys.ts';
import { loadSeed as loadMailgunSeed, DEFAULT_SEED_FILE as MAILGUN_SEED_FILE } from '../../emulators/mailgun/index.ts';
import type { KEYED_CAMPAIGN } from '../consumer/mobile-app/states.ts';

export interface MailStates {
  /** A key the gateway accepts for the mail routes. */
  apiKey: string;
  /** Mailgun's webhook signing key of the domain the proxy verifies against. */
  webhookSigningKey: string;
}

/**
 * The first enabled key of fixtures/gateway/api-keys.json on the CRM's (unthrottled) plan, and the signing key of
 * the proxy's Mailgun domain: the developer's MAILGUN_WEBHOOK_SIGNING_KEY, else the fake's (the stack puts it in
 * the secret store from fixtures/mailgun/seed.json).
 */
export function localMailStates(proxyEnv: Record<string, string | undefined>): MailStates {
  const cfg = JSON.parse(readFileSync(DEFAULT_API_KEYS_FILE, 'utf8')) as ApiKeysConfig;
  const key = cfg.apiKeys.find((k) => k.enabled && k.usagePlanId === 'crm-standard');
  if (!key) throw new Error('fixtures/gateway/api-keys.json needs an enabled key on the crm-standard plan');
  return { apiKey: key.value, webhookSigningKey: localMailgunSigningKey(proxyEnv) };
}

/** The webhook signing key the local stack's mail function verifies with (the developer's, else the fake domain's). */
export function localMailgunSigningKey(proxyEnv: Record<string, string | undefined>): string {
  const seed = loadMailgunSeed(MAILGUN_SEED_FILE);
  const signingKey = proxyEnv.MAILGUN_WEBHOOK_SIGNING_KEY ?? seed.domains.find((d) => d.name === proxyEnv.MAILGUN_DOMAIN)?.webhookSigningKey;
  if (!signingKey) throw new Error(`no webhook signing key for the Mailgun domain ${proxyEnv.MAILGUN_DOMAIN}`);
  return signingKey;
}

export function signedWebhook(signingKey: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const token = randomBytes(25).toString('hex');
  return { timestamp, token, signature: createHmac('sha256', signingKey).update(timestamp + token).digest('hex') };
}

/**
 * Sends a one-recipient campaign through the gateway (under an Idempotency-Key when given; a second state run
 * gets the first answer back, which suits the state just as well); returns its Mailgun id as the status path
 * expects it.
 */
export async function sendCampaign(gatewayUrl: string, apiKey: string, keyed?: typeof KEYED_CAMPAIGN): Promise<Record<string, string>> {
  const campaign = keyed?.body ?? { to: ['linus@example.com'], subject: 'Contract check', html: '<p>Hi</p>', text: 'Hi', from: 'reports@mg.gatehouse.local', campaign: { name: 'contract-check', type: 'newsletter' } };
  const res = await fetch(`${gatewayUrl}/send-mail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...(keyed ? { 'idempotency-key': keyed.key } : {}) },
    body: JSON.stringify(campaign),
  });
  const body = (await res.json()) as { messages?: { id: string }[] };
  const id = body.messages?.[0]?.id;
  if (!res.ok || !id) throw new Error(`could not send a campaign to set up the state: HTTP ${res.status}`);
  return { messageId: encodeURIComponent(id) };
}
