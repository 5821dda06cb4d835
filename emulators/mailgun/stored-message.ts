/**
 * A sent message as the storage API shows it (documentation.mailgun.com "Sending", Retrieving Stored Messages):
 * JSON with the parsed parts, attachment links and the MIME headers by default, or `body-mime` when the client
 * asks for `Accept: message/rfc2822`. Header fields at the top level (From, Subject, To, Message-Id …) follow the
 * response mailgun.js types as StoredEmailResponse.
 */
import { randomBytes } from 'node:crypto';
import { bareEmail } from './addresses.ts';
import type { StoredMessage } from './messages.ts';

/** "body-plain … is always present. If the incoming message only has HTML body, Mailgun will create a text representation." */
const textOf = (m: StoredMessage): string => m.text ?? (m.html ?? '').replace(/<(br|\/p|\/div)\s*\/?>/gi, '\n').replace(/<[^>]*>/g, '').replace(/\n{3,}/g, '\n\n').trim();

function mimeHeaders(m: StoredMessage, boundary: string): [string, string][] {
  return [
    ['Mime-Version', '1.0'],
    ['Content-Type', `multipart/mixed; boundary="${boundary}"`],
    ['Subject', m.subject],
    ['From', m.from],
    ['To', m.to.join(', ')],
    ...(m.cc.length ? ([['Cc', m.cc.join(', ')]] as [string, string][]) : []),
    ['Message-Id', m.id],
    ...(m.tags.length ? ([['X-Mailgun-Tag', m.tags.join(', ')]] as [string, string][]) : []),
    ...Object.entries(m.headers),
  ];
}

export function storedJson(m: StoredMessage, attachmentUrl: (index: number) => string) {
  // The boundary is part of the stored MIME; derive it from the storage key so repeated reads agree.
  const boundary = `mg-${m.storageKey.slice(0, 24)}`;
  const headers = mimeHeaders(m, boundary);
  const top = Object.fromEntries(headers.filter(([k]) => ['Mime-Version', 'Content-Type', 'Subject', 'From', 'To', 'Message-Id', 'X-Mailgun-Tag'].includes(k)));
  const plain = textOf(m);
  return {
    ...top,
    recipients: m.renderings.map((r) => r.recipient).join(', '),
    sender: bareEmail(m.from),
    from: m.from,
    subject: m.subject,
    'body-plain': plain,
    'stripped-text': plain,
    'stripped-signature': '',
    'body-html': m.html ?? '',
    'stripped-html': m.html ?? '',
    attachments: m.attachments.map((a, i) => ({ name: a.filename, 'content-type': a.contentType, size: a.size, url: attachmentUrl(i) })),
    'content-id-map': {},
    'message-headers': headers,
  };
}

/** `Accept: message/rfc2822`: the recipients, sender, from, subject and the whole MIME document. */
export function storedMime(m: StoredMessage) {
  return { recipients: m.renderings.map((r) => r.recipient).join(', '), sender: bareEmail(m.from), from: m.from, subject: m.subject, 'body-mime': m.mime?.toString('utf8') ?? buildMime(m) };
}

/** A MIME document for a message sent as form fields: text and HTML as alternatives, then the attachments (base64). */
function buildMime(m: StoredMessage): string {
  const outer = `mg-${m.storageKey.slice(0, 24)}`;
  const inner = `mg-alt-${randomBytes(8).toString('hex')}`;
  const b64 = (buf: Buffer) => buf.toString('base64').replace(/.{76}/g, '$&\r\n');
  const lines: string[] = mimeHeaders(m, outer).map(([k, v]) => `${k}: ${v}`);
  lines.push('', `--${outer}`, `Content-Type: multipart/alternative; boundary="${inner}"`, '');
  if (m.text !== undefined) lines.push(`--${inner}`, 'Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: base64', '', b64(Buffer.from(m.text)));
  if (m.html !== undefined) lines.push(`--${inner}`, 'Content-Type: text/html; charset="utf-8"', 'Content-Transfer-Encoding: base64', '', b64(Buffer.from(m.html)));
  lines.push(`--${inner}--`);
  for (const a of [...m.attachments, ...m.inline]) {
    lines.push(`--${outer}`, `Content-Type: ${a.contentType || 'application/octet-stream'}`, `Content-Disposition: attachment; filename="${a.filename.replace(/"/g, '')}"`, 'Content-Transfer-Encoding: base64', '', b64(a.bytes));
  }
  lines.push(`--${outer}--`, '');
  return lines.join('\r\n');
}
