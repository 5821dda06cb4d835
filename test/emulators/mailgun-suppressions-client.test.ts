/**
 * mailgun.js's suppressions client against the fake Mailgun, method by method (enumerated from the prototype),
 * over the four tables it names — bounces, complaints, unsubscribes, whitelists — with the sample answers and
 * messages of documentation.mailgun.com "Suppressions".
 */
import { expect } from 'chai';
import { methodCoverage } from '../helpers/client-methods.ts';
import { DOMAIN, FROM, type Json, type MailgunHarness, rejection, startMailgunHarness } from '../helpers/mailgun.ts';

describe('mailgun.js suppressions against the fake Mailgun', () => {
  let h: MailgunHarness;
  const internal = ['_parseItem', 'createUnsubscribe', 'createWhiteList', 'getModel', 'parseList', 'parsePage', 'parsePageLinks', 'prepareResponse', 'requestListWithPages', 'updateUrlAndQuery'];
  const coverage = methodCoverage('suppressions', () => Object.getPrototypeOf(h.client.suppressions), internal);
  const { method } = coverage;
  const s = () => h.client.suppressions as any;

  before(async () => {
    h = await startMailgunHarness();
  });
  after(() => h?.close());
  beforeEach(() => h.reset());

  const send = (to: string, extra: Json = {}) => h.client.messages.create(DOMAIN, { from: FROM, to, subject: 'Hello', text: 'Hi', ...extra } as any);
  const lastEvent = async (id: string) => ((await h.admin(`/messages/${encodeURIComponent(id)}`)).events as Json[]).at(-1)!;

  coverage.checkCoverage();

  method('list', () => {
    it('pages each table by address with the client\'s page links', async () => {
      for (const a of ['b1@example.com', 'b2@example.com', 'b3@example.com']) await s().create(DOMAIN, 'bounces', { address: a, code: 550, error: 'gone' });
      const first = await s().list(DOMAIN, 'bounces', { limit: 2 });
      expect(first.items.map((b: Json) => b.address)).to.deep.equal(['b1@example.com', 'b2@example.com']);
      expect(first.items[0]).to.include({ type: 'bounces', code: 550, error: 'gone' });
      expect(first.items[0].created_at).to.be.instanceOf(Date);
      const next = await s().list(DOMAIN, 'bounces', { page: first.pages.next.page, limit: 2 } as any);
      expect(next.items.map((b: Json) => b.address)).to.deep.equal(['b3@example.com', 'bounced@example.com']);
      expect((await s().list(DOMAIN, 'complaints')).items.map((c: Json) => c.address)).to.deep.equal(['complained@example.com']);
      expect((await s().list(DOMAIN, 'unsubscribes')).items[0]).to.deep.include({ address: 'unsubscribed@example.com', tags: ['*'] });
      await s().create(DOMAIN, 'whitelists', { domain: 'partner.example' });
      expect((await s().list(DOMAIN, 'whitelists')).items[0]).to.include({ type: 'whitelists', value: 'partner.example', reason: '' });
    });

    it('refuses an unknown table client-side and a limit over 1000', async () => {
      expect((await rejection(s().list(DOMAIN, 'spam'))).details).to.equal('Type may be only one of [bounces, complaints, unsubscribes, whitelists]');
      expect((await rejection(s().list(DOMAIN, 'bounces', { limit: 1001 }))).details).to.equal("'limit' parameter must be an integer between 1 and 1000");
    });
  });

  method('get', () => {
    it('reads one record of each table', async () => {
      expect(await s().get(DOMAIN, 'bounces', 'bounced@example.com')).to.include({ address: 'bounced@example.com', code: 550, error: '5.1.1 No such mailbox' });
      expect(await s().get(DOMAIN, 'complaints', 'complained@example.com')).to.include({ address: 'complained@example.com', type: 'complaints' });
      await s().create(DOMAIN, 'whitelists', { address: 'qa@example.com' });
      expect(await s().get(DOMAIN, 'whitelists', 'qa@example.com')).to.include({ value: 'qa@example.com', type: 'whitelists' });
    });

    it('answers each table\'s not-found message', async () => {
      const cases: [string, string][] = [
        ['bounces', 'Address not found in bounces table'],
        ['unsubscribes', 'Address not found in unsubscribers table'],
        ['complaints', 'No spam complaints found for this address'],
        ['whitelists', 'Address/Domain not found in whitelists table'],
      ];
      for (const [type, details] of cases) {
        const e = await rejection(s().get(DOMAIN, type, 'nobody@example.com'));
        expect([e.status, e.details]).to.deep.equal([404, details]);
      }
    });
  });

  method('create', () => {
    it('adds one or many records with Mailgun\'s messages, and a bounce then drops mail', async () => {
      expect(await s().create(DOMAIN, 'bounces', { address: 'x@example.com', code: 550 })).to.deep.include({ message: '1 address has been added to the bounces table', status: 200 });
      expect((await s().create(DOMAIN, 'complaints', [{ address: 'c1@example.com' }, { address: 'c2@example.com' }])).message).to.equal('2 complaint addresses have been added to the complaints table');
      expect((await s().create(DOMAIN, 'unsubscribes', { address: 'u@example.com', tag: 'newsletter' })).message).to.equal('Address has been added to the unsubscribes table');
      expect(await s().create(DOMAIN, 'whitelists', { domain: 'partner.example' })).to.deep.include({ message: 'Address/Domain has been added to the whitelists table', type: 'domain', value: 'partner.example' });
      const res = await send('x@example.com');
      expect(await lastEvent(res.id!)).to.include({ event: 'failed', reason: 'suppress-bounce' });
      // An unsubscribe for one tag drops only mail with that tag.
      expect(await lastEvent((await send('u@example.com', { 'o:tag': 'newsletter' })).id!)).to.include({ reason: 'suppress-unsubscribe' });
      expect(await lastEvent((await send('u@example.com', { 'o:tag': 'receipt' })).id!)).to.include({ event: 'delivered' });
    });

    it('keeps a whitelisted address off the bounce list when it hard-bounces', async () => {
      await s().create(DOMAIN, 'whitelists', { address: 'qa@example.com' });
      const res = await send('qa@example.com');
      await h.admin(`/messages/${encodeURIComponent(res.id!)}/events`, { method: 'POST', body: JSON.stringify({ event: 'failed', severity: 'permanent' }) });
      expect((await rejection(s().get(DOMAIN, 'bounces', 'qa@example.com'))).status).to.equal(404);
    });

    it('refuses client-side misuse and invalid addresses', async () => {
      expect(() => s().create(DOMAIN, 'whitelists', [{ address: 'a@example.com' }] as any)).to.throw('Data property should be an object');
      expect((await rejection(s().create(DOMAIN, 'bounces', { address: 'not-an-address' }))).details).to.equal("'address' parameter is not a valid address. please check documentation");
      expect((await rejection(s().create(DOMAIN, 'whitelists', { domain: 'not a domain' }))).status).to.equal(400);
    });
  });

  method('destroy', () => {
    it('removes one record with each table\'s message', async () => {
      expect(await s().destroy(DOMAIN, 'bounces', 'bounced@example.com')).to.deep.include({ message: 'Bounced address has been removed', address: 'bounced@example.com', status: 200 });
      expect((await s().destroy(DOMAIN, 'complaints', 'complained@example.com')).message).to.equal('Spam complaint has been removed');
      expect((await s().destroy(DOMAIN, 'unsubscribes', 'unsubscribed@example.com')).message).to.equal('Unsubscribe event has been removed');
      await s().create(DOMAIN, 'whitelists', { address: 'qa@example.com' });
      expect(await s().destroy(DOMAIN, 'whitelists', 'qa@example.com')).to.deep.include({ message: 'Whitelist address/domain has been removed', value: 'qa@example.com' });
      expect((await rejection(s().destroy(DOMAIN, 'bounces', 'bounced@example.com'))).status).to.equal(404);
    });
  });

  method('destroyAll', () => {
    it('empties a whole table', async () => {
      expect(await s().destroyAll(DOMAIN, 'bounces')).to.deep.equal({ message: 'Bounced addresses for this domain have been removed', status: 200 });
      expect((await s().list(DOMAIN, 'bounces')).items).to.deep.equal([]);
      expect((await s().destroyAll(DOMAIN, 'complaints')).message).to.equal('Complaint addresses for this domain have been removed');
      expect((await rejection(s().destroyAll('nowhere.example', 'bounces'))).status).to.equal(404);
    });
  });

  method('upload', () => {
    it('imports a CSV file into each table', async () => {
      const bounces = 'address,code,error,created_at\r\nimp1@example.com,550,"Mailbox, full",\r\nimp2@example.com,551,,\r\n';
      expect(await s().upload(DOMAIN, 'bounces', { data: Buffer.from(bounces), filename: 'bounces.csv' } as any)).to.deep.equal({ message: 'file uploaded successfully' });
      expect(await s().get(DOMAIN, 'bounces', 'imp1@example.com')).to.include({ code: 550, error: 'Mailbox, full' });
      await s().upload(DOMAIN, 'unsubscribes', 'address,tags,created_at\nu1@example.com,newsletter,\n' as any);
      expect(await s().get(DOMAIN, 'unsubscribes', 'u1@example.com')).to.deep.include({ tags: ['newsletter'] });
      await s().upload(DOMAIN, 'whitelists', 'address,domain\n,partner.example\nqa@example.com,\n' as any);
      expect((await s().list(DOMAIN, 'whitelists')).items.map((w: Json) => w.value)).to.deep.equal(['partner.example', 'qa@example.com']);
    });

    it('refuses a file without an address column and a bad row', async () => {
      expect((await rejection(s().upload(DOMAIN, 'complaints', 'email\nx@example.com\n' as any))).details).to.equal("CSV file must contain an 'address' column");
      expect((await rejection(s().upload(DOMAIN, 'complaints', 'address\nnot-an-address\n' as any))).status).to.equal(400);
    });
  });
});
