/**
 * POST /v3/{domain}/messages, parsed and validated into a typed request. The checks run in the order Mailgun
 * applies them and keep its exact wording, as observed in real responses quoted by Mailgun client projects
 * (e.g. "POST /<domain>/messages API Example Responses" notes, mailgun-ruby#87).
 */
import { type Address, bareEmail, parseAddressList } from './addresses.ts';
import { badRequest } from './errors.ts';
import { FAKE_JSON_LIMITS } from '../shared/json-body.ts';
import { parseJsonWithin } from '../../proxy/core/json-limits.ts';
import { type ParsedForm, field, fieldAll } from './form.ts';

export interface Attachment {
  filename: string;
  contentType: string;
  size: number;
  bytes: Buffer;
}

export type RecipientVariables = Record<string, Record<string, unknown>>;

export interface SendRequest {
  from: string;
  to: Address[];
  cc: Address[];
  bcc: Address[];
  subject: string;
  text?: string;
  html?: string;
  /** `h:X-Foo` fields, by header name. */
  headers: Record<string, string>;
  /** `v:foo` fields, by variable name. */
  variables: Record<string, string>;
  tags: string[];
  /** Every `o:` option as sent (`o:tracking` → `tracking`). */
  options: Record<string, string>;
  recipientVariables?: RecipientVariables;
  attachments: Attachment[];
  inline: Attachment[];
  /** The caller's own MIME (messages.mime), kept for the stored message's body-mime. */
  mime?: Buffer;
}

/** Batch sending accepts at most 1,000 recipients per call (documentation.mailgun.com "Batch Sending"). */
export const MAX_RECIPIENTS = 1000;

export function addresses(form: ParsedForm, name: 'to' | 'cc' | 'bcc'): Address[] {
  const parsed = parseAddressList(fieldAll(form, name));
  // Observed: {"message": "'to' parameter is not a valid address. please check documentation"}
  if (!parsed.ok) throw badRequest(`'${name}' parameter is not a valid address. please check documentation`);
  return parsed.addresses;
}

function checkFrom(form: ParsedForm): string {
  const from = field(form, 'from');
  // Observed: {"message": "'from' parameter is missing"} (also for JSON bodies, which Mailgun does not read).
  if (!from) throw badRequest("'from' parameter is missing");
  if (!parseAddressList([from]).ok) throw badRequest("'from' parameter is not a valid address. please check documentation");
  return from;
}

function prefixed(form: ParsedForm, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of form.fields) if (name.startsWith(prefix) && values.length) out[name.slice(prefix.length)] = values[values.length - 1];
  return out;
}

function recipientVariables(form: ParsedForm): RecipientVariables | undefined {
  const raw = field(form, 'recipient-variables');
  if (raw === undefined) return undefined;
  const v = parseJsonWithin(raw, FAKE_JSON_LIMITS);
  const parsed = v.ok ? v.value : undefined;
  // Observed: {"message": "'recipient-variables' parameter is not a valid JSON"}
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest("'recipient-variables' parameter is not a valid JSON");
  const out: RecipientVariables = {};
  for (const [addr, vars] of Object.entries(parsed as Record<string, unknown>)) {
    out[bareEmail(addr)] = vars && typeof vars === 'object' ? (vars as Record<string, unknown>) : {};
  }
  return out;
}

const files = (form: ParsedForm, name: string): Attachment[] =>
  form.files
    .filter((f) => f.field === name)
    .map((f) => ({ filename: f.filename, contentType: f.contentType, size: f.bytes.length, bytes: f.bytes }));

/** The `o:`, `h:` and `v:` parts every send carries, whatever the body (form fields or MIME). */
export function sendOptions(form: ParsedForm): Pick<SendRequest, 'headers' | 'variables' | 'tags' | 'options' | 'recipientVariables'> {
  return {
    headers: prefixed(form, 'h:'),
    variables: prefixed(form, 'v:'),
    tags: fieldAll(form, 'o:tag'),
    options: prefixed(form, 'o:'),
    recipientVariables: recipientVariables(form),
  };
}

export function parseSendRequest(form: ParsedForm): SendRequest {
  const from = checkFrom(form);
  // Observed: {"message": "'to' parameter is missing"}
  if (fieldAll(form, 'to').length === 0) throw badRequest("'to' parameter is missing");
  const to = addresses(form, 'to');
  const cc = addresses(form, 'cc');
  const bcc = addresses(form, 'bcc');
  // Observed (mailgun-ruby#87): "Too many recipients, max is 1000"
  if (to.length + cc.length + bcc.length > MAX_RECIPIENTS) throw badRequest(`Too many recipients, max is ${MAX_RECIPIENTS}`);
  const subject = field(form, 'subject');
  // The OpenAPI spec lists subject as required; we reject its absence the way Mailgun words missing fields.
  if (subject === undefined) throw badRequest("'subject' parameter is missing");
  const text = field(form, 'text');
  const html = field(form, 'html');
  // Observed: {"message": "Need at least one of 'text' or 'html' parameters specified"}
  if (text === undefined && html === undefined) throw badRequest("Need at least one of 'text' or 'html' parameters specified");
  return {
    from,
    to,
    cc,
    bcc,
    subject,
    text,
    html,
    ...sendOptions(form),
    attachments: files(form, 'attachment'),
    inline: files(form, 'inline'),
  };
}
