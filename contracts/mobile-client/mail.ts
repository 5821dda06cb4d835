/**
 * Mail through Gatehouse, as the CRM calls it (API Gateway `x-api-key`) and as Mailgun posts its events back.
 * Shapes: proxy/routes/mail/send.ts, proxy/routes/reports/index.ts, proxy/routes/mail/webhooks.ts.
 */
import type { Transport } from './http.ts';
import type { HeaderAnswer } from './packages.ts';

export interface SendMail {
  to: string[];
  subject: string;
  html: string;
  text: string;
  from: string;
  replyTo?: string;
  campaign: { name: string; type: 'financial' | 'newsletter'; month?: string; year?: string };
  attachReporting?: boolean;
  customIds?: string[];
  month?: string;
  year?: string;
}

export interface SentMail {
  message: string;
  messages: { id: string; recipients: number }[];
  links: { customId: string; key: string; url: string; expiresAt: string }[];
  missingReports: { customId: string; period: string }[];
}

export type Engagement = 'opened' | 'clicked' | 'unsubscribed' | 'complained';

export interface MailStatus {
  id: string;
  /** One outcome bucket per recipient (pending + retrying + delivered + failed = recipients); engagement apart. */
  summary: { recipients: number; pending: number; retrying: number; delivered: number; failed: number; engagement: Record<Engagement, number> };
  /** The furthest outcome (`failed` with severity temporary or permanent) and when each engagement first happened. */
  recipients: { recipient: string; status: 'accepted' | 'delivered' | 'failed'; severity?: 'temporary' | 'permanent'; at: string; reason?: string; engagement: Partial<Record<Engagement, string>> }[];
}

export interface ReportListing {
  prefix: string;
  folders: string[];
  files: { key: string; size: number; lastModified: string }[];
  nextContinuationToken?: string;
}

const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age'];

export class MailApi {
  constructor(private readonly t: Transport) {}

  /**
   * One send. Pass the same `idempotencyKey` (a UUID per campaign) to every retry of it: Gatehouse sends once and
   * answers retries with the first answer (HTTP 504/503/409/429: retry with the same key after Retry-After).
   */
  send = (mail: SendMail, idempotencyKey?: string) =>
    this.t.send<SentMail>({ method: 'POST', path: '/send-mail', json: mail, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined });
  status = (messageId: string) => this.t.send<MailStatus>({ method: 'GET', path: `/send-mail/${encodeURIComponent(messageId)}` });
  reports = (prefix?: string, continuationToken?: string) => this.t.send<ReportListing>({ method: 'GET', path: '/reports', query: { prefix, continuationToken } });
  reportUrl = (key: string) => this.t.send<{ key: string; url: string; expiresAt: string }>({ method: 'GET', path: '/reports/url', query: { key } });
  /** A browser page's preflight before it calls a reports route with its API key (seed 002's S3 browser). */
  reportsPreflight = async (path: '/reports' | '/reports/url', origin: string): Promise<HeaderAnswer> => {
    const res = await this.t.raw({ method: 'OPTIONS', path, headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-api-key' } });
    return { status: res.status, headers: Object.fromEntries(CORS_HEADERS.flatMap((n) => (res.headers.get(n) === null ? [] : [[n, res.headers.get(n)!]]))) };
  };
  /** What Mailgun posts for an event (signature + event-data). */
  mailgunEvent = (event: unknown) => this.t.send<{ message: string; stored: boolean }>({ method: 'POST', path: '/webhooks/mailgun', json: event });
}
