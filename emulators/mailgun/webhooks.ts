/**
 * Outgoing event webhooks: for each event whose type has configured URLs, POST
 * `{"signature": {timestamp, token, signature}, "event-data": {...}}` where signature is the hex HMAC-SHA256 of
 * timestamp+token under the domain's current webhook signing key (read per attempt, so a retry after a key
 * rotation is signed with the new key) (documentation.mailgun.com "Securing Webhooks").
 * Delivery is asynchronous and every attempt is journaled. Retries follow "Automatic Retries": a 2xx is done,
 * 406 is a rejection that is never retried, anything else is retried on a schedule — except for the
 * `delivered` webhook, which Mailgun does not retry. The schedule is Mailgun's, scaled down to milliseconds.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { fetchKeptAlive } from '../../proxy/core/keep-alive.ts';
import { type DomainState, type WebhookId, webhookFor } from './domain.ts';
import type { MailgunEvent } from './events.ts';

export interface WebhookOptions {
  /** Wait before the first attempt (default 0: right after the send returns). */
  delayMs: number;
  /** Waits before each retry; its length is the number of retries (Mailgun: 5m, 10m, 15m, 1h, 2h, 4h). */
  retryDelaysMs: number[];
  /** Per-attempt timeout. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = { delayMs: 0, retryDelaysMs: [50, 100, 150, 600, 1200, 2400], timeoutMs: 10_000 };

export interface WebhookCall {
  seq: number;
  time: string;
  domain: string;
  webhook: WebhookId;
  event: string;
  eventId: string;
  url: string;
  attempt: number;
  status?: number;
  error?: string;
  /** delivered (2xx), rejected (406, not retried), retrying, or failed (gave up). */
  outcome: 'delivered' | 'rejected' | 'retrying' | 'failed';
}

export interface WebhookSignature {
  timestamp: string;
  token: string;
  signature: string;
}

export function signWebhook(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(timestamp + token).digest('hex');
}

function newSignature(signingKey: string, nowMs: number): WebhookSignature {
  const timestamp = String(Math.floor(nowMs / 1000));
  const token = randomBytes(25).toString('hex'); // 50 characters, as documented
  return { timestamp, token, signature: signWebhook(signingKey, timestamp, token) };
}

/**
 * PUT /v3/domains/{domain}/webhooks/{id}/test (mailgun.js webhooks.create with `test`): one signed sample event
 * for that webhook posted to `url` now, answered with the endpoint's status and body as `{code, message}`; a
 * connection failure is code 0 with the error.
 */
export async function testWebhook(signingKey: string, webhook: WebhookId, url: string): Promise<{ code: number; message: string }> {
  const eventFor: Record<WebhookId, string> = { accepted: 'accepted', clicked: 'clicked', complained: 'complained', delivered: 'delivered', opened: 'opened', permanent_fail: 'failed', temporary_fail: 'failed', unsubscribed: 'unsubscribed' };
  const event = {
    id: randomBytes(16).toString('base64url').slice(0, 22),
    event: eventFor[webhook],
    timestamp: Date.now() / 1000,
    recipient: 'alice@example.com',
    ...(webhook.endsWith('_fail') ? { severity: webhook === 'permanent_fail' ? 'permanent' : 'temporary' } : {}),
    'user-variables': { 'mailgun-test': 'true' },
  };
  try {
    const res = await fetchKeptAlive(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'mailgun-emulator/1' },
      body: JSON.stringify({ signature: newSignature(signingKey, Date.now()), 'event-data': event }),
      signal: AbortSignal.timeout(10_000),
    });
    return { code: res.status, message: (await res.text()).slice(0, 1024) };
  } catch (e) {
    return { code: 0, message: (e as Error).message };
  }
}

interface Job {
  domain: DomainState;
  webhook: WebhookId;
  event: MailgunEvent;
  url: string;
  attempt: number;
}

export class WebhookDispatcher {
  private log: WebhookCall[] = [];
  private seq = 0;
  private timers = new Set<NodeJS.Timeout>();
  private inflight = new Set<AbortController>();
  private generation = 0;
  private options: WebhookOptions;
  private readonly initial: WebhookOptions;

  constructor(options: Partial<WebhookOptions> = {}) {
    this.initial = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
    this.options = { ...this.initial };
  }

  configure(options: Partial<WebhookOptions>): WebhookOptions {
    this.options = { ...this.options, ...options };
    return this.options;
  }

  get settings(): WebhookOptions {
    return { ...this.options };
  }

  /** Queue one delivery per configured URL for this event. */
  handle(domain: DomainState, event: MailgunEvent): void {
    const webhook = webhookFor(event);
    if (!webhook) return;
    for (const url of domain.urlsFor(event)) this.schedule({ domain, webhook, event, url, attempt: 1 }, this.options.delayMs);
  }

  calls(): WebhookCall[] {
    return [...this.log];
  }

  /** True while a delivery is waiting or on the wire. */
  get busy(): boolean {
    return this.timers.size > 0 || this.inflight.size > 0;
  }

  /** Drop pending deliveries and the journal, and return to the options given at start (admin reset). */
  reset(): void {
    this.clear();
    this.options = { ...this.initial };
  }

  /** Drop pending deliveries and the journal. */
  clear(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
    this.log = [];
  }

  private schedule(job: Job, delayMs: number): void {
    const gen = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (gen === this.generation) void this.attempt(job, gen);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(job: Job, gen: number): Promise<void> {
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    this.inflight.add(controller);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const body = JSON.stringify({ signature: newSignature(job.domain.webhookSigningKey, Date.now()), 'event-data': job.event });
      const res = await fetchKeptAlive(job.url, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'mailgun-emulator/1' }, body, signal: controller.signal });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).name === 'AbortError' ? 'timeout' : (e as Error).message;
    } finally {
      clearTimeout(timeout);
      this.inflight.delete(controller);
    }
    if (gen !== this.generation) return;
    this.record(job, status, error);
  }

  private record(job: Job, status: number | undefined, error: string | undefined): void {
    const ok = status !== undefined && status >= 200 && status < 300;
    const retryable = !ok && status !== 406 && job.webhook !== 'delivered' && job.attempt <= this.options.retryDelaysMs.length;
    const outcome: WebhookCall['outcome'] = ok ? 'delivered' : status === 406 ? 'rejected' : retryable ? 'retrying' : 'failed';
    this.log.push({
      seq: ++this.seq,
      time: new Date().toISOString(),
      domain: job.domain.name,
      webhook: job.webhook,
      event: job.event.event,
      eventId: job.event.id,
      url: job.url,
      attempt: job.attempt,
      ...(status !== undefined ? { status } : {}),
      ...(error ? { error } : {}),
      outcome,
    });
    if (retryable) this.schedule({ ...job, attempt: job.attempt + 1 }, this.options.retryDelaysMs[job.attempt - 1]);
  }
}
