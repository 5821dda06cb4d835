/** Track API routes (Basic auth injected): customer events, attributes (identify), devices, anonymous events, metrics. */
import { passThrough } from '../../core/upstream.ts';
import { badRequest } from '../../core/errors.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler, RouteRequest } from '../../core/types.ts';
import { resolveCustomer, hashAnonymousId } from './identity.ts';
import * as S from './schemas.ts';
import { cioOf } from './deps.ts';
import { deriveEventId } from './event-id.ts';

type Event = { name: string; id?: string; data?: Record<string, unknown>; timestamp?: number; anonymous_id?: string };

/**
 * Events carry an idempotency id, derived from the request when the app sent none (event-id.ts), so a retry is
 * stored once. Personal data in `data` (and every other body) is removed at the client boundary
 * (proxy/core/pii-client.ts), not here.
 */
const withEventId = <T extends Event>(req: RouteRequest, who: string, e: T, now: number): T => ({ ...e, id: e.id ?? deriveEventId(req, who, e, now) });
/**
 * One path segment of a Track API call. `.` and `..` are refused: encoding leaves them as they are, and URL
 * resolution (by most servers and proxies on the way, as the outbound client's `new URL` once did) removes them with
 * the segment before — so `DELETE /customers/{me}/devices/..` reached Customer.io as `DELETE /customers/{me}/`,
 * deleting the whole profile behind a device route, without the forget-me route's cleanup or audit.
 */
const seg = (s: string, name = 'identifier') => {
  if (s === '.' || s === '..') throw badRequest(`invalid_${name}`, `${name} must not be "." or ".."`);
  return encodeURIComponent(s);
};

export const customerEvent: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const who = resolveCustomer(req, req.params.identifier, cfg.anonIdSalt);
  const body = withEventId(req, who, validateBody<Event>(S.eventSchema, req.json), deps.clock.now());
  return passThrough(await cio.call('track', 'POST', `customers/${seg(who)}/events`, body));
};

export const customerAttributes: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const who = resolveCustomer(req, req.params.identifier, cfg.anonIdSalt);
  const attrs = validateBody<Record<string, unknown>>(S.attributesSchema, req.json);
  // An authorized user's email attribute is always their verified email.
  if (req.identity) attrs.email = req.identity.email;
  return passThrough(await cio.call('track', 'PUT', `customers/${seg(who)}`, attrs));
};

export const customerDevice: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const who = resolveCustomer(req, req.params.identifier, cfg.anonIdSalt);
  const body = validateBody<{ device: Record<string, unknown> }>(S.deviceSchema, req.json);
  const device = { ...body.device, last_used: body.device.last_used ?? Math.floor(deps.clock.now() / 1000) };
  return passThrough(await cio.call('track', 'PUT', `customers/${seg(who)}/devices`, { device }));
};

export const deleteCustomerDevice: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const who = resolveCustomer(req, req.params.identifier, cfg.anonIdSalt);
  return passThrough(await cio.call('track', 'DELETE', `customers/${seg(who)}/devices/${seg(req.params.deviceId, 'device_id')}`));
};

export const anonymousEvent: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const e = validateBody<Event>(S.anonymousEventSchema, req.json);
  const who = hashAnonymousId(cfg.anonIdSalt, e.anonymous_id!);
  const body = withEventId(req, who, { ...e, anonymous_id: who }, deps.clock.now());
  return passThrough(await cio.call('track', 'POST', 'events', body));
};

export const pushEvent: Handler = async (req, deps) => {
  const { cio } = cioOf(deps);
  const body = validateBody<Record<string, unknown>>(S.pushEventSchema, req.json);
  return passThrough(await cio.call('track', 'POST', 'push/events', { timestamp: Math.floor(deps.clock.now() / 1000), ...body }));
};

export const metric: Handler = async (req, deps) => {
  const { cio } = cioOf(deps);
  const body = validateBody<Record<string, unknown>>(S.metricSchema, req.json);
  return passThrough(await cio.call('track', 'POST', 'metrics', { timestamp: Math.floor(deps.clock.now() / 1000), ...body }));
};
