/**
 * Track API v1 request bodies → typed values, in the order Customer.io checks them. Messages marked "docs" are
 * copied from docs.customer.io/journeys/invalid-api-requests ("Common Error Messages"); limits come from the
 * Track API "Limits" (customer id 150 bytes, 300 attributes, names 150 bytes, values 1000 bytes, event names
 * 100 bytes, event data 100000 bytes). Where the docs give no wording, the message is ours and says what is wrong.
 */
import { badRequest } from './errors.ts';
import type { Identifiers, NewEvent, NewMetric } from './state.ts';
import type { Attributes, Device, EventType, IdentifierKind, Platform } from './types.ts';

export const LIMITS = {
  identifierBytes: 150,
  attributes: 300,
  attributeNameBytes: 150,
  attributeValueBytes: 1000,
  eventNameBytes: 100,
  eventDataBytes: 100_000,
} as const;

const EVENT_TYPES: readonly EventType[] = ['page', 'screen'];
const PLATFORMS: readonly Platform[] = ['ios', 'android'];
// Track API "Report push metrics" (POST /api/v1/push/events): event enum.
const PUSH_EVENTS = ['opened', 'converted', 'delivered'] as const;
// Track API "Report metrics" (POST /api/v1/metrics): union of the per-channel metric enums.
const METRICS = ['bounced', 'clicked', 'converted', 'deferred', 'delivered', 'dropped', 'opened', 'spammed'] as const;

export function identifier(raw: string): string {
  const id = raw.trim();
  if (!id) throw badRequest('identifier cannot be blank');
  if (bytes(id) > LIMITS.identifierBytes) throw badRequest(`identifier cannot be longer than ${LIMITS.identifierBytes} bytes`);
  return id;
}

export function identifyBody(body: unknown): Attributes {
  const attrs = object(body, 'request body must be a JSON object');
  if ('id' in attrs) {
    if (typeof attrs.id !== 'string' && typeof attrs.id !== 'number') throw badRequest('id attribute must be a string value'); // docs
    if (attrs.id === '') throw badRequest('id attribute cannot be an empty string'); // docs
  }
  const names = Object.keys(attrs);
  if (names.length > LIMITS.attributes) throw badRequest(`cannot identify more than ${LIMITS.attributes} attributes in one request`); // docs
  for (const name of names) {
    if (bytes(name) > LIMITS.attributeNameBytes) throw badRequest(`attribute name cannot be longer than ${LIMITS.attributeNameBytes} bytes`); // docs
    const value = attrs[name];
    if (bytes(typeof value === 'string' ? value : JSON.stringify(value) ?? '') > LIMITS.attributeValueBytes) {
      throw badRequest(`value for attribute '${name}' cannot be longer than ${LIMITS.attributeValueBytes} bytes`); // docs
    }
  }
  if (attrs.created_at !== undefined && !isUnixTime(attrs.created_at)) throw badRequest('created_at must be a unix timestamp');
  return attrs;
}

export function eventBody(body: unknown, opts: { anonymous: boolean }): NewEvent {
  const b = object(body, 'request body must be a JSON object');
  // Customer.io trims leading and trailing spaces from event names (Track API "Track a customer event").
  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (!name) throw badRequest('event name must not be blank'); // docs
  if (bytes(name) > LIMITS.eventNameBytes) throw badRequest(`event name cannot be longer than ${LIMITS.eventNameBytes} bytes`); // docs
  if (b.data !== undefined && b.data !== null && !isObject(b.data)) throw badRequest('event data must be a hash'); // docs
  const data = (b.data ?? {}) as Attributes;
  if (bytes(JSON.stringify(data)) > LIMITS.eventDataBytes) throw badRequest(`event data cannot be longer than ${LIMITS.eventDataBytes} bytes`); // docs
  if (b.timestamp !== undefined && !isUnixTime(b.timestamp)) throw badRequest('timestamp must be a unix timestamp');
  if (b.id !== undefined && (typeof b.id !== 'string' || !b.id)) throw badRequest('event id must be a non-empty string (a ULID)');
  // Any type other than page or screen is recorded as "event" (Track API, `type` field).
  const type: EventType = EVENT_TYPES.includes(b.type as EventType) ? (b.type as EventType) : 'event';
  const anonymousId = opts.anonymous && (typeof b.anonymous_id === 'string' || typeof b.anonymous_id === 'number') ? String(b.anonymous_id) : undefined;
  return { name, type, data, timestamp: b.timestamp as number | undefined, dedupeId: b.id as string | undefined, anonymousId };
}

