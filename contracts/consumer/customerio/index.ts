/**
 * Gatehouse → Customer.io: exactly what the proxy's upstream client sends (paths, Basic/Bearer auth by shape,
 * the bodies the route handlers build) and the little it relies on in return (status; delivery ids; activities).
 * Wire format: https://docs.customer.io/api/track/ and https://docs.customer.io/api/app/.
 */
import { expect } from 'chai';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { createHttpClient } from '../../../proxy/core/http-client.ts';
import { customerioClient, type CustomerioClient } from '../../../proxy/routes/customerio/client.ts';
import type { CustomerioConfig } from '../../../proxy/routes/customerio/config.ts';
import { PARTICIPANTS } from '../../support/pact-env.ts';
import type { InteractionSpec } from '../interaction.ts';
import { ULID } from '../matchers.ts';
import type { ConsumerPact } from '../suite.ts';
import { CIO_STATES as S } from './states.ts';

type Spec = InteractionSpec<CustomerioClient>;

/** Obviously fake keys: the pact records only the header's shape. */
const FAKE = { siteId: 'fake-site-id', trackApiKey: 'fake-track-api-key', appApiKey: 'fake-app-api-key' };
const basic = () => M.regex('^Basic [A-Za-z0-9+/]+=*$', 'Basic ' + Buffer.from(`${FAKE.siteId}:${FAKE.trackApiKey}`).toString('base64'));
const bearer = () => M.regex('^Bearer \\S+$', `Bearer ${FAKE.appApiKey}`);
const track = { authorization: basic(), accept: 'application/json' };
const app = { authorization: bearer(), accept: 'application/json' };
const ADA = 'ada%40example.com';
const unixTime = () => M.integer(1795425864);

/** A Track call the proxy makes; Customer.io answers 200 and the proxy passes the (empty) JSON through. */
const trackCall = (uponReceiving: string, method: string, path: string, body?: unknown, given: string[] = [S.acceptsKeys, S.adaExists]): Spec => ({
  given, uponReceiving, method, path: `/api/v1/${path}`, headers: track, body, status: 200,
  call: async (c, b) => expect((await c.call('track', method, path, b)).status).to.equal(200),
});

const delivery = { delivery_id: M.like('0xQM3N4_DGPtUVGLKvwv2EukreS4'), queued_at: unixTime() };
const appCall = (given: string[], uponReceiving: string, method: string, path: string, body: unknown, responseBody: unknown, query?: Record<string, string>): Spec => ({
  given, uponReceiving, method, path: `/v1/${path}`, query, headers: app, body, status: 200, responseBody,
  call: async (c, b) => (await c.call('app', method, path, b, query ? new URLSearchParams(query) : undefined)).json(),
});

