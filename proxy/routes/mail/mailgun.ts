/**
 * Sending through Mailgun's messages API (`POST /v3/{domain}/messages`, form-encoded, Basic `api:<key>` —
 * documentation.mailgun.com "Sending Messages"). Many recipients go as batches with `recipient-variables`, so
 * each recipient sees only their own address (documentation: "Batch Sending", at most 1,000 per call). Every
 * attempt passes the circuit breaker; failed attempts are retried with backoff.
 */
import { ProxyError } from '../../core/errors.ts';
import type { HttpClient, OutboundResponse } from '../../core/http-client.ts';
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
  send(mail: OutgoingMail): Promise<SentBatch[]>;
  breakerState(): string;
}

const failedAttempt = (r: OutboundResponse) => r.status === 429 || r.status >= 500;

export function mailgunSender(o: { cfg: MailConfig; http: HttpClient; clock: Clock; breaker: CircuitBreaker; log: Logger; retry?: RetryPolicy }): MailgunSender {
  const url = `${o.cfg.mailgunBaseUrl}/v3/${encodeURIComponent(o.cfg.mailgunDomain)}/messages`;
  const auth = 'Basic ' + Buffer.from(`api:${o.cfg.mailgunApiKey}`).toString('base64');

  async function sendBatch(mail: OutgoingMail, recipients: string[], batch: boolean): Promise<SentBatch> {
    const body = formFor(mail, recipients, batch).toString();
    const res = await withRetry(
      () => o.breaker.run(() => o.http.send({
        upstream: 'mailgun', method: 'POST', url, body, timeoutMs: o.cfg.upstreamTimeoutMs,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      }), failedAttempt),
      { clock: o.clock, policy: o.retry, onRetry: (i) => o.log.warn('retrying Mailgun', { attempt: i.attempt + 1, delayMs: i.delayMs, status: i.status }) },
    );
    if (res.status !== 200) throw upstreamError('Mailgun', res);
    const id = parseId(res);
    return { id, recipients };
  }

  return {
    async send(mail) {
      const batch = mail.to.length > 1;
      const sent: SentBatch[] = [];
      for (let i = 0; i < mail.to.length; i += o.cfg.batchSize) {
        try {
          sent.push(await sendBatch(mail, mail.to.slice(i, i + o.cfg.batchSize), batch));
        } catch (e) {
          // Batches already sent are real mail: name them, so a caller does not resend those recipients.
          if (sent.length && e instanceof ProxyError) throw new ProxyError(e.status, e.code, `${e.message} (after ${sent.length} batch(es) were sent)`, { ...e.details, sent }, e.headers);
          throw e;
        }
      }
      return sent;
    },
    breakerState: () => o.breaker.state,
  };
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

/** `<abc@domain>` and `abc@domain` name the same message (webhooks send the bare form). */
export const bareMessageId = (id: string) => id.trim().replace(/^<|>$/g, '');
