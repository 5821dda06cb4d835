/**
 * The contract suite, in one file so its order is fixed: consumer tests write fresh pacts to a temporary
 * directory, then those are compared with the committed ones, then route coverage, then every provider is verified.
 */
import '../../contracts/support/pact-env.ts';
import { join } from 'node:path';
import { freshPactDir, pactFileName, PARTICIPANTS } from '../../contracts/support/pact-env.ts';
import { describeConsumerPact } from '../../contracts/consumer/suite.ts';
import { mobileAppPact } from '../../contracts/consumer/mobile-app/index.ts';
import { customerioPact } from '../../contracts/consumer/customerio/index.ts';
import { extendPact } from '../../contracts/consumer/extend/index.ts';
import { awsFlows, describeAwsPact } from '../../contracts/consumer/aws/index.ts';
import { verifyFakeCustomerio } from '../../contracts/provider/customerio.ts';
import { verifyFakeExtend } from '../../contracts/provider/extend.ts';
import { verifyAwsEdge } from '../../contracts/provider/aws.ts';
import { mailgunPact } from '../../contracts/consumer/mailgun/index.ts';
import { vaultPact } from '../../contracts/consumer/vault/index.ts';
import { verifyFakeMailgun } from '../../contracts/provider/mailgun.ts';
import { verifyFakeVault } from '../../contracts/provider/vault.ts';
import { captureFakeWebhooks, checkFakeCustomerioWebhooks } from '../../contracts/provider/customerio-webhooks.ts';
import { checkFixtures, type PactInteraction } from '../../scripts/lib/replay/pact-check.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { readFileSync } from 'node:fs';
import { checkCommittedPacts } from '../../contracts/support/drift-check.ts';
import { COMMITTED_PACTS_DIR } from '../../contracts/support/pact-env.ts';
import { functionRoutes, pactRequests, uncoveredRoutes } from '../../contracts/support/route-coverage.ts';
import { expect } from 'chai';
import { verifyGatehouseProxy } from '../../contracts/provider/gatehouse-proxy.ts';
import { expressTarget, lambdaTarget, type Target } from '../../contracts/provider/targets.ts';
import type { Stack } from '../../emulators/stack/index.ts';
import { testStack } from '../helpers/stack.ts';

describe('contracts', function () {
  this.timeout(60_000);
  const generated = freshPactDir();
  const dir = () => generated;
  const mobilePact = () => join(generated, pactFileName(PARTICIPANTS.mobileApp, PARTICIPANTS.proxy));

  describe('consumer pacts', () => {
    describeConsumerPact(mobileAppPact, dir);
    describeConsumerPact(customerioPact, dir);
    describeConsumerPact(extendPact, dir);
    describeAwsPact(awsFlows, dir);
    describeConsumerPact(mailgunPact, dir);
    describeConsumerPact(vaultPact, dir);
  });

  describe('committed pacts', () => {
    it('match the regenerated pacts (a contract change is a reviewed diff)', () => {
      checkCommittedPacts(generated, COMMITTED_PACTS_DIR);
    });
  });

  describe('provider verification: gatehouse-proxy', () => {
    let stack: Stack;
    before(async () => { stack = await testStack(); });
    after(() => stack?.close());

    it('covers every route of every function in proxy/functions with an interaction', async () => {
      const routes = await functionRoutes(stack.proxyEnv);
      expect(routes.length).to.be.greaterThan(0);
      const missing = uncoveredRoutes(routes, pactRequests(mobilePact()));
      expect(missing, `routes without an interaction in the mobile pact (add them in contracts/consumer/mobile-app/):\n  ${missing.join('\n  ')}\n`).to.deep.equal([]);
    });

    it('honours the mobile pact through the gateway in front of the Express proxy', async () => {
      await verifyGatehouseProxy(expressTarget(stack), mobilePact());
    });

    it('honours the mobile pact through the gateway in front of the bundled Lambda (API Gateway v2)', async () => {
      let target: Target | undefined;
      try {
        target = await lambdaTarget(stack);
        await verifyGatehouseProxy(target, mobilePact());
      } finally {
        await target?.close();
      }
    });
  });

  describe('provider verification: upstream fakes', () => {
    it('the fake Customer.io honours the proxy\'s Customer.io pact', async () => {
      await verifyFakeCustomerio(join(generated, pactFileName(PARTICIPANTS.proxy, PARTICIPANTS.customerio)));
    });

    it('the fake Extend honours the proxy\'s Extend pact', async () => {
      await verifyFakeExtend(join(generated, pactFileName(PARTICIPANTS.proxy, PARTICIPANTS.extend)));
    });

    it('the embedded AWS edge honours the proxy\'s AWS pact (each example re-signed with SigV4)', async () => {
      await verifyAwsEdge(join(generated, pactFileName(PARTICIPANTS.proxy, PARTICIPANTS.aws)));
    });

    it('the AWS edge refuses the pact\'s examples as they are (their fake signatures), so the verification is not vacuous', async () => {
      const refused = await verifyAwsEdge(join(generated, pactFileName(PARTICIPANTS.proxy, PARTICIPANTS.aws)), { resign: false }).then(() => '', (e: Error) => e.message);
      expect(refused).to.include('The security token included in the request is invalid.');
    });

    it('the fake Mailgun honours the proxy\'s Mailgun pact', async () => {
      await verifyFakeMailgun(join(generated, pactFileName(PARTICIPANTS.proxy, PARTICIPANTS.mailgun)));
    });

    it('the fake Vault honours the proxy\'s Vault pact', async () => {
      await verifyFakeVault(join(generated, pactFileName(PARTICIPANTS.proxy, PARTICIPANTS.vault)));
    });

    it('the fake Customer.io sends only webhooks the mobile pact\'s /webhooks/customerio interactions allow', async () => {
      const results = await checkFakeCustomerioWebhooks(mobilePact());
      expect(results.map((r) => `${r.fixture.request.body && (r.fixture.request.body as { metric: string }).metric}: ${r.allowedBy ?? r.problems.join('; ')}`)).to.deep.equal([
        'sent: a signed Customer.io email delivery event',
        'delivered: a signed Customer.io email delivery event',
        'bounced: a signed Customer.io email bounce, which suppresses the person',
        'unsubscribed: a signed Customer.io subscription change',
      ]);
    });

    it('that check is not vacuous: a webhook with a field the pact does not know, or unsigned, is not allowed', async () => {
      const [sent] = await captureFakeWebhooks();
      const interactions = (JSON.parse(readFileSync(mobilePact(), 'utf8')).interactions as PactInteraction[]).filter((i) => i.request.path === '/webhooks/customerio');
      const body = sent.request.body as { data: Record<string, unknown> };
      const extra = { ...sent, request: { ...sent.request, body: { ...body, data: { ...body.data, surprise: 1 } } } };
      const { 'x-cio-signature': _s, ...unsigned } = sent.request.headers;
      const bare = { ...sent, request: { ...sent.request, headers: unsigned } };
      for (const r of checkFixtures([extra, bare], interactions, new Redactor())) expect(r.allowedBy, JSON.stringify(r.problems)).to.equal(undefined);
    });
  });
});
