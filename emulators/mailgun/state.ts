/**
 * The fake Mailgun's model, no HTTP: domains, sent messages, the events log and the rules that turn a send into
 * events (accepted, then delivered — or failed when a suppression list holds the recipient). Every event is
 * also handed to listeners (the webhook dispatcher).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type DomainConfig, DomainState, type WebhookId } from './domain.ts';
import { newSettings } from './domain-settings.ts';
import { notFound, badRequest } from './errors.ts';
import { acceptedEvent, deliveredEvent, engagementEvent, failedEvent, type FailureSpec, suppressedFailure } from './event-data.ts';
import { EventLog, type MailgunEvent } from './events.ts';
import { type StoredMessage, bareMessageId, buildMessage } from './messages.ts';
import type { SendRequest } from './send-request.ts';
import { SendQueue, deliveryTime } from './send-queue.ts';
import type { SuppressionInput, SuppressionKind } from './suppressions.ts';

export interface MailgunSeed {
  /** The account's private API key, used as the Basic auth password with user `api`. */
  apiKey: string;
  domains: DomainConfig[];
  /** The account's dedicated IPs (a new domain gets them all) and IP pools. */
  ips?: string[];
  ipPools?: { id: string; ips: string[] }[];
  suppressions?: Record<string, Partial<Record<SuppressionKind, SuppressionInput[]>>>;
  webhooks?: Record<string, Partial<Record<WebhookId, string[]>>>;
}

export type TriggerType = 'delivered' | 'failed' | 'opened' | 'clicked' | 'unsubscribed' | 'complained';
export const TRIGGER_TYPES: readonly TriggerType[] = ['delivered', 'failed', 'opened', 'clicked', 'unsubscribed', 'complained'];

export interface TriggerSpec {
  event: TriggerType;
  /** One recipient of the message; all of them when omitted. */
  recipient?: string;
  severity?: 'permanent' | 'temporary';
  reason?: string;
  code?: number;
  description?: string;
  url?: string;
}

export type EventListener = (domain: DomainState, event: MailgunEvent) => void;

const digest = (s: string) => createHash('sha256').update(s).digest();

// Defaults for an injected failure, worded like typical remote MTA answers Mailgun relays in delivery-status.
const FAILURE_DEFAULTS: Record<'permanent' | 'temporary', FailureSpec> = {
  permanent: { severity: 'permanent', reason: 'bounce', code: 550, description: '5.1.1 The email account that you tried to reach does not exist' },
  temporary: { severity: 'temporary', reason: 'generic', code: 421, description: '4.3.0 Service temporarily unavailable, try again later' },
};

export class MailgunState {
  /** Public URL of the fake, used in storage and paging links; set once the server listens. */
  baseUrl = 'http://127.0.0.1';
  readonly events = new EventLog();
  private domains = new Map<string, DomainState>();
  private messages = new Map<string, StoredMessage>();
  private listeners: EventListener[] = [];
  private readonly queue = new SendQueue();

  constructor(
    private readonly seed: MailgunSeed,
    private readonly clock: () => number = Date.now,
  ) {
    this.reset();
  }

