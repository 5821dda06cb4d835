/**
 * mailgun.js's events client against the fake Mailgun (its one public method, enumerated from the prototype):
 * paging through the client's page links, the time range and its direction, and the Events API's filter fields
 * and expressions (documentation.mailgun.com "Events": Filter Field, Filter Expression).
 */
import { expect } from 'chai';
import { methodCoverage } from '../helpers/client-methods.ts';
import { DOMAIN, FROM, type Json, type MailgunHarness, quiet, rejection, startMailgunHarness } from '../helpers/mailgun.ts';

describe('mailgun.js events against the fake Mailgun', () => {
  let h: MailgunHarness;
  const coverage = methodCoverage('events', () => Object.getPrototypeOf(h.client.events), ['parseList', 'parsePage', 'parsePageLinks', 'requestListWithPages', 'updateUrlAndQuery']);
  const { method } = coverage;

  before(async () => {
    h = await startMailgunHarness();
  });
  after(() => h?.close());
  beforeEach(() => h.reset());

  const send = (extra: Json = {}) => h.client.messages.create(DOMAIN, { from: FROM, to: ['alice@example.com'], subject: 'Hello', text: 'Hi there', ...extra } as any);
  const get = (query: Json) => quiet(() => h.client.events.get(DOMAIN, query as any));
  const recipients = (page: { items: Json[] }) => page.items.map((e) => e.recipient);

  coverage.checkCoverage();

  method('get', () => {
    it('pages through accepted events with the client\'s next and previous links, an empty page at the end', async () => {
      for (const to of ['a@example.com', 'b@example.com', 'c@example.com']) await send({ to });
      const first = await get({ event: 'accepted', ascending: 'yes', limit: 2 });
      expect(first.status).to.equal(200);
      expect(recipients(first)).to.deep.equal(['a@example.com', 'b@example.com']);
      expect(Object.keys(first.pages).sort()).to.deep.equal(['first', 'last', 'next', 'previous']);
      const second = await get({ page: first.pages.next.page });
      expect(recipients(second)).to.deep.equal(['c@example.com']);
      expect((await get({ page: second.pages.next.page })).items).to.deep.equal([]);
      expect(recipients(await get({ page: second.pages.previous.page }))).to.deep.equal(['a@example.com', 'b@example.com']);
      expect(recipients(await get({ page: first.pages.last.page }))).to.deep.equal(['b@example.com', 'c@example.com']);
    });

    it('answers the documented event structure, newest first by default', async () => {
      const res = await send({ 'o:tag': 'july', 'v:campaign': 'payouts' });
      const { items } = await get({});
      expect(items.map((e) => e.event)).to.deep.equal(['delivered', 'accepted']);
      const [delivered] = items;
      expect(delivered).to.include({ event: 'delivered', recipient: 'alice@example.com', 'log-level': 'info' });
      expect(delivered.id).to.be.a('string');
      expect(delivered.timestamp).to.be.a('number');
      expect(delivered.message.headers).to.include({ 'message-id': res.id!.slice(1, -1), subject: 'Hello', from: FROM });
      expect(delivered.tags).to.deep.equal(['july']);
      expect(delivered['user-variables']).to.deep.equal({ campaign: 'payouts' });
      expect(delivered['delivery-status']).to.include({ code: 250 });
    });

    it('filters by the documented fields and expressions', async () => {
      await send({ to: 'alice@example.com', subject: 'July statement', 'o:tag': 'financial' });
      await send({ to: 'bob@example.com', subject: 'Newsletter', attachment: [{ filename: 'report.pdf', data: Buffer.alloc(200, 1) }] });
      await send({ to: 'bounced@example.com', subject: 'July reminder' });
      const events = async (q: Json) => (await get({ ascending: 'yes', ...q })).items.map((e) => `${e.event}:${e.recipient}`);
      expect(await events({ event: 'failed' })).to.deep.equal(['failed:bounced@example.com']);
      expect(await events({ event: 'failed OR delivered', recipient: 'NOT bob@example.com' })).to.deep.equal(['delivered:alice@example.com', 'failed:bounced@example.com']);
      expect(await events({ event: 'accepted', subject: 'July' })).to.deep.equal(['accepted:alice@example.com', 'accepted:bounced@example.com']);
      expect(await events({ event: 'accepted', subject: '"July statement"' })).to.deep.equal(['accepted:alice@example.com']);
      expect(await events({ event: 'accepted', subject: '(July AND NOT reminder) OR Newsletter' })).to.deep.equal(['accepted:alice@example.com', 'accepted:bob@example.com']);
      expect(await events({ event: 'accepted', tags: 'financial' })).to.deep.equal(['accepted:alice@example.com']);
      expect(await events({ event: 'accepted', attachment: 'report.pdf' })).to.deep.equal(['accepted:bob@example.com']);
      expect(await events({ event: 'failed', severity: 'permanent' })).to.have.length(1);
      expect(await events({ event: 'accepted', size: '>100' })).to.deep.equal(['accepted:bob@example.com']);
      expect(await events({ event: 'accepted', from: 'campaigns@mg.gatehouse.local', to: 'bob@example.com' })).to.deep.equal(['accepted:bob@example.com']);
      // An address term names the whole address.
      expect(await events({ event: 'accepted', recipient: 'ice@example.com' })).to.deep.equal([]);
    });

    it('keeps to the begin/end range, whose order sets the direction', async () => {
      await send({ to: 'a@example.com' });
      // A clear gap on both sides of `mid`, so no event shares its millisecond.
      await new Promise((r) => setTimeout(r, 20));
      const mid = Date.now() / 1000;
      await new Promise((r) => setTimeout(r, 20));
      await send({ to: 'b@example.com' });
      expect(recipients(await get({ event: 'accepted', begin: mid }))).to.deep.equal(['a@example.com']);
      expect(recipients(await get({ event: 'accepted', begin: mid, ascending: 'yes' }))).to.deep.equal(['b@example.com']);
      const newestFirst = await get({ event: 'accepted', begin: new Date(Date.now() + 60_000).toUTCString(), end: new Date(Date.now() - 60_000).toUTCString() });
      expect(recipients(newestFirst)).to.deep.equal(['b@example.com', 'a@example.com']);
    });

    it('refuses a limit above 300, a direction against the range, a malformed expression, and an unknown domain', async () => {
      expect((await rejection(get({ limit: 301 }))).details).to.equal("'limit' parameter must be an integer between 1 and 300");
      expect((await rejection(get({ begin: 1000, end: 2000, ascending: 'no' }))).details).to.equal("'ascending' parameter does not agree with the begin and end of the time range");
      expect((await rejection(get({ subject: '(July' }))).details).to.equal("'subject' parameter is not a valid filter expression: missing )");
      expect((await rejection(get({ subject: '"July' }))).status).to.equal(400);
      expect((await rejection(quiet(() => h.client.events.get('nowhere.example')))).details).to.equal('Domain not found: nowhere.example');
    });
  });
});
