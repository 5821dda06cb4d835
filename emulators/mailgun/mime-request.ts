/**
 * POST /v3/{domain}/messages.mime (documentation.mailgun.com "Sending", messages.mime): the recipients come from
 * `to` ("Make sure to include all To, Cc and Bcc recipients"), the message from `message`, a MIME document the
 * caller built (a file upload, or a plain field as mailgun.js sends a string). The MIME is read with postal-mime;
 * `o:`, `h:` and `v:` options apply as for a form send. Error texts from the reference's error list.
 */
import PostalMime from 'postal-mime';
import { parseAddressList } from './addresses.ts';
import { badRequest } from './errors.ts';
import { type ParsedForm, field, fieldAll } from './form.ts';
import { type Attachment, MAX_RECIPIENTS, type SendRequest, addresses, sendOptions } from './send-request.ts';

function mimeBytes(form: ParsedForm): Buffer {
  const file = form.files.find((f) => f.field === 'message');
  if (file) return file.bytes;
  const text = field(form, 'message');
  if (text === undefined) throw badRequest("'message' parameter is missing");
  return Buffer.from(text, 'utf8');
}

export async function parseMimeSendRequest(form: ParsedForm): Promise<SendRequest> {
  if (fieldAll(form, 'to').length === 0) throw badRequest("'to' parameter is missing");
  const to = addresses(form, 'to');
  if (to.length > MAX_RECIPIENTS) throw badRequest(`Too many recipients, max is ${MAX_RECIPIENTS}`);
  const raw = mimeBytes(form);
  let email: Awaited<ReturnType<typeof PostalMime.parse>>;
  try {
    email = await PostalMime.parse(raw);
  } catch {
    throw badRequest("'message' parameter is not a valid MIME message");
  }
  const fromHeader = email.headers.find((h) => h.key === 'from')?.value;
  if (!fromHeader) throw badRequest("'from' parameter is missing");
  if (!parseAddressList([fromHeader]).ok) throw badRequest("'from' parameter is not a valid address. please check documentation");
  if (email.text === undefined && email.html === undefined) throw badRequest("Need at least one of 'text' or 'html' parameters specified");
  const parts = (inline: boolean): Attachment[] =>
    email.attachments
      .filter((a) => (a.disposition === 'inline') === inline)
      .map((a) => {
        const bytes = typeof a.content === 'string' ? Buffer.from(a.content) : Buffer.from(a.content as ArrayBuffer);
        return { filename: a.filename ?? 'attachment', contentType: a.mimeType, size: bytes.length, bytes };
      });
  // The line break before a boundary belongs to the boundary (RFC 2046 5.1.1); postal-mime leaves it on the part.
  const body = (s: string | undefined) => s?.replace(/\r?\n$/, '');
  return {
    from: fromHeader,
    to,
    cc: [],
    bcc: [],
    subject: email.subject ?? '',
    text: body(email.text),
    html: body(email.html),
    ...sendOptions(form),
    attachments: parts(false),
    inline: parts(true),
    mime: raw,
  };
}
