/**
 * A sent message as the fake stores it: the request's parts plus one rendering per recipient, with batch-sending
 * substitutions (`%recipient.key%` from `recipient-variables`) applied (documentation.mailgun.com "Batch Sending").
 */
import { randomBytes } from 'node:crypto';
import { bareEmail } from './addresses.ts';
import type { SendRequest } from './send-request.ts';

export interface Rendering {
  recipient: string;
  /** Which field named the recipient. */
  kind: 'to' | 'cc' | 'bcc';
  subject: string;
  text?: string;
  html?: string;
}

/** The request's parts, with each recipient list reduced to bare addresses, plus what the fake adds. */
export interface StoredMessage extends Omit<SendRequest, 'to' | 'cc' | 'bcc'> {
  /** `<timestamp.random@domain>`, as the API returns it. */
  id: string;
  domain: string;
  storageKey: string;
  createdAt: string;
  to: string[];
  cc: string[];
  bcc: string[];
  renderings: Rendering[];
  /** `o:deliverytime` in epoch ms when the message waits in the scheduled queue; cleared once delivered. */
  deliverAt?: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A message id without its angle brackets, as events carry it in `message.headers.message-id`. */
export const bareMessageId = (id: string): string => id.replace(/^<|>$/g, '');

/** Mailgun's message ids look like `<20150710012507.119589.3986@domain>`: a UTC timestamp, then random parts. */
export function messageId(domain: string, now: Date): string {
  const ts = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `<${ts}.${randomBytes(8).toString('hex')}@${domain}>`;
}

/** Replace `%recipient.key%` with the recipient's variable; unknown keys stay as written. */
export function substitute(template: string | undefined, vars: Record<string, unknown> | undefined): string | undefined {
  if (template === undefined || !vars) return template;
  return template.replace(/%recipient\.([A-Za-z0-9_-]+)%/g, (whole, key: string) => {
    const v = vars[key];
    if (v === undefined || v === null) return whole;
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

function render(req: SendRequest, recipient: string, kind: Rendering['kind']): Rendering {
  const vars = req.recipientVariables?.[recipient];
  return {
    recipient,
    kind,
    subject: substitute(req.subject, vars)!,
    text: substitute(req.text, vars),
    html: substitute(req.html, vars),
  };
}

export function buildMessage(domain: string, req: SendRequest, now: Date): StoredMessage {
  const renderings = [
    ...req.to.map((a) => render(req, a.email, 'to')),
    ...req.cc.map((a) => render(req, a.email, 'cc')),
    ...req.bcc.map((a) => render(req, a.email, 'bcc')),
  ];
  return {
    id: messageId(domain, now),
    domain,
    storageKey: randomBytes(24).toString('base64url'),
    createdAt: now.toISOString(),
    from: req.from,
    to: req.to.map((a) => a.raw),
    cc: req.cc.map((a) => a.raw),
    bcc: req.bcc.map((a) => a.raw),
    subject: req.subject,
    text: req.text,
    html: req.html,
    headers: req.headers,
    variables: req.variables,
    tags: req.tags,
    options: req.options,
    recipientVariables: req.recipientVariables,
    attachments: req.attachments,
    inline: req.inline,
    mime: req.mime,
    renderings,
  };
}

/** Approximate MIME size: the bodies plus attachments, enough for the events' `message.size`. */
export const messageSize = (m: StoredMessage): number =>
  Buffer.byteLength(m.subject) + Buffer.byteLength(m.text ?? '') + Buffer.byteLength(m.html ?? '') + [...m.attachments, ...m.inline].reduce((n, a) => n + a.size, 0);

/** The `To:` header each recipient sees: in batch sends only their own address (documentation: Batch Sending). */
export function toHeaderFor(m: StoredMessage, recipient: string): string {
  if (!m.recipientVariables) return m.to.join(', ');
  return m.to.find((raw) => bareEmail(raw) === recipient) ?? recipient;
}
