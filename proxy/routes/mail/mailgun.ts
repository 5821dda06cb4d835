/**
 * Sending through Mailgun's messages API (`POST /v3/{domain}/messages`, form-encoded, Basic `api:<key>` —
 * documentation.mailgun.com "Sending Messages"). Many recipients go as batches with `recipient-variables`, so
 * each recipient sees only their own address (documentation: "Batch Sending", at most 1,000 per call). Every
 * attempt passes the circuit breaker; attempts that certainly did not reach Mailgun, or that it refused with 429
 * or 5xx, are retried with backoff. An attempt whose fate is unknown — no answer in time, or the connection lost
 * after the request went out — is never retried here: Mailgun may have queued the mail. It is reported as
 * `OutcomeUnknown`, and `findAccepted` settles it later from Mailgun's events, by a user variable the caller
 * put on the message.
 */
import { ProxyError } from '../../core/errors.ts';
import { UpstreamUnavailable, type HttpClient, type OutboundResponse } from '../../core/http-client.ts';
import { withRetry, type RetryPolicy } from '../../core/retry.ts';
import type { CircuitBreaker } from '../../core/breaker.ts';
import { upstreamError } from '../../core/upstream.ts';
import type { Clock } from '../../core/types.ts';
import type { Logger } from '../../core/log.ts';
import type { MailConfig } from './config.ts';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  replyTo?: string;
  tag?: string;
  variables?: Record<string, string>;
}

export interface SentBatch {
  id: string;
  recipients: string[];
}

export interface MailgunSender {
  /** The recipient lists, one per Mailgun call, in order. */
  batches(to: string[]): string[][];
  /** One Mailgun call (with retries). Throws `OutcomeUnknown` when Mailgun may or may not have the message. */
  sendBatch(mail: OutgoingMail, recipients: string[]): Promise<SentBatch>;
  /** Every batch in order (no idempotency: a caller that must not send twice drives `sendBatch` itself). */
  send(mail: OutgoingMail): Promise<SentBatch[]>;
  /**
   * The id of a message Mailgun accepted for `recipient` since `sinceMs` whose user variable `name` is `value`,
   * from the Events API; undefined when none shows (yet — events can appear late).
   */
  findAccepted(q: { recipient: string; sinceMs: number; variable: string; value: string }): Promise<string | undefined>;
  breakerState(): string;
}

/** Mailgun may or may not have accepted the message: a retry must settle this before sending again. */
export class OutcomeUnknown extends ProxyError {
  constructor(readonly reason: 'timeout' | 'connection_lost') {
    super(504, reason === 'timeout' ? 'upstream_timeout' : 'upstream_connection_lost',
      reason === 'timeout' ? 'Mailgun did not answer in time; it may have accepted the mail' : 'the connection to Mailgun was lost after the mail was sent; Mailgun may have accepted it',
      { upstream: 'mailgun', outcome: 'unknown' });
  }
}

// Failures that happen before a byte of the request can reach Mailgun: safe to try again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

/** A failed exchange as Mailgun's side may have seen it. */
function classify(e: unknown): unknown {
  if (!(e instanceof UpstreamUnavailable)) return e;
  if (e.code === 'upstream_timeout') return new OutcomeUnknown('timeout');
  return NOT_SENT.has(String(e.details?.detail)) ? e : new OutcomeUnknown('connection_lost');
}

const failedAttempt = (r: OutboundResponse) => r.status === 429 || r.status >= 500;

/** Events API: at most 300 per page (documentation.mailgun.com, Events API reference); a few pages at most. */
const EVENT_PAGE = 300;
const MAX_EVENT_PAGES = 10;
/** Our clock and Mailgun's may disagree: look a minute further back than the attempt. */
const CLOCK_SLACK_MS = 60_000;

