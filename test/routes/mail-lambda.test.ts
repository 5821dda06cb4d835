/**
 * The mail function's routes through the Lambda adapter in each event flavour (REST v1, HTTP API v2, Function
 * URL), signed as the gateway signs, against the stack's fakes — the same handlers the HTTP tests cover.
 */
import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import type { Stack } from '../../emulators/stack/index.ts';
import { createLambdaHandler } from '../../proxy/adapters/lambda/handler.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { FLAVOURS, resultBody, toEvent } from '../helpers/events.ts';
import { gatewaySigner } from '../helpers/signed.ts';
import { admin, testStack } from '../helpers/stack.ts';

const SIGNING_KEY = 'whsec-gatehouse-local-signing-key-0000';
const mail = { to: ['ada@example.com'], subject: 's', html: '<p>h</p>', text: 't', from: 'reports@mg.gatehouse.local', campaign: { name: 'lambda', type: 'financial' } };

function webhook(messageId: string) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const token = randomBytes(25).toString('hex');
  return {
    signature: { timestamp, token, signature: createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex') },
    // Permanent: it outranks the "delivered" the fake Mailgun posts on its own, whichever arrives first.
    'event-data': { event: 'failed', severity: 'permanent', reason: 'bounce', timestamp: Date.now() / 1000 + 5, recipient: 'ada@example.com', message: { headers: { 'message-id': messageId } } },
  };
}

describe('mail routes through the Lambda adapter', function () {
  this.timeout(20_000);
  let stack: Stack;
  let sign: ReturnType<typeof gatewaySigner>;
  let handler: ReturnType<typeof createLambdaHandler>;

  before(async () => {
    stack = await testStack();
    sign = gatewaySigner(stack.stateDir);
    handler = createLambdaHandler(() => buildMailApp({ env: stack.proxyEnv, log: silentLogger() }));
  });
  after(() => stack?.close());

  for (const flavour of FLAVOURS) {
    describe(`${flavour} events`, () => {
      const invoke = async (r: { method: string; path: string; query?: string; json?: unknown }) => {
        const res = await handler(toEvent(flavour, sign(r)));
        return { status: res.statusCode, body: JSON.parse(resultBody(res).toString() || '{}') };
      };

      it('sends a campaign with report links and names the missing one', async () => {
        const res = await invoke({ method: 'POST', path: '/send-mail', json: { ...mail, attachReporting: true, customIds: ['DN-1002', 'DN-9999'], month: '07', year: '2025' } });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body.links).to.have.length(1);
        expect(res.body.missingReports).to.deep.equal([{ customId: 'DN-9999', period: '2025-07' }]);
        const captured = await admin(stack.urls.mailgun, `/messages/${encodeURIComponent(res.body.messages[0].id)}`);
        expect(captured.text).to.include(res.body.links[0].url);
      });

      it('answers 400 naming the bad field', async () => {
        const res = await invoke({ method: 'POST', path: '/send-mail', json: { ...mail, to: ['nope'] } });
        expect(res.status).to.equal(400);
        expect(res.body.error.details.problems[0].field).to.equal('to.0');
      });

      it('stores a signed webhook and reports it in GET /send-mail/{id}', async () => {
        const sent = await invoke({ method: 'POST', path: '/send-mail', json: mail });
        const id = sent.body.messages[0].id as string;
        const hook = await invoke({ method: 'POST', path: '/webhooks/mailgun', json: webhook(id.slice(1, -1)) });
        expect(hook.status, JSON.stringify(hook.body)).to.equal(200);
        const status = await invoke({ method: 'GET', path: `/send-mail/${encodeURIComponent(id)}` });
        expect(status.status).to.equal(200);
        expect(status.body.recipients[0]).to.include({ recipient: 'ada@example.com', status: 'failed', severity: 'permanent' });
      });

      it('refuses a forged webhook with 406', async () => {
        const body = webhook('x@mg.gatehouse.local');
        body.signature.signature = '0'.repeat(64);
        const res = await invoke({ method: 'POST', path: '/webhooks/mailgun', json: body });
        expect(res.status).to.equal(406);
      });

      it('lists reports and presigns one', async () => {
        const list = await invoke({ method: 'GET', path: '/reports', query: 'prefix=DN-1001%2F2025%2F06%2F' });
        expect(list.status).to.equal(200);
        expect(list.body.files.map((f: { key: string }) => f.key)).to.deep.equal(['reports/DN-1001/2025/06/royalty-statement.pdf']);
        const url = await invoke({ method: 'GET', path: '/reports/url', query: 'key=reports%2FDN-1001%2F2025%2F06%2Froyalty-statement.pdf' });
        expect(url.status).to.equal(200);
        expect((await fetch(url.body.url)).status).to.equal(200);
        const bad = await invoke({ method: 'GET', path: '/reports/url', query: 'key=reports%2F..%2Fx.pdf' });
        expect(bad.status).to.equal(400);
      });
    });
  }
});
