/**
 * Every Customer.io route through the Lambda adapter, in each event flavour (REST v1, HTTP API v2, Function URL),
 * signed as the gateway signs, against the stack's fake Customer.io — the same handlers the Express tests cover.
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { buildCustomerioApp } from '../../proxy/functions/customerio.ts';
import { createLambdaHandler } from '../../proxy/adapters/lambda/handler.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { FLAVOURS, resultBody, toEvent } from '../helpers/events.ts';
import { gatewaySigner } from '../helpers/signed.ts';
import { admin, testStack } from '../helpers/stack.ts';

const ADA = 'ada@example.com';
interface Case { name: string; method: string; path: string; query?: string; json?: unknown; email?: string; status: number; upstream?: string; code?: string }

const CASES: Case[] = [
  { name: 'customer event', method: 'POST', path: `/customers/${ADA}/events`, json: { name: 'lambda_event' }, email: ADA, status: 200, upstream: '/api/v1/customers/ada%40example.com/events' },
  { name: 'attributes', method: 'PUT', path: `/customers/${ADA}/attributes`, json: { plan: 'x' }, email: ADA, status: 200, upstream: '/api/v1/customers/ada%40example.com' },
  { name: 'device add', method: 'PUT', path: `/customers/${ADA}/devices`, json: { device: { id: 'd1', platform: 'ios' } }, email: ADA, status: 200, upstream: '/api/v1/customers/ada%40example.com/devices' },
  { name: 'device delete', method: 'DELETE', path: `/customers/${ADA}/devices/fcm-token-ada-pixel`, email: ADA, status: 200, upstream: '/api/v1/customers/ada%40example.com/devices/fcm-token-ada-pixel' },
  { name: 'anonymous event', method: 'POST', path: '/events', json: { name: 'anon', anonymous_id: 'dev-1' }, status: 200, upstream: '/api/v1/events' },
  { name: 'push metric', method: 'POST', path: '/push/events', json: { delivery_id: 'd', event: 'opened' }, status: 200, upstream: '/api/v1/push/events' },
  { name: 'universal metric', method: 'POST', path: '/metrics', json: { delivery_id: 'd', metric: 'clicked' }, status: 200, upstream: '/api/v1/metrics' },
  { name: 'send email', method: 'POST', path: '/send/email', json: { transactional_message_id: 1, identifiers: { email: ADA } }, email: ADA, status: 200, upstream: '/v1/send/email' },
  { name: 'send push', method: 'POST', path: '/send/push', json: { transactional_message_id: 2, identifiers: { email: ADA } }, email: ADA, status: 200, upstream: '/v1/send/push' },
  { name: 'broadcast trigger', method: 'POST', path: '/campaigns/7/triggers', json: { data: {} }, email: ADA, status: 200, upstream: '/v1/campaigns/7/triggers' },
  { name: 'activities', method: 'GET', path: `/customers/${ADA}/activities`, query: 'limit=5', email: ADA, status: 200, upstream: '/v1/customers/ada%40example.com/activities' },
  { name: 'mobile device', method: 'POST', path: '/api/v1/cio/device', json: { device: { id: 'fcm-l', platform: 'android' } }, email: ADA, status: 200, upstream: '/api/v1/customers/ada%40example.com/devices' },
  { name: 'notification received', method: 'POST', path: '/api/v1/cio/notification_received', json: { notification_id: 'n1' }, status: 200, upstream: '/api/v1/push/events' },
  { name: 'notification opened', method: 'POST', path: '/api/v1/notification_opened', json: { notification_id: 'n1', fcm_token: 'f' }, status: 200, upstream: '/api/v1/push/events' },
  { name: 'someone else\'s profile', method: 'POST', path: '/customers/grace@example.com/events', json: { name: 'x' }, email: ADA, status: 403, code: 'identity_mismatch' },
  { name: 'invalid body', method: 'POST', path: '/events', json: { name: 1 }, status: 400, code: 'validation_failed' },
];

describe('Customer.io routes through the Lambda adapter', () => {
  let stack: Stack;
  let sign: ReturnType<typeof gatewaySigner>;
  let handler: ReturnType<typeof createLambdaHandler>;

  before(async () => {
    stack = await testStack();
    sign = gatewaySigner(stack.stateDir);
    handler = createLambdaHandler(() => buildCustomerioApp({ env: stack.proxyEnv, log: silentLogger() }));
  });
  after(() => stack?.close());

  for (const flavour of FLAVOURS) {
    describe(`${flavour} events`, () => {
      for (const c of CASES) {
        it(`${c.name}: ${c.method} ${c.path} → ${c.status}`, async () => {
          await admin(stack.urls.customerio, '/journal', { method: 'DELETE' });
          const res = await handler(toEvent(flavour, sign(c)));
          const body = JSON.parse(resultBody(res).toString() || '{}');
          expect(res.statusCode, JSON.stringify(body)).to.equal(c.status);
          const journal = (await admin(stack.urls.customerio, '/journal')).entries as { path: string }[];
          if (c.upstream) expect(journal.map((e) => e.path)).to.deep.equal([c.upstream]);
          else expect(journal).to.have.length(0);
          if (c.code) expect(body.error.code).to.equal(c.code);
        });
      }

      it('refuses an unsigned event with 401 and calls nothing upstream', async () => {
        await admin(stack.urls.customerio, '/journal', { method: 'DELETE' });
        const res = await handler(toEvent(flavour, { method: 'POST', path: '/events', headers: { 'content-type': 'application/json' }, body: '{"name":"x","anonymous_id":"a"}' }));
        expect(res.statusCode).to.equal(401);
        expect(JSON.parse(res.body).error.code).to.equal('signature_missing');
        expect((await admin(stack.urls.customerio, '/journal')).entries).to.have.length(0);
      });

      it('refuses a body changed after signing (digest mismatch)', async () => {
        const req = sign({ method: 'POST', path: '/events', json: { name: 'x', anonymous_id: 'a' } });
        const res = await handler(toEvent(flavour, { ...req, body: '{"name":"y","anonymous_id":"a"}' }));
        expect(res.statusCode).to.equal(401);
        expect(JSON.parse(res.body).error.code).to.equal('digest_mismatch');
      });
    });
  }
});
