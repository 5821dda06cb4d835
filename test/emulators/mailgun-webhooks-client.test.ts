/**
 * mailgun.js's webhooks client against the fake Mailgun, method by method (enumerated from the prototype), with
 * the sample answers of documentation.mailgun.com "Webhooks" and the test call that posts one signed sample event.
 */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { methodCoverage } from '../helpers/client-methods.ts';
import { DOMAIN, type MailgunHarness, rejection, type Receiver, SIGNING_KEY, startMailgunHarness, startReceiver } from '../helpers/mailgun.ts';

describe('mailgun.js webhooks against the fake Mailgun', () => {
  let h: MailgunHarness;
  let receiver: Receiver;
  const coverage = methodCoverage('webhooks', () => Object.getPrototypeOf(h.client.webhooks), ['_parseWebhookList', '_parseWebhookTest', '_parseWebhookWithID']);
  const { method } = coverage;
  const w = () => h.client.webhooks as any;

  before(async () => {
    h = await startMailgunHarness();
    receiver = await startReceiver([200]);
  });
  after(async () => {
    await receiver?.close();
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
    receiver.bodies.length = 0;
  });

  coverage.checkCoverage();

  method('list', () => {
    it('answers {webhooks: {id: {urls}}} parsed to the webhooks object', async () => {
      expect(await w().list(DOMAIN, {})).to.deep.equal({});
      await w().create(DOMAIN, 'opened', 'https://hooks.example.com/opened');
      await w().create(DOMAIN, 'clicked', 'https://hooks.example.com/clicked');
      expect(await w().list(DOMAIN, {})).to.deep.equal({ opened: { urls: ['https://hooks.example.com/opened'] }, clicked: { urls: ['https://hooks.example.com/clicked'] } });
      expect((await rejection(w().list('nowhere.example', {}))).details).to.equal('Domain not found: nowhere.example');
    });
  });

  method('get', () => {
    it('reads one webhook, and 404 for one not set', async () => {
      await w().create(DOMAIN, 'delivered', 'https://hooks.example.com/d');
      expect(await w().get(DOMAIN, 'delivered' as any)).to.deep.include({ id: 'delivered', url: 'https://hooks.example.com/d', urls: ['https://hooks.example.com/d'] });
      const e = await rejection(w().get(DOMAIN, 'opened' as any));
      expect([e.status, e.details]).to.deep.equal([404, 'Webhook not found']);
    });
  });

  method('create', () => {
    it('creates a webhook that then receives signed events', async () => {
      const created = await w().create(DOMAIN, 'delivered', receiver.url);
      expect(created).to.deep.include({ id: 'delivered', urls: [receiver.url] });
      await h.client.messages.create(DOMAIN, { from: 'a@mg.gatehouse.local', to: 'bob@example.com', subject: 's', text: 't' });
      for (let i = 0; i < 100 && receiver.bodies.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const { signature, 'event-data': event } = receiver.bodies[0];
      expect(event).to.include({ event: 'delivered', recipient: 'bob@example.com' });
      expect(signature.signature).to.equal(createHmac('sha256', SIGNING_KEY).update(signature.timestamp + signature.token).digest('hex'));
    });

    it('with test=true posts one signed sample event and answers the endpoint\'s {code, message}', async () => {
      const out = await w().create(DOMAIN, 'permanent_fail', receiver.url, true);
      expect(out).to.deep.equal({ code: 200, message: 'ok' });
      expect(receiver.bodies[0]['event-data']).to.include({ event: 'failed', severity: 'permanent' });
      expect(await w().list(DOMAIN, {})).to.deep.equal({});
      expect((await w().create(DOMAIN, 'opened', 'http://127.0.0.1:9/nothing-listens', true)) as any).to.include({ code: 0 });
    });

    it('refuses a duplicate, an unknown id and a URL that is not one', async () => {
      await w().create(DOMAIN, 'opened', 'https://hooks.example.com/o');
      expect((await rejection(w().create(DOMAIN, 'opened', 'https://hooks.example.com/again'))).details).to.equal('Webhook already exists');
      expect((await rejection(w().create(DOMAIN, 'bounced', 'https://hooks.example.com/b'))).details).to.match(/^Invalid webhook id: bounced/);
      expect((await rejection(w().create(DOMAIN, 'clicked', 'ftp://hooks.example.com/c'))).details).to.equal('Invalid url: ftp://hooks.example.com/c');
    });
  });

  method('update', () => {
    it('replaces the URLs, up to three', async () => {
      await w().create(DOMAIN, 'clicked', 'https://hooks.example.com/c1');
      const urls = ['https://hooks.example.com/c2', 'https://hooks.example.com/c3', 'https://partner.example/c'];
      expect(await w().update(DOMAIN, 'clicked', urls)).to.deep.include({ id: 'clicked', url: urls[0], urls });
      expect((await rejection(w().update(DOMAIN, 'clicked', [...urls, 'https://x.example/4']))).details).to.equal('Maximum of 3 urls for a given webhook type');
      expect((await rejection(w().update(DOMAIN, 'opened', 'https://hooks.example.com/o'))).status).to.equal(404);
    });
  });

  method('destroy', () => {
    it('deletes a webhook and answers its former URLs', async () => {
      await w().create(DOMAIN, 'unsubscribed', 'https://hooks.example.com/u');
      expect(await w().destroy(DOMAIN, 'unsubscribed')).to.deep.include({ id: 'unsubscribed', urls: ['https://hooks.example.com/u'] });
      expect((await rejection(w().destroy(DOMAIN, 'unsubscribed'))).details).to.equal('Webhook not found');
    });
  });
});