export function mailgunSender(o: { cfg: MailConfig; http: HttpClient; clock: Clock; breaker: CircuitBreaker; log: Logger; retry?: RetryPolicy }): MailgunSender {
  const base = `${o.cfg.mailgunBaseUrl}/v3/${encodeURIComponent(o.cfg.mailgunDomain)}`;
  const auth = 'Basic ' + Buffer.from(`api:${o.cfg.mailgunApiKey}`).toString('base64');
  const call = (method: string, url: string, body?: string) => o.breaker.run(() => o.http.send({
    upstream: 'mailgun', method, url, body, timeoutMs: o.cfg.upstreamTimeoutMs,
    headers: { authorization: auth, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
  }).catch((e: unknown) => { throw classify(e); }), failedAttempt);
  const retried = (attempt: () => Promise<OutboundResponse>) => withRetry(attempt, {
    clock: o.clock, policy: o.retry, onRetry: (i) => o.log.warn('retrying Mailgun', { attempt: i.attempt + 1, delayMs: i.delayMs, status: i.status }),
  });

  const sender: MailgunSender = {
    batches(to) {
      const out: string[][] = [];
      for (let i = 0; i < to.length; i += o.cfg.batchSize) out.push(to.slice(i, i + o.cfg.batchSize));
      return out;
    },

    async sendBatch(mail, recipients) {
      const body = formFor(mail, recipients, mail.to.length > 1).toString();
      const res = await retried(() => call('POST', `${base}/messages`, body));
      if (res.status !== 200) throw upstreamError('Mailgun', res);
      return { id: parseId(res), recipients };
    },

    async send(mail) {
      const sent: SentBatch[] = [];
      for (const recipients of sender.batches(mail.to)) {
        try {
          sent.push(await sender.sendBatch(mail, recipients));
        } catch (e) {
          // Batches already sent are real mail: name them, so a caller does not resend those recipients.
          if (sent.length && e instanceof ProxyError) throw new ProxyError(e.status, e.code, `${e.message} (after ${sent.length} batch(es) were sent)`, { ...e.details, sent }, e.headers);
          throw e;
        }
      }
      return sent;
    },

    async findAccepted(q) {
      // Real Mailgun filters events by type, recipient and time, not by user variables (documentation
      // "Filter Field": event, list, attachment, from, message-id, subject, to, size, recipient, tags, severity);
      // the variable is matched here, on each event's "user-variables".
      const query = new URLSearchParams({
        event: 'accepted', recipient: q.recipient, begin: String(Math.floor((q.sinceMs - CLOCK_SLACK_MS) / 1000)), ascending: 'yes', limit: String(EVENT_PAGE),
      });
      let url: string | undefined = `${base}/events?${query}`;
      for (let page = 0; url && page < MAX_EVENT_PAGES; page++) {
        const res = await retried(() => call('GET', url!));
        if (res.status !== 200) throw upstreamError('Mailgun', res);
        const { items, paging } = parseEventPage(res);
        const hit = items.find((e) => e['user-variables']?.[q.variable] === q.value);
        if (hit) return `<${hit.message.headers['message-id']}>`;
        // Only Mailgun's own events links are followed: an answer cannot send our key elsewhere.
        const next = paging?.next;
        url = items.length === EVENT_PAGE && next?.startsWith(`${base}/events/`) ? next : undefined;
      }
      return undefined;
    },

    breakerState: () => o.breaker.state,
  };
  return sender;
}

function formFor(mail: OutgoingMail, recipients: string[], batch: boolean): URLSearchParams {
  const f = new URLSearchParams();
  f.append('from', mail.from);
  for (const r of recipients) f.append('to', r);
  f.append('subject', mail.subject);
  f.append('html', mail.html);
  f.append('text', mail.text);
  if (mail.replyTo) f.append('h:Reply-To', mail.replyTo);
  if (mail.tag) f.append('o:tag', mail.tag);
  for (const [k, v] of Object.entries(mail.variables ?? {})) f.append(`v:${k}`, v);
  // With recipient-variables Mailgun sends one message per recipient, each addressed to that recipient only.
  if (batch) f.append('recipient-variables', JSON.stringify(Object.fromEntries(recipients.map((r) => [r, { email: r }]))));
  return f;
}

function parseId(res: OutboundResponse): string {
  try {
    const id = res.json<{ id?: unknown }>().id;
    if (typeof id === 'string' && id) return id;
  } catch { /* fall through */ }
  throw new ProxyError(502, 'upstream_error', 'Mailgun accepted the message but its answer had no message id', { upstream: 'mailgun' });
}

interface AcceptedEvent {
  'user-variables'?: Record<string, unknown>;
  message: { headers: { 'message-id': string } };
}

/** An events page (documentation "Event Structure"): items, and paging links we follow as they are. */
function parseEventPage(res: OutboundResponse): { items: AcceptedEvent[]; paging?: { next?: string } } {
  try {
    const page = res.json<{ items?: unknown; paging?: { next?: string } }>();
    if (Array.isArray(page.items)) {
      const items = page.items.filter((e): e is AcceptedEvent => typeof (e as AcceptedEvent)?.message?.headers?.['message-id'] === 'string');
      return { items, paging: page.paging };
    }
  } catch { /* fall through */ }
  throw new ProxyError(502, 'upstream_error', 'Mailgun\'s events answer was not an events page', { upstream: 'mailgun' });
}

/** `<abc@domain>` and `abc@domain` name the same message (webhooks send the bare form). */
export const bareMessageId = (id: string) => id.trim().replace(/^<|>$/g, '');
