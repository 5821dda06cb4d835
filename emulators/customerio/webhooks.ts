/**
 * The fake Customer.io's reporting-webhook sender: what its workspace reports (reporting.ts) is POSTed to the
 * configured endpoint, signed as Customer.io signs (X-CIO-Timestamp; X-CIO-Signature = hex HMAC-SHA256 of
 * `v0:<timestamp>:<body>` under the workspace's webhook signing key, computed afresh on every attempt).
 *
 * Delivery follows the Reporting Webhooks reference, "Timeouts and failures":
 *   - a 4 s timeout; anything but a 2xx is retried with exponential backoff for up to seven days;
 *   - after 400, 401, 402, 403, 404, 405, 410, 429, 500, 502, 521 or a connection refused/reset, the first retry
 *     waits an hour (then backs off as usual);
 *   - later events are backlogged behind a failing one: one event in flight, in order, per endpoint.
 * The reference gives neither the backoff's first step nor its cap; the fake starts at 30 s and doubles up to 12 h.
 * Every duration is configurable through the admin API so tests and the local stack need not wait hours.
 */
import { sendKeptAlive, sharedAgent } from '../../proxy/core/keep-alive.ts';
import { signCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import type { ReportingWebhook } from './reporting.ts';

export interface WebhookSettings {
  /** Where events go; undefined: no endpoint, events are not kept. */
  url?: string;
  /** Only these metrics are sent (the dashboard's event selection); undefined: all. */
  metrics?: string[];
  timeoutMs: number;
  firstRetryMs: number;
  maxRetryMs: number;
  /** Wait before the first retry after one of HOLD_STATUSES or a refused/reset connection. */
  holdMs: number;
  /** An event still failing after this long is dropped and the backlog moves on. */
  giveUpMs: number;
}

export const CUSTOMERIO_WEBHOOK_DEFAULTS: WebhookSettings = {
  timeoutMs: 4_000, firstRetryMs: 30_000, maxRetryMs: 12 * 3_600_000, holdMs: 3_600_000, giveUpMs: 7 * 86_400_000,
};

export const HOLD_STATUSES = new Set([400, 401, 402, 403, 404, 405, 410, 429, 500, 502, 521]);

export interface Attempt {
  eventId: string;
  metric: string;
  attempt: number;
  at: string;
  /** HTTP status, or `timeout` / the connection error's code. */
  outcome: number | string;
  /** Milliseconds until the next try, when there is one. */
  retryInMs?: number;
}

interface Pending {
  event: ReportingWebhook;
  body: string;
  attempts: number;
  firstTriedAt?: number;
}

export class WebhookSender {
  private settings: WebhookSettings = { ...CUSTOMERIO_WEBHOOK_DEFAULTS };
  private queue: Pending[] = [];
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private attempts: Attempt[] = [];
  private counts = { delivered: 0, gaveUp: 0 };

  constructor(private readonly signingKey: () => string, private readonly now: () => number = Date.now) {}

  configure(change: Partial<WebhookSettings>): WebhookSettings {
    this.settings = { ...this.settings, ...change };
    this.pump();
    return this.settings;
  }

  enqueue(event: ReportingWebhook): void {
    if (!this.settings.url || (this.settings.metrics && !this.settings.metrics.includes(event.metric))) return;
    this.queue.push({ event, body: JSON.stringify(event), attempts: 0 });
    this.pump();
  }

  /** Retry the head of the backlog now instead of at its scheduled time. */
  retryNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }

  snapshot() {
    const { url, metrics, ...timing } = this.settings;
    return { url: url ?? null, metrics: metrics ?? null, ...timing, backlog: this.queue.map((p) => ({ eventId: p.event.event_id, metric: p.event.metric, attempts: p.attempts })),
      ...this.counts, attempts: this.attempts };
  }

  /** Drop the backlog and the attempt log; the endpoint settings stay (they are configuration, not state). */
  reset(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.attempts = [];
    this.counts = { delivered: 0, gaveUp: 0 };
  }

  close(): void {
    this.reset();
    this.settings = { ...this.settings, url: undefined };
  }

  private pump(): void {
    if (this.busy || this.timer || !this.queue.length || !this.settings.url) return;
    this.busy = true;
    const head = this.queue[0];
    void this.attempt(head).then((retryIn) => {
      this.busy = false;
      if (this.queue[0] !== head) return this.pump(); // reset while in flight
      if (retryIn === undefined) {
        this.queue.shift();
        return this.pump();
      }
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, retryIn);
      this.timer.unref();
    });
  }

  /** One try; the delay before the next, or undefined when the event is done (delivered or given up). */
  private async attempt(p: Pending): Promise<number | undefined> {
    const startedAt = this.now();
    p.firstTriedAt ??= startedAt;
    p.attempts++;
    const outcome = await this.post(this.settings.url!, p.body);
    const ok = typeof outcome === 'number' && outcome >= 200 && outcome < 300;
    const record: Attempt = { eventId: p.event.event_id, metric: p.event.metric, attempt: p.attempts, at: new Date(startedAt).toISOString(), outcome };
    this.log(record);
    if (ok) {
      this.counts.delivered++;
      return undefined;
    }
    const hold = (typeof outcome === 'number' && HOLD_STATUSES.has(outcome)) || outcome === 'ECONNREFUSED' || outcome === 'ECONNRESET';
    const base = hold ? this.settings.holdMs : this.settings.firstRetryMs;
    const delay = Math.min(this.settings.maxRetryMs, base * 2 ** (p.attempts - 1));
    if (this.now() + delay - p.firstTriedAt > this.settings.giveUpMs) {
      this.counts.gaveUp++;
      return undefined;
    }
    record.retryInMs = delay;
    return delay;
  }

  private post(url: string, body: string): Promise<number | string> {
    const timestamp = Math.floor(this.now() / 1000);
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Customer.io Reporting Webhooks (gatehouse fake)',
      'x-cio-timestamp': String(timestamp),
      'x-cio-signature': signCustomerioWebhook(this.signingKey(), timestamp, body),
    };
    return new Promise((resolve) => {
      const target = new URL(url);
      let settled = false;
      const done = (outcome: number | string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      // The timeout covers the whole exchange, answer included, as Customer.io's 4 s does.
      const ended = new AbortController();
      const timer = setTimeout(() => {
        done('timeout');
        ended.abort();
      }, this.settings.timeoutMs);
      // A pooled connection the receiver closed is replaced before the POST is written (keep-alive.ts).
      sendKeptAlive({ url: target, method: 'POST', headers, body: Buffer.from(body), agent: sharedAgent(target.protocol), signal: ended.signal }).then((res) => {
        res.resume();
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done('ECONNRESET'));
      }, (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
    });
  }

  private log(a: Attempt): void {
    if (this.attempts.length >= 1000) this.attempts.shift();
    this.attempts.push(a);
  }
}