export function deviceBody(body: unknown): Device {
  const b = object(body, 'request body must be a JSON object');
  const d = object(b.device, 'device must be an object with id and platform');
  if (typeof d.id !== 'string' || !d.id.trim()) throw badRequest('device id must be a non-empty string');
  if (!PLATFORMS.includes(d.platform as Platform)) throw badRequest(`device platform must be one of: ${PLATFORMS.join(', ')}`);
  if (d.last_used !== undefined && !isUnixTime(d.last_used)) throw badRequest('device last_used must be a unix timestamp');
  if (d.attributes !== undefined && !isObject(d.attributes)) throw badRequest('device attributes must be an object');
  return { id: d.id, platform: d.platform as Platform, last_used: d.last_used as number | undefined, attributes: (d.attributes ?? {}) as Attributes };
}

const ID_KINDS: readonly IdentifierKind[] = ['id', 'email', 'cio_id'];

/**
 * merge_customers: `primary` and `secondary` each name a person by exactly one of id, email or cio_id; "You cannot
 * have multiple identifiers (id, email, etc) in the primary or secondary objects" (Track API, 400 response).
 */
export function mergeBody(body: unknown): { primary: Identifiers; secondary: Identifiers } {
  const b = object(body, 'request body must be a JSON object');
  const side = (name: 'primary' | 'secondary'): Identifiers => {
    const o = object(b[name], `${name} is required: an object with one of id, email or cio_id`);
    const keys = Object.keys(o);
    if (keys.length !== 1 || !ID_KINDS.includes(keys[0] as IdentifierKind)) throw badRequest(`${name} must identify a person by exactly one of id, email or cio_id`);
    const kind = keys[0] as IdentifierKind;
    const value = o[kind];
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value).trim() === '') throw badRequest(`${name}.${kind} must be a non-empty string`);
    return { kind, value: identifier(String(value)) };
  };
  return { primary: side('primary'), secondary: side('secondary') };
}

export function pushMetricBody(body: unknown): NewMetric {
  const b = object(body, 'request body must be a JSON object');
  const deliveryId = requiredString(b.delivery_id, 'delivery_id');
  const event = oneOf(b.event, PUSH_EVENTS, 'event');
  if (b.device_id !== undefined && typeof b.device_id !== 'string') throw badRequest('device_id must be a string');
  return { deliveryId, metric: event, source: 'push/events', deviceId: b.device_id as string | undefined, timestamp: time(b.timestamp) };
}

export function metricBody(body: unknown): NewMetric {
  const b = object(body, 'request body must be a JSON object');
  const deliveryId = requiredString(b.delivery_id, 'delivery_id');
  const metric = oneOf(b.metric, METRICS, 'metric');
  const optional = (v: unknown, field: string) => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' && typeof v !== 'number') throw badRequest(`${field} must be a string`);
    return String(v);
  };
  return { deliveryId, metric, source: 'metrics', recipient: optional(b.recipient, 'recipient'), reason: optional(b.reason, 'reason'), href: optional(b.href, 'href'), timestamp: time(b.timestamp) };
}

function time(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (!isUnixTime(v)) throw badRequest('timestamp must be a unix timestamp');
  return v as number;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string): T {
  if (v === undefined || v === '') throw badRequest(`${field} is required`);
  if (!allowed.includes(v as T)) throw badRequest(`${field} must be one of: ${allowed.join(', ')}`);
  return v as T;
}

export function requiredString(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v.trim()) throw badRequest(`${field} is required`);
  return v;
}

export function object(v: unknown, message: string): Record<string, unknown> {
  if (!isObject(v)) throw badRequest(message);
  return v;
}

export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isUnixTime = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
