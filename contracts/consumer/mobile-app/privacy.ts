/**
 * Mobile app → Gatehouse "forget me" routes (suppress, unsuppress, delete one's own profile), and Customer.io →
 * Gatehouse reporting webhooks: happy paths, refusals (expired token, someone else's profile, no sign-in; a forged
 * or stale webhook signature). Codes: proxy/routes/customerio/privacy.ts, proxy/auth/customerio-webhook.ts.
 *
 * Webhook bodies are the shapes the fake Customer.io sends (emulators/customerio/reporting.ts, from the Reporting
 * Webhooks reference): test/contracts checks the fake's real webhooks against these interactions. The signature is
 * over the exact bytes the provider receives, which only exist at verification time: the example's all-zero
 * signature is replaced there by a real one (contracts/provider/gatehouse-proxy.ts), with the fresh timestamp the
 * provider state supplies; the forged example ('f'…) and the old timestamp are left as they are.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import type { GatehouseClient } from '../../mobile-client/index.ts';
import type { InteractionSpec } from '../interaction.ts';
import { bearerJwt, gatehouseError, gatewayUnauthorized, ULID } from '../matchers.ts';
import { ADA, MOBILE_STATES as S } from './states.ts';

type Spec = InteractionSpec<GatehouseClient>;
type Req = Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>;

const ADA_PATH = `/customers/${encodeURIComponent(ADA)}`;
const GRACE_PATH = `/customers/${encodeURIComponent('grace@example.com')}`;
const jwt = { authorization: bearerJwt() };

const expired = (what: string, req: Req): Spec => ({
  given: [S.expiredToken], uponReceiving: `${what} with an expired token`, ...req, headers: jwt, status: 401, responseBody: gatewayUnauthorized(), errorCode: 'gateway_unauthorized',
});
const someoneElse = (what: string, req: Req): Spec => ({
  given: [S.signedIn], uponReceiving: `${what} of someone else's profile`, ...req, headers: jwt, status: 403,
  responseBody: gatehouseError('identity_mismatch', 'an authorized user may only access their own profile'), errorCode: 'identity_mismatch',
});
const notSignedIn = (what: string, req: Req): Spec => ({
  given: [S.anonymous], uponReceiving: `${what} without signing in`, ...req, status: 401,
  responseBody: gatehouseError('login_required', 'only a signed-in user can ask for their own data to be suppressed or deleted'), errorCode: 'login_required',
});

const forgetMe: Spec[] = [
  { given: [S.signedIn], uponReceiving: 'a signed-in user suppressing themself', method: 'POST', path: `${ADA_PATH}/suppress`, headers: jwt,
    status: 200, responseBody: { customer: ADA, suppressed: true }, call: (c) => c.customerio.suppress(ADA) },
  expired('a suppression', { method: 'POST', path: `${ADA_PATH}/suppress`, call: (c) => c.customerio.suppress(ADA) }),
  someoneElse('a suppression', { method: 'POST', path: `${GRACE_PATH}/suppress`, call: (c) => c.customerio.suppress('grace@example.com') }),
  { given: [S.signedIn], uponReceiving: 'a signed-in user unsuppressing themself', method: 'POST', path: `${ADA_PATH}/unsuppress`, headers: jwt,
    status: 200, responseBody: { customer: ADA, suppressed: false }, call: (c) => c.customerio.unsuppress(ADA) },
  notSignedIn('an unsuppression', { method: 'POST', path: `${ADA_PATH}/unsuppress`, call: (c) => c.customerio.unsuppress(ADA) }),
  { given: [S.signedIn], uponReceiving: 'a signed-in user asking to be forgotten', method: 'DELETE', path: ADA_PATH, headers: jwt, status: 200,
    responseBody: {
      customer: ADA, deleted: true,
      removed: {
        customerio: M.like('profile, attributes, devices, events and activity (Track API DELETE)'),
        dynamodb: { 'gatehouse-extend-tokens': M.integer(0), 'gatehouse-api-tokens': M.integer(0), 'gatehouse-mail-deliveries': M.integer(0), 'gatehouse-customerio-webhook-events': M.integer(0) },
      },
      retained: M.like('Customer.io keeps delivery metrics in campaign reports'),
    },
    call: (c) => c.customerio.forget(ADA) },
  expired('a request to be forgotten', { method: 'DELETE', path: ADA_PATH, call: (c) => c.customerio.forget(ADA) }),
  someoneElse('a request to forget', { method: 'DELETE', path: GRACE_PATH, call: (c) => c.customerio.forget('grace@example.com') }),
];

/** The example signature the verifier replaces with a real one; any other value is sent as it is. */
export const SIGN_ME = '0'.repeat(64);
const signed = (timestamp: unknown = M.fromProviderState('${timestamp}', '1754049600'), signature: unknown = M.regex('^[0-9a-f]{64}$', SIGN_ME)) =>
  ({ 'x-cio-timestamp': timestamp, 'x-cio-signature': signature }) as Record<string, string>;