  /** Back to the seed: seeded domains (active), suppressions and webhooks; no messages or events. */
  reset(): void {
    const now = new Date(this.clock());
    this.domains = new Map(this.seed.domains.map((d) => [d.name, new DomainState(d, newSettings(d.name, now, { state: 'active', ips: this.accountIps }))]));
    this.messages.clear();
    this.events.clear();
    this.queue.reset();
    for (const [name, tables] of Object.entries(this.seed.suppressions ?? {})) {
      const d = this.domain(name);
      for (const [kind, rows] of Object.entries(tables)) for (const row of rows ?? []) d.suppressions.add(kind as SuppressionKind, row);
    }
    for (const [name, hooks] of Object.entries(this.seed.webhooks ?? {})) {
      const d = this.domain(name);
      for (const [id, urls] of Object.entries(hooks)) d.createWebhook(id, urls ?? []);
    }
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /**
   * The account's HTTP webhook signing key. Mailgun has one per account today (v5 accounts API); the seed gives each
   * domain a key of its own, as Mailgun once did, so until the first regeneration this is the first domain's.
   */
  webhookSigningKey(): string {
    return [...this.domains.values()][0]?.webhookSigningKey ?? '';
  }

  /** Regenerate the account's key: every domain's webhooks are signed with the new one from the next attempt on. */
  regenerateWebhookSigningKey(): string {
    const key = randomBytes(16).toString('hex');
    for (const d of this.domains.values()) d.webhookSigningKey = key;
    return key;
  }

  /** Basic auth must be `api:<account key>`; compared in constant time. */
  checkCredentials(user: string, password: string): boolean {
    return user === 'api' && timingSafeEqual(digest(password), digest(this.seed.apiKey));
  }

  get accountIps(): string[] {
    return this.seed.ips ?? [];
  }

  ipPool(id: string): { id: string; ips: string[] } | undefined {
    return this.seed.ipPools?.find((p) => p.id === id);
  }

  listDomains(): DomainState[] {
    return [...this.domains.values()];
  }

  /**
   * A new domain (POST /v4/domains): unverified until verified, so it cannot send yet. It signs webhooks with the
   * account's current key (Mailgun's webhook signing key is per account).
   */
  createDomain(name: string): DomainState {
    if (this.domains.has(name)) throw badRequest('This domain name is already taken');
    const d = new DomainState({ name, webhookSigningKey: this.webhookSigningKey() }, newSettings(name, new Date(this.clock()), { ips: this.accountIps }));
    this.domains.set(name, d);
    return d;
  }

  deleteDomain(name: string): void {
    this.domain(name);
    this.domains.delete(name);
  }

  /** The domain, or Mailgun's 404 (observed: {"message": "Domain not found: my-domain.co.uk"}). */
  domain(name: string): DomainState {
    const d = this.domains.get(name);
    if (!d) throw notFound(`Domain not found: ${name}`);
    return d;
  }

  send(domainName: string, req: SendRequest): StoredMessage {
    const d = this.domain(domainName);
    // Sending API error codes: "Domain example.com is not allowed to send: The domain is unverified and requires DNS configuration. …"
    if (d.settings.state !== 'active') throw badRequest(`Domain ${d.name} is not allowed to send: The domain is unverified and requires DNS configuration. Log in to your control panel to view required DNS records.`);
    const deliverAt = deliveryTime(req.options, this.clock());
    const m = buildMessage(d.name, req, new Date(this.clock()));
    this.messages.set(bareMessageId(m.id), m);
    for (const r of m.renderings) this.emit(d, m, acceptedEvent(m, r.recipient, this.clock(), this.baseUrl));
    if (deliverAt === undefined) this.deliver(m);
    else {
      m.deliverAt = deliverAt;
      this.queue.schedule(m, deliverAt, this.clock(), (x) => this.deliver(x));
    }
    return m;
  }

  /** Delivery: each recipient's message is delivered, or fails because a suppression list holds the address. */
  private deliver(m: StoredMessage): void {
    m.deliverAt = undefined;
    const d = this.domains.get(m.domain);
    if (!d) return; // the domain was deleted while the message waited
    for (const r of m.renderings) {
      const hit = d.suppressions.check(r.recipient, m.tags);
      const outcome = hit ? failedEvent(m, r.recipient, suppressedFailure(hit), this.clock(), this.baseUrl) : deliveredEvent(m, r.recipient, this.clock(), this.baseUrl);
      this.emit(d, m, outcome);
    }
  }

  /** The scheduled messages of a domain still waiting, and clearing them (the storage host's DELETE envelopes). */
  scheduled(domain: string): StoredMessage[] {
    return this.queue.waitingFor(this.domain(domain).name);
  }

  clearQueue(domain: string): number {
    return this.queue.clear(this.domain(domain).name);
  }

  /** A sent message by its storage key (events' `storage.key`), within its domain. */
  stored(domain: string, key: string): StoredMessage {
    const d = this.domain(domain);
    const m = [...this.messages.values()].find((x) => x.domain === d.name && x.storageKey === key);
    if (!m) throw notFound('Message not found');
    return m;
  }

  /** Resend a stored message to other recipients: a new message with the same content (Sending, "resend a message"). */
  resend(domain: string, key: string, to: SendRequest['to']): StoredMessage {
    const m = this.stored(domain, key);
    const { deliverytime: _at, ...options } = m.options;
    return this.send(m.domain, {
      from: m.from, to, cc: [], bcc: [], subject: m.subject, text: m.text, html: m.html, headers: m.headers, variables: m.variables,
      tags: m.tags, options, recipientVariables: m.recipientVariables, attachments: m.attachments, inline: m.inline, mime: m.mime,
    });
  }

  listMessages(): StoredMessage[] {
    return [...this.messages.values()];
  }

  message(id: string): StoredMessage | undefined {
    return this.messages.get(bareMessageId(id));
  }

  /** Record a later event for a sent message (an open, a click, a bounce…) as the recipient's side would cause it. */
  trigger(id: string, spec: TriggerSpec): MailgunEvent[] {
    const m = this.message(id);
    if (!m) throw notFound('Message not found');
    const d = this.domain(m.domain);
    const recipients = spec.recipient ? [spec.recipient.toLowerCase()] : m.renderings.map((r) => r.recipient);
    for (const r of recipients) if (!m.renderings.some((x) => x.recipient === r)) throw badRequest(`${r} is not a recipient of ${m.id}`);
    return recipients.map((r) => this.emit(d, m, this.triggered(d, m, r, spec)));
  }

  private triggered(d: DomainState, m: StoredMessage, recipient: string, spec: TriggerSpec): MailgunEvent {
    const now = this.clock();
    if (spec.event === 'delivered') return deliveredEvent(m, recipient, now, this.baseUrl);
    if (spec.event === 'failed') {
      const f = { ...FAILURE_DEFAULTS[spec.severity ?? 'permanent'], ...definedOnly({ reason: spec.reason, code: spec.code, description: spec.description }) };
      // Hard bounces land on the bounce list (documentation: Tracking Failures) unless whitelisted (Suppressions, Whitelists).
      if (f.severity === 'permanent' && f.reason === 'bounce' && !d.whitelist.covers(recipient)) d.suppressions.add('bounces', { address: recipient, code: f.code, error: f.description });
      return failedEvent(m, recipient, f, now, this.baseUrl);
    }
    if (spec.event === 'complained') d.suppressions.add('complaints', { address: recipient });
    if (spec.event === 'unsubscribed') d.suppressions.add('unsubscribes', { address: recipient });
    return engagementEvent(spec.event, m, recipient, now, this.baseUrl, spec.url);
  }

  private emit(d: DomainState, m: StoredMessage, e: MailgunEvent): MailgunEvent {
    this.events.record(d.name, m.id, e);
    for (const l of this.listeners) l(d, e);
    return e;
  }

  /** Everything but credentials: the signing keys and API key stay out of admin output. */
  snapshot(): unknown {
    return {
      domains: [...this.domains.values()].map((d) => ({ name: d.name, state: d.settings.state, webhooks: d.listWebhooks(), suppressions: d.suppressions.snapshot(), whitelists: d.whitelist.all() })),
      messages: this.messages.size,
      events: this.events.count(),
    };
  }
}

function definedOnly<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
