/**
 * App API v1 request bodies → typed values. Field names and required fields follow the App API reference
 * (docs.customer.io/integrations/api/app: "Send a transactional email", "Send a transactional push",
 * "Trigger a broadcast"); the docs give no error wording, so messages are ours and name the field.
 */
import { parseFilter } from './audience.ts';
import { badRequest } from './errors.ts';
import type { Identifiers, NewSend } from './state.ts';
import type { Attributes, IdentifierKind, Recipients } from './types.ts';
import { isObject, object, requiredString } from './validate-track.ts';

const ID_KINDS: readonly IdentifierKind[] = ['id', 'email', 'cio_id'];

/** `identifiers` holds exactly one of id, email or cio_id (App API transactional requests). */
export function identifiers(v: unknown): Identifiers {
  const ids = object(v, 'identifiers is required: an object with one of id, email or cio_id');
  const present = ID_KINDS.filter((k) => ids[k] !== undefined && ids[k] !== '');
  if (present.length !== 1) throw badRequest('identifiers must contain exactly one of id, email or cio_id');
  const kind = present[0];
  const value = ids[kind];
  if (typeof value !== 'string' && typeof value !== 'number') throw badRequest(`identifiers.${kind} must be a string`);
  return { kind, value: String(value) };
}

/** Fields every transactional send may carry (App API send requests): their types, when present. */
function commonFields(b: Record<string, unknown>): void {
  if (b.message_data !== undefined && b.message_data !== null && !isObject(b.message_data)) throw badRequest('message_data must be an object');
  if (b.send_at !== undefined && b.send_at !== null && !(Number.isInteger(b.send_at) && (b.send_at as number) >= 0)) throw badRequest('send_at must be a unix timestamp');
  for (const flag of ['disable_message_retention', 'send_to_unsubscribed', 'queue_draft', 'tracked', 'fake_bcc', 'disable_css_preprocessing']) {
    if (b[flag] !== undefined && b[flag] !== null && typeof b[flag] !== 'boolean') throw badRequest(`${flag} must be a boolean`);
  }
}

export function sendEmailBody(body: unknown): NewSend {
  const b = object(body, 'request body must be a JSON object');
  commonFields(b);
  const ids = identifiers(b.identifiers);
  const to = requiredString(b.to, 'to');
  const templateId = messageId(b.transactional_message_id, false);
  // Without a template, the request carries the whole message: body, subject and from are then required.
  if (templateId === undefined) for (const field of ['body', 'subject', 'from']) requiredString(b[field], field);
  if (b.attachments !== undefined && b.attachments !== null) {
    const att = object(b.attachments, 'attachments must be an object of file name → base64 content');
    for (const [name, content] of Object.entries(att)) if (typeof content !== 'string') throw badRequest(`attachment ${name} must be a base64 string`);
  }
  const { attachments, identifiers: _ids, ...rest } = b;
  const message: Attributes = { ...rest, attachments: isObject(attachments) ? Object.keys(attachments) : [] };
  return { type: 'email', identifiers: ids, transactionalMessageId: templateId, to, message };
}

export function sendPushBody(body: unknown): NewSend {
  const b = object(body, 'request body must be a JSON object');
  commonFields(b);
  const ids = identifiers(b.identifiers);
  const templateId = messageId(b.transactional_message_id, true);
  if (b.to !== undefined && b.to !== null && typeof b.to !== 'string') throw badRequest('to must be "all", "last_used" or a device token');
  const { identifiers: _ids, ...message } = b;
  return { type: 'push', identifiers: ids, transactionalMessageId: templateId, to: (b.to as string | null) ?? undefined, message };
}

/** E.164 (`+` and up to 15 digits), or Liquid that renders one from an attribute ("Send a transactional SMS", `to`). */
const PHONE = /^(\+[1-9]\d{1,14}|\{\{.+\}\})$/;

export function sendSmsBody(body: unknown): NewSend {
  const b = object(body, 'request body must be a JSON object');
  commonFields(b);
  const ids = identifiers(b.identifiers);
  const templateId = messageId(b.transactional_message_id, true);
  const to = requiredString(b.to, 'to');
  if (!PHONE.test(to.trim())) throw badRequest('to must be a phone number in E.164 format, like +15551234567, or Liquid');
  const { identifiers: _ids, ...message } = b;
  return { type: 'sms', identifiers: ids, transactionalMessageId: templateId, to: to.trim(), message };
}

/**
 * In-app and inbox messages take their body from the template only: identifiers and a template, no `to`
 * ("Send a transactional in-app message", "Send a transactional inbox message").
 */
export function sendTemplateOnlyBody(type: 'in_app' | 'inbox', body: unknown): NewSend {
  const b = object(body, 'request body must be a JSON object');
  commonFields(b);
  const ids = identifiers(b.identifiers);
  const templateId = messageId(b.transactional_message_id, true);
  const { identifiers: _ids, ...message } = b;
  return { type, identifiers: ids, transactionalMessageId: templateId, message };
}

/** The recipient fields of a broadcast trigger are mutually exclusive (App API "Trigger a broadcast"). */
const RECIPIENT_FIELDS = ['recipients', 'ids', 'emails', 'per_user_data', 'data_file_url'] as const;

export function broadcastBody(body: unknown): { data: Attributes; recipients: Recipients } {
  const b = object(body ?? {}, 'request body must be a JSON object');
  if (b.data !== undefined && b.data !== null && !isObject(b.data)) throw badRequest('data must be an object');
  const given = RECIPIENT_FIELDS.filter((f) => b[f] !== undefined && b[f] !== null);
  if (given.length > 1) throw badRequest(`only one of ${RECIPIENT_FIELDS.join(', ')} may be given`);
  return { data: (b.data ?? {}) as Attributes, recipients: recipientsOf(given[0], b) };
}

function recipientsOf(field: (typeof RECIPIENT_FIELDS)[number] | undefined, b: Record<string, unknown>): Recipients {
  const list = (v: unknown, what: string) => {
    if (!Array.isArray(v) || v.length === 0) throw badRequest(`${what} must be a non-empty array`);
    return v;
  };
  switch (field) {
    case undefined:
      return { kind: 'default' };
    case 'recipients':
      // Checked as an audience filter (and/or/not, segment, attribute) here, so a bad one is 400, not silently no one.
      parseFilter(b.recipients, 'recipients');
      return { kind: 'segment', recipients: object(b.recipients, 'recipients must be an object') };
    case 'ids':
      return { kind: 'ids', ids: list(b.ids, 'ids').map(String) };
    case 'emails':
      return { kind: 'emails', emails: list(b.emails, 'emails').map(String) };
    case 'per_user_data':
      return { kind: 'per_user_data', per_user_data: list(b.per_user_data, 'per_user_data').map((u) => object(u, 'per_user_data entries must be objects')) };
    case 'data_file_url':
      return { kind: 'data_file_url', data_file_url: requiredString(b.data_file_url, 'data_file_url') };
  }
}

function messageId(v: unknown, required: boolean): string | number | undefined {
  if (v === undefined || v === null || v === '') {
    if (required) throw badRequest('transactional_message_id is required');
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw badRequest('transactional_message_id must be a number or a trigger name');
  return v;
}