const sig = { timestamp: '1754049600', signature: SIGN_ME };

const person = { customer_id: M.like('user-ada'), identifiers: { id: M.like('user-ada'), email: M.like(ADA), cio_id: M.like('a3000001') } };
const message = { ...person, delivery_id: M.like('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), transactional_message_id: M.integer(1), recipient: M.like(ADA) };
const envelope = (objectType: string, metric: unknown, data: unknown) =>
  ({ event_id: M.regex(ULID, '01E4C4CT6YDC7Y5M7FE1GWWPQJ'), object_type: objectType, metric, timestamp: M.integer(1754049600), data });
const deliveryEvent = envelope('email', M.regex('^(sent|delivered|opened|converted)$', 'delivered'), message);
const bounceEvent = envelope('email', M.regex('^(bounced|spammed|dropped|failed)$', 'bounced'), { ...message, failure_message: M.like('550 5.1.1 mailbox unavailable') });
const subscriptionEvent = envelope('customer', M.regex('^(subscribed|unsubscribed)$', 'unsubscribed'), { ...person, email_address: M.like(ADA) });
const received = (suppressed: unknown) => ({ received: true, stored: M.boolean(true), suppressed });

const webhooks: Spec[] = [
  { given: [S.customerioSigns], uponReceiving: 'a signed Customer.io email delivery event', method: 'POST', path: '/webhooks/customerio', headers: signed(),
    body: deliveryEvent, status: 200, responseBody: received(false), call: (c, b) => c.customerio.reportingWebhook(b, sig) },
  { given: [S.customerioSigns], uponReceiving: 'a signed Customer.io email bounce, which suppresses the person', method: 'POST', path: '/webhooks/customerio', headers: signed(),
    body: bounceEvent, status: 200, responseBody: received(M.boolean(true)), call: (c, b) => c.customerio.reportingWebhook(b, sig) },
  { given: [S.customerioSigns], uponReceiving: 'a signed Customer.io subscription change', method: 'POST', path: '/webhooks/customerio', headers: signed(),
    body: subscriptionEvent, status: 200, responseBody: received(M.boolean(true)), call: (c, b) => c.customerio.reportingWebhook(b, sig) },
  { given: [S.customerioSigns], uponReceiving: 'a Customer.io event with a forged signature', method: 'POST', path: '/webhooks/customerio', headers: signed(undefined, 'f'.repeat(64)),
    body: deliveryEvent, status: 401, responseBody: gatehouseError('webhook_bad_signature', 'the webhook signature does not verify'), errorCode: 'webhook_bad_signature',
    call: (c, b) => c.customerio.reportingWebhook(b, { ...sig, signature: 'f'.repeat(64) }) },
  { given: [S.customerioSigns], uponReceiving: 'a Customer.io event signed long ago', method: 'POST', path: '/webhooks/customerio', headers: signed('1000000000'),
    body: deliveryEvent, status: 401, responseBody: gatehouseError('webhook_stale', 'the webhook timestamp is more than 300 s away from now'), errorCode: 'webhook_stale',
    call: (c, b) => c.customerio.reportingWebhook(b, { ...sig, timestamp: '1000000000' }) },
];

export const privacyInteractions: Spec[] = [...forgetMe, ...webhooks];
