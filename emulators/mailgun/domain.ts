/**
 * One sending domain: its webhook signing key, suppression tables and configured webhooks (per event type, up to
 * three URLs each — documentation.mailgun.com "Create a domain webhook").
 */
import { badRequest, notFound } from './errors.ts';
import type { EventType, MailgunEvent } from './events.ts';
import type { DomainSettings } from './domain-settings.ts';
import { SuppressionTables } from './suppressions.ts';
import { Whitelist } from './whitelists.ts';

export type WebhookId = 'accepted' | 'clicked' | 'complained' | 'delivered' | 'opened' | 'permanent_fail' | 'temporary_fail' | 'unsubscribed';
export const WEBHOOK_IDS: readonly WebhookId[] = ['accepted', 'clicked', 'complained', 'delivered', 'opened', 'permanent_fail', 'temporary_fail', 'unsubscribed'];
const MAX_URLS = 3;

export interface DomainConfig {
  name: string;
  webhookSigningKey: string;
}

/** Which webhook an event fires: failures split by severity (documentation: Webhooks, event types). */
export function webhookFor(e: MailgunEvent): WebhookId | undefined {
  const byType: Partial<Record<EventType, WebhookId>> = { accepted: 'accepted', delivered: 'delivered', opened: 'opened', clicked: 'clicked', complained: 'complained', unsubscribed: 'unsubscribed' };
  if (e.event === 'failed') return e.severity === 'temporary' ? 'temporary_fail' : 'permanent_fail';
  return byType[e.event];
}

function checkUrls(urls: string[]): string[] {
  // Wording for these rejections is ours; Mailgun documents only that they are 400s.
  if (urls.length === 0) throw badRequest("'url' parameter is missing");
  if (urls.length > MAX_URLS) throw badRequest(`Maximum of ${MAX_URLS} urls for a given webhook type`);
  for (const u of urls) {
    try {
      const parsed = new URL(u);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw badRequest(`Invalid url: ${u}`);
    }
  }
  return urls;
}

export class DomainState {
  readonly suppressions = new SuppressionTables();
  readonly whitelist = new Whitelist();
  private webhooks = new Map<WebhookId, string[]>();
  /** The key webhooks are signed with now: the seed's, until the account's key is regenerated (account-routes.ts). */
  webhookSigningKey: string;

  constructor(
    readonly config: DomainConfig,
    readonly settings: DomainSettings,
  ) {
    this.webhookSigningKey = config.webhookSigningKey;
  }

  get name(): string {
    return this.config.name;
  }

  /** A webhook name, or Mailgun's 400 naming the valid ones. */
  checkWebhookId(id: string): WebhookId {
    return this.id(id);
  }

  private id(id: string): WebhookId {
    if (!(WEBHOOK_IDS as readonly string[]).includes(id)) throw badRequest(`Invalid webhook id: ${id}. Expected one of ${WEBHOOK_IDS.join(', ')}`);
    return id as WebhookId;
  }

  listWebhooks(): Partial<Record<WebhookId, { urls: string[] }>> {
    const out: Partial<Record<WebhookId, { urls: string[] }>> = {};
    for (const [id, urls] of this.webhooks) out[id] = { urls: [...urls] };
    return out;
  }

  getWebhook(id: string): string[] {
    const urls = this.webhooks.get(this.id(id));
    if (!urls) throw notFound('Webhook not found');
    return [...urls];
  }

  createWebhook(id: string, urls: string[]): string[] {
    const key = this.id(id);
    if (this.webhooks.has(key)) throw badRequest('Webhook already exists');
    this.webhooks.set(key, checkUrls(urls));
    return [...urls];
  }

  updateWebhook(id: string, urls: string[]): string[] {
    this.getWebhook(id);
    this.webhooks.set(this.id(id), checkUrls(urls));
    return [...urls];
  }

  deleteWebhook(id: string): string[] {
    const urls = this.getWebhook(id);
    this.webhooks.delete(this.id(id));
    return urls;
  }

  /** URLs to notify of an event, if a webhook is configured for its type. */
  urlsFor(e: MailgunEvent): string[] {
    const id = webhookFor(e);
    return id ? [...(this.webhooks.get(id) ?? [])] : [];
  }
}