const interactions: Spec[] = [
  trackCall('a customer event with an idempotency id', 'POST', `customers/${ADA}/events`,
    { name: M.like('item_purchased'), id: M.regex(ULID, '01HZY7Q2V5N0F6P2XKQ4J8T3RS'), data: M.like({ price: 29.99 }) }),
  trackCall('an identify with the verified email', 'PUT', `customers/${ADA}`, { email: 'ada@example.com', plan: M.like('premium') }),
  trackCall('a device update', 'PUT', `customers/${ADA}/devices`,
    { device: { id: M.like('fcm-token-ada-pixel'), platform: M.regex('^(ios|android)$', 'android'), last_used: unixTime() } }),
  trackCall('a device deletion', 'DELETE', `customers/${ADA}/devices/fcm-token-ada-pixel`),
  // Forget me (proxy/routes/customerio/privacy.ts) and the webhook's suppression: no body, Customer.io answers {}.
  trackCall('a suppression of ada', 'POST', `customers/${ADA}/suppress`),
  trackCall('an unsuppression of ada', 'POST', `customers/${ADA}/unsuppress`),
  trackCall('a deletion of ada', 'DELETE', `customers/${ADA}`),
  trackCall('an anonymous event with a hashed anonymous_id', 'POST', 'events',
    { name: M.like('app_opened'), anonymous_id: M.regex('^anon_[0-9a-f]{64}$', `anon_${'ab'.repeat(32)}`), id: M.regex(ULID, '01HZY7Q2V5N0F6P2XKQ4J8T3RS') }, [S.acceptsKeys]),
  trackCall('a push metric', 'POST', 'push/events',
    { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), event: M.regex('^(delivered|opened|converted)$', 'opened'), timestamp: unixTime() }, [S.acceptsKeys]),
  // The app's notification opened/received (proxy/routes/customerio/mobile.ts) names the device it arrived on.
  trackCall('a push metric from the device it arrived on', 'POST', 'push/events',
    { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), event: M.regex('^(delivered|opened)$', 'opened'), device_id: M.like('fcm-token-ada-pixel'), timestamp: unixTime() }, [S.acceptsKeys]),
  trackCall('a universal metric', 'POST', 'metrics',
    { delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), metric: M.like('clicked'), timestamp: unixTime() }, [S.acceptsKeys]),
  appCall([S.acceptsKeys, S.adaExists, S.transactionalMessages], 'a transactional email to ada', 'POST', 'send/email',
    { transactional_message_id: M.integer(1), identifiers: { email: 'ada@example.com' }, to: 'ada@example.com' }, delivery),
  appCall([S.acceptsKeys, S.adaExists, S.transactionalMessages], 'a transactional email to ada with message data', 'POST', 'send/email',
    { transactional_message_id: M.integer(1), identifiers: { email: 'ada@example.com' }, message_data: M.like({ reset_url: 'https://app.example.com/r/1' }), to: 'ada@example.com' }, delivery),
  appCall([S.acceptsKeys, S.adaExists, S.transactionalMessages], 'a transactional push to ada', 'POST', 'send/push',
    { transactional_message_id: M.integer(2), identifiers: { email: 'ada@example.com' } }, delivery),
  appCall([S.acceptsKeys, S.broadcast], 'a broadcast trigger carrying only data', 'POST', 'campaigns/7/triggers', { data: M.like({ headline: 'Hello' }) }, { id: M.integer(1) }),
  appCall([S.acceptsKeys, S.adaExists, S.adaActivity], 'a lookup of ada\'s activities by email', 'GET', `customers/${ADA}/activities`, undefined,
    { activities: M.eachLike({ id: M.like('01M83VH36KNYFHP5SXBNPDQK1P'), type: M.like('attribute_change'), timestamp: unixTime() }) }, { limit: '10', id_type: 'email' }),
  // Failures the proxy maps: refused keys → 502 upstream_auth_failed; a refused request keeps its 4xx and meta.error text.
  { given: [S.refusesKeys], uponReceiving: 'a Track call with keys the workspace refuses', method: 'POST', path: `/api/v1/customers/${ADA}/events`, headers: track,
    body: { name: M.like('item_purchased'), id: M.regex(ULID, '01HZY7Q2V5N0F6P2XKQ4J8T3RS') }, status: 401,
    errorCode: 'upstream_auth_failed', errorStatus: 502, call: (c, b) => c.call('track', 'POST', `customers/${ADA}/events`, b) },
  { given: [S.refusesKeys], uponReceiving: 'an App call with a key the workspace refuses', method: 'POST', path: '/v1/send/email', headers: app,
    body: { transactional_message_id: M.integer(1), identifiers: { email: 'ada@example.com' }, to: 'ada@example.com' }, status: 401,
    errorCode: 'upstream_auth_failed', errorStatus: 502, call: (c, b) => c.call('app', 'POST', 'send/email', b) },
  { given: [S.acceptsKeys, S.adaExists], uponReceiving: 'an activities lookup with a page size of 0', method: 'GET', path: `/v1/customers/${ADA}/activities`,
    query: { limit: '0', id_type: 'email' }, headers: app, status: 400, responseBody: { meta: { error: M.like('limit must be an integer from 1 to 100') } }, errorCode: 'upstream_rejected',
    call: (c) => c.call('app', 'GET', `customers/${ADA}/activities`, undefined, new URLSearchParams({ limit: '0', id_type: 'email' })) },
];

export const customerioPact: ConsumerPact<CustomerioClient> = {
  consumer: PARTICIPANTS.proxy,
  provider: PARTICIPANTS.customerio,
  interactions,
  clientFor: (mock) => customerioClient(fakeConfig(mock.url), createHttpClient()),
};

function fakeConfig(base: string): CustomerioConfig {
  return {
    region: 'US', ...FAKE, anonIdSalt: 'fake-salt', piiSalt: 'unused', signatureMaxSkewSeconds: 300, allowedBroadcastIds: new Set(['7']),
    trackBaseUrl: `${base}/api/v1/`, appBaseUrl: `${base}/v1/`, upstreamTimeoutMs: 5000,
  };
}
