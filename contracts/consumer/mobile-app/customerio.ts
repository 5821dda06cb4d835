/**
 * Mobile app → Gatehouse, Customer.io routes: each route's happy path, an auth failure (an expired JWT the gateway
 * refuses, or no sign-in where one is required) and a rejected input, as the app relies on them.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import type { GatehouseClient } from '../../mobile-client/index.ts';
import type { InteractionSpec } from '../interaction.ts';
import { bearerJwt, gatehouseError, gatewayUnauthorized, validationFailed } from '../matchers.ts';
import { ADA, MOBILE_STATES as S } from './states.ts';

type Spec = InteractionSpec<GatehouseClient>;
// On the wire the app percent-encodes the email in the path, as encodeURIComponent does.
const ADA_PATH = `/customers/${encodeURIComponent(ADA)}`;
const jwt = { authorization: bearerJwt() };
// jsonBody() adds Content-Type: application/json to both request and response.
const ok = { status: 200, responseBody: {} };
const expired = (what: string, req: Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>): Spec => ({
  given: [S.expiredToken], uponReceiving: `${what} with an expired token`, ...req, status: 401, responseBody: gatewayUnauthorized(), errorCode: 'gateway_unauthorized',
});
const invalid = (given: string[], what: string, field: string, problem: string, req: Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>): Spec => ({
  given, uponReceiving: `${what} with ${field} that ${problem}`, ...req, status: 400, responseBody: validationFailed(field, problem), errorCode: 'validation_failed',
});
const notSignedIn = (what: string, req: Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>): Spec => ({
  given: [S.anonymous], uponReceiving: `${what} without signing in`, ...req, status: 401,
  responseBody: gatehouseError('login_required', 'this route needs a signed-in user'), errorCode: 'login_required',
});

const event = { name: M.like('item_purchased'), data: M.like({ price: 29.99 }) };
const device = { device: { id: M.like('fcm-token-ada-pixel'), platform: M.regex('^(ios|android)$', 'android') } };
const delivery = { delivery_id: M.like('0xQM3N4_DGPtUVGLKvwv2EukreS4'), queued_at: M.integer(1795425864) };
const emailSend = { transactional_message_id: M.integer(1), identifiers: { email: ADA }, message_data: M.like({ reset_url: 'https://app.example.com/r/1' }) };
const pushSend = { transactional_message_id: M.integer(2), identifiers: { email: ADA } };

const events: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'a signed-in user\'s event', method: 'POST', path: `${ADA_PATH}/events`, headers: jwt, body: event, ...ok,
    call: (c, b) => c.customerio.trackEvent(ADA, b) },
  expired('an event', { method: 'POST', path: `${ADA_PATH}/events`, headers: jwt, body: event, call: (c, b) => c.customerio.trackEvent(ADA, b) }),
  invalid([S.signedIn], 'an event', 'name', 'must be string', { method: 'POST', path: `${ADA_PATH}/events`, headers: jwt, body: { name: 5 },
    call: (c, b) => c.customerio.trackEvent(ADA, b) }),
];

const attributes: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'a signed-in user\'s attributes', method: 'PUT', path: `${ADA_PATH}/attributes`, headers: jwt,
    body: M.like({ first_name: 'Ada', plan: 'premium' }), ...ok, call: (c, b) => c.customerio.setAttributes(ADA, b) },
  expired('attributes', { method: 'PUT', path: `${ADA_PATH}/attributes`, headers: jwt, body: M.like({ plan: 'premium' }),
    call: (c, b) => c.customerio.setAttributes(ADA, b) }),
  invalid([S.signedIn], 'attributes', 'created_at', 'must be >= 0', { method: 'PUT', path: `${ADA_PATH}/attributes`, headers: jwt,
    body: { created_at: -1 }, call: (c, b) => c.customerio.setAttributes(ADA, b) }),
];

const devices: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'a signed-in user\'s device', method: 'PUT', path: `${ADA_PATH}/devices`, headers: jwt, body: device, ...ok,
    call: (c, b) => c.customerio.putDevice(ADA, b.device) },
  expired('a device', { method: 'PUT', path: `${ADA_PATH}/devices`, headers: jwt, body: device, call: (c, b) => c.customerio.putDevice(ADA, b.device) }),
  invalid([S.signedIn], 'a device', 'device/platform', 'must be equal to one of the allowed values', { method: 'PUT', path: `${ADA_PATH}/devices`,
    headers: jwt, body: { device: { id: 'tok', platform: 'windows' } }, call: (c, b) => c.customerio.putDevice(ADA, b.device) }),
  { given: [S.signedIn], uponReceiving: 'a signed-in user deleting their device', method: 'DELETE', path: `${ADA_PATH}/devices/fcm-token-ada-pixel`, headers: jwt, ...ok,
    call: (c) => c.customerio.deleteDevice(ADA, 'fcm-token-ada-pixel') },
  expired('a device deletion', { method: 'DELETE', path: `${ADA_PATH}/devices/fcm-token-ada-pixel`, headers: jwt, call: (c) => c.customerio.deleteDevice(ADA, 'fcm-token-ada-pixel') }),
  // The route has no body; the input it refuses is another person's profile.
  { given: [S.signedIn], uponReceiving: 'a signed-in user deleting someone else\'s device', method: 'DELETE', path: '/customers/grace%40example.com/devices/apns-token-grace-iphone',
    headers: jwt, status: 403, responseBody: gatehouseError('identity_mismatch', 'an authorized user may only access their own profile'),
    errorCode: 'identity_mismatch', call: (c) => c.customerio.deleteDevice('grace@example.com', 'apns-token-grace-iphone') },
];

const anonymous: Spec[] = [
  { given: [S.anonymous], uponReceiving: 'an anonymous event', method: 'POST', path: '/events', 
    body: { name: M.like('app_opened'), anonymous_id: M.like('device-1') }, ...ok, call: (c, b) => c.customerio.trackAnonymousEvent(b) },
  expired('an anonymous event', { method: 'POST', path: '/events', headers: jwt, body: { name: M.like('app_opened'), anonymous_id: M.like('device-1') },
    call: (c, b) => c.customerio.trackAnonymousEvent(b) }),
  invalid([S.anonymous], 'an anonymous event', 'anonymous_id', 'is required', { method: 'POST', path: '/events', body: { name: 'app_opened' },
    call: (c, b) => c.customerio.trackAnonymousEvent(b) }),
  { given: [S.anonymous], uponReceiving: 'a push metric', method: 'POST', path: '/push/events', 
    body: { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), event: M.regex('^(delivered|opened|converted)$', 'opened') }, ...ok, call: (c, b) => c.customerio.reportPushEvent(b) },
  expired('a push metric', { method: 'POST', path: '/push/events', headers: jwt, body: { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), event: 'opened' },
    call: (c, b) => c.customerio.reportPushEvent(b) }),
  invalid([S.anonymous], 'a push metric', 'event', 'must be equal to one of the allowed values', { method: 'POST', path: '/push/events', 
    body: { delivery_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', event: 'bogus' }, call: (c, b) => c.customerio.reportPushEvent(b) }),
  { given: [S.anonymous], uponReceiving: 'a message metric', method: 'POST', path: '/metrics', 
    body: { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), metric: M.regex('^(bounced|clicked|converted|deferred|delivered|dropped|opened|spammed)$', 'clicked') }, ...ok,
    call: (c, b) => c.customerio.reportMetric(b) },
  expired('a message metric', { method: 'POST', path: '/metrics', headers: jwt, body: { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), metric: 'clicked' },
    call: (c, b) => c.customerio.reportMetric(b) }),
  invalid([S.anonymous], 'a message metric', 'metric', 'must be equal to one of the allowed values', { method: 'POST', path: '/metrics', 
    body: { delivery_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', metric: 'bogus' }, call: (c, b) => c.customerio.reportMetric(b) }),
];

const messaging: Spec[] = [
  { given: [S.signedIn, S.transactionalMessages], uponReceiving: 'a transactional email to oneself', method: 'POST', path: '/send/email', headers: jwt,
    body: emailSend, status: 200, responseBody: delivery, call: (c, b) => c.customerio.sendEmail(b) },
  notSignedIn('a transactional email', { method: 'POST', path: '/send/email', body: emailSend, call: (c, b) => c.customerio.sendEmail(b) }),
  invalid([S.signedIn], 'a transactional email', 'identifiers', 'is required', { method: 'POST', path: '/send/email', headers: jwt,
    body: { transactional_message_id: 1 }, call: (c, b) => c.customerio.sendEmail(b) }),
  { given: [S.signedIn, S.transactionalMessages], uponReceiving: 'a transactional push to oneself', method: 'POST', path: '/send/push', headers: jwt,
    body: pushSend, status: 200, responseBody: delivery, call: (c, b) => c.customerio.sendPush(b) },
  notSignedIn('a transactional push', { method: 'POST', path: '/send/push', body: pushSend, call: (c, b) => c.customerio.sendPush(b) }),
  invalid([S.signedIn], 'a transactional push', 'identifiers', 'is required', { method: 'POST', path: '/send/push', headers: jwt,
    body: { transactional_message_id: 2 }, call: (c, b) => c.customerio.sendPush(b) }),
  { given: [S.signedIn, S.broadcastAllowed], uponReceiving: 'a broadcast trigger', method: 'POST', path: '/campaigns/7/triggers', headers: jwt,
    body: { data: M.like({ headline: 'Hello' }) }, status: 200, responseBody: { id: M.integer(1) },
    call: (c, b) => c.customerio.triggerBroadcast(7, b.data) },
  notSignedIn('a broadcast trigger', { method: 'POST', path: '/campaigns/7/triggers', body: { data: { headline: 'Hello' } },
    call: (c, b) => c.customerio.triggerBroadcast(7, b.data) }),
  invalid([S.signedIn, S.broadcastAllowed], 'a broadcast trigger', 'data', 'must be object', { method: 'POST', path: '/campaigns/7/triggers', headers: jwt,
    body: { data: 'Hello' }, call: (c, b) => c.customerio.triggerBroadcast(7, b.data) }),
];

const activities: Spec[] = [
  { given: [S.signedIn, S.hasActivity], uponReceiving: 'a request for one\'s activities', method: 'GET', path: `${ADA_PATH}/activities`, query: { limit: '10' }, headers: jwt,
    status: 200,
    responseBody: { activities: M.eachLike({ id: M.like('01M83VH36KNYFHP5SXBNPDQK1P'), type: M.like('event'), timestamp: M.integer(1795425864) }) },
    call: (c) => c.customerio.activities(ADA, { limit: 10 }).then((page) => ({ activities: page.activities.map(({ id, type, timestamp }) => ({ id, type, timestamp })) })) },
  expired('a request for activities', { method: 'GET', path: `${ADA_PATH}/activities`, query: { limit: '10' }, headers: jwt, call: (c) => c.customerio.activities(ADA, { limit: 10 }) }),
  // No body: the input refused is Customer.io's page size, passed on as its 400.
  { given: [S.signedIn], uponReceiving: 'a request for activities with a page size of 0', method: 'GET', path: `${ADA_PATH}/activities`, query: { limit: '0' }, headers: jwt,
    status: 400, responseBody: gatehouseError('upstream_rejected', 'Customer.io App API rejected the request: limit must be an integer from 1 to 100'),
    errorCode: 'upstream_rejected', call: (c) => c.customerio.activities(ADA, { limit: 0 }) },
];

const mobileEndpoints: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'the app registering its push device', method: 'POST', path: '/api/v1/cio/device', headers: jwt, body: device, ...ok,
    call: (c, b) => c.customerio.registerDevice(b.device) },
  expired('the app registering its push device', { method: 'POST', path: '/api/v1/cio/device', headers: jwt, body: device, call: (c, b) => c.customerio.registerDevice(b.device) }),
  invalid([S.signedIn], 'the app registering its push device', 'device/platform', 'must be equal to one of the allowed values', { method: 'POST', path: '/api/v1/cio/device',
    headers: jwt, body: { device: { id: 'tok', platform: 'windows' } }, call: (c, b) => c.customerio.registerDevice(b.device) }),
  { given: [S.anonymous], uponReceiving: 'a notification received', method: 'POST', path: '/api/v1/cio/notification_received', 
    body: { notification_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY') }, ...ok, call: (c, b) => c.customerio.notificationReceived(b) },
  expired('a notification received', { method: 'POST', path: '/api/v1/cio/notification_received', headers: jwt, body: { notification_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY') },
    call: (c, b) => c.customerio.notificationReceived(b) }),
  invalid([S.anonymous], 'a notification received', 'notification_id', 'is required', { method: 'POST', path: '/api/v1/cio/notification_received', 
    body: { fcm_token: 'fcm-token-ada-pixel' }, call: (c, b) => c.customerio.notificationReceived(b) }),
  { given: [S.anonymous], uponReceiving: 'a notification opened', method: 'POST', path: '/api/v1/notification_opened', 
    body: { notification_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), fcm_token: M.like('fcm-token-ada-pixel') }, ...ok, call: (c, b) => c.customerio.notificationOpened(b) },
  expired('a notification opened', { method: 'POST', path: '/api/v1/notification_opened', headers: jwt,
    body: { notification_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY') }, call: (c, b) => c.customerio.notificationOpened(b) }),
  invalid([S.anonymous], 'a notification opened', 'fcm_token', 'must NOT have fewer than 1 characters', { method: 'POST', path: '/api/v1/notification_opened', 
    body: { notification_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', fcm_token: '' }, call: (c, b) => c.customerio.notificationOpened(b) }),
];

export const customerioInteractions: Spec[] = [...events, ...attributes, ...devices, ...anonymous, ...messaging, ...activities, ...mobileEndpoints];
