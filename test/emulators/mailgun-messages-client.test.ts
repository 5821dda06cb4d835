/**
 * mailgun.js's messages client against the fake Mailgun, method by method (enumerated from the client's
 * prototype): sends as form fields and as MIME, the message store (JSON and raw MIME), resending, the sending
 * queues and clearing the scheduled queue — with the answers and error texts of Mailgun's Sending reference.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureLocalCa } from '../../emulators/shared/tls.ts';
import { methodCoverage } from '../helpers/client-methods.ts';
import { DOMAIN, FROM, type Json, type MailgunHarness, rejection, startMailgunHarness } from '../helpers/mailgun.ts';

describe('mailgun.js messages against the fake Mailgun', () => {
  let h: MailgunHarness;
  const coverage = methodCoverage('messages', () => Object.getPrototypeOf(h.client.messages), ['_parseResponse', 'prepareBooleanValues']);
  const { method } = coverage;

  before(async () => {
    h = await startMailgunHarness();
  });
  after(() => h?.close());
  beforeEach(() => h.reset());

  // The typed IMessagesClient lags the class: the store and queue methods are on the class only.
  const messages = () => h.client.messages as any;
  const send = (extra: Json = {}) => h.client.messages.create(DOMAIN, { from: FROM, to: ['alice@example.com'], subject: 'Hello', text: 'Hi there', ...extra } as any);
  const storageKey = async (id: string) => {
    const m = await h.admin(`/messages/${encodeURIComponent(id)}`);
    return (m.events as Json[]).find((e) => e.event === 'accepted')!.storage.key as string;
  };
  const events = async (id: string) => (await h.admin(`/messages/${encodeURIComponent(id)}`)).events as Json[];

  coverage.checkCoverage();

  method('create', () => {
    it('sends form fields and answers {id, message: "Queued. Thank you."} with the status', async () => {
      const res = await send({ html: '<p>Hi</p>', 'o:tracking': false });
      expect(res).to.include({ status: 200, message: 'Queued. Thank you.' });
      expect(res.id).to.match(/^<\d{14}\.[0-9a-f]+@mg\.gatehouse\.local>$/);
      expect((await h.admin(`/messages/${encodeURIComponent(res.id!)}`)).options.tracking).to.equal('no');
      expect((await events(res.id!)).map((e) => e.event)).to.deep.equal(['accepted', 'delivered']);
    });

    it('sends a MIME message the caller built, reading subject, parts and attachments from it', async () => {
      const mime = [
        'From: Gatehouse <reports@mg.gatehouse.local>', 'To: bob@example.com', 'Subject: =?UTF-8?B?U3RhdGVtZW50IOKCrA==?=', 'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: multipart/alternative; boundary="b2"', '',
        '--b2', 'Content-Type: text/plain; charset=utf-8', '', 'Plain body', '--b2', 'Content-Type: text/html; charset=utf-8', '', '<p>HTML body</p>', '--b2--',
        '--b1', 'Content-Type: text/csv', 'Content-Disposition: attachment; filename="payout.csv"', 'Content-Transfer-Encoding: base64', '', Buffer.from('a,b\n1,2\n').toString('base64'), '--b1--', '',
      ].join('\r\n');
      const res = await h.client.messages.create(DOMAIN, { to: 'bob@example.com', message: Buffer.from(mime), 'o:tag': 'mime' } as any);
      expect(res.message).to.equal('Queued. Thank you.');
      const m = await h.admin(`/messages/${encodeURIComponent(res.id!)}`);
      expect(m).to.include({ subject: 'Statement €', text: 'Plain body', html: '<p>HTML body</p>', from: 'Gatehouse <reports@mg.gatehouse.local>' });
      expect(m.tags).to.deep.equal(['mime']);
      expect(m.attachments).to.deep.equal([{ index: 0, filename: 'payout.csv', contentType: 'text/csv', size: 8 }]);
    });

    it('refuses empty data client-side, and a missing from, recipient or body with Mailgun\'s texts', async () => {
      expect(() => h.client.messages.create(DOMAIN, {} as any)).to.throw('Message data object can not be empty');
      const cases: [Json, string][] = [
        [{ from: undefined }, "'from' parameter is missing"],
        [{ to: undefined }, "'to' parameter is missing"],
        [{ text: undefined }, "Need at least one of 'text' or 'html' parameters specified"],
        [{ to: 'not an address' }, "'to' parameter is not a valid address. please check documentation"],
        [{ 'o:deliverytime': 'tomorrow-ish' }, 'invalid delivery time format'],
      ];
      for (const [extra, details] of cases) {
        const e = await rejection(send(extra));
        expect(e.status, details).to.equal(400);
        expect(e.details).to.equal(details);
      }
      const mimeless = await rejection(h.client.messages.create(DOMAIN, { to: 'bob@example.com', message: Buffer.from('Subject: x\r\n\r\nno from') } as any));
      expect(mimeless.details).to.equal("'from' parameter is missing");
    });

    it('refuses a domain that does not exist (404) and an unverified one (400)', async () => {
      expect((await rejection(h.client.messages.create('nowhere.example', { from: FROM, to: 'a@example.com', subject: 's', text: 't' }))).details).to.equal('Domain not found: nowhere.example');
      await h.client.domains.create({ name: 'new.example.com' });
      const e = await rejection(h.client.messages.create('new.example.com', { from: 'x@new.example.com', to: 'a@example.com', subject: 's', text: 't' }));
      expect(e.details).to.match(/^Domain new\.example\.com is not allowed to send: The domain is unverified/);
    });
  });

  method('retrieveStoredEmail', () => {
    it('answers the stored message with its parts, headers and attachment links', async () => {
      const res = await send({ html: '<p>Hi <b>there</b></p>', text: undefined, cc: 'carol@example.com', attachment: [{ filename: 'a.txt', data: Buffer.from('abc') }] });
      const key = await storageKey(res.id!);
      const stored = (await messages().retrieveStoredEmail(DOMAIN, key)) as Json;
      expect(stored).to.include({ From: FROM, Subject: 'Hello', To: 'alice@example.com', 'Message-Id': res.id, sender: 'campaigns@mg.gatehouse.local', recipients: 'alice@example.com, carol@example.com' });
      expect(stored['body-html']).to.equal('<p>Hi <b>there</b></p>');
      // "body-plain … always present. If the incoming message only has HTML body, Mailgun will create a text representation."
      expect(stored['body-plain']).to.equal('Hi there');
      expect(stored['message-headers']).to.deep.include(['Subject', 'Hello']);
      const [att] = stored.attachments;
      expect(att).to.include({ name: 'a.txt', size: 3 });
      const file = await fetch(att.url, { headers: { authorization: `Basic ${Buffer.from('api:key-gatehouse-local-0000000000000000').toString('base64')}` } });
      expect(await file.text()).to.equal('abc');
    });

    it('gives the raw MIME with Accept: message/rfc2822, and 404 for an unknown key', async () => {
      const res = await send({ html: '<p>x</p>' });
      const key = await storageKey(res.id!);
      const raw = (await (await fetch(`${h.mg.url}/v3/domains/${DOMAIN}/messages/${key}`, { headers: { accept: 'message/rfc2822', authorization: `Basic ${Buffer.from('api:key-gatehouse-local-0000000000000000').toString('base64')}` } })).json()) as Json;
      expect(raw['body-mime']).to.include('Subject: Hello').and.include('multipart/alternative');
      expect((await rejection(messages().retrieveStoredEmail(DOMAIN, 'no-such-key'))).details).to.equal('Message not found');
    });
  });

  method('resendEmail', () => {
    it('sends the stored message again to other recipients as a new message', async () => {
      const first = await send({ 'v:campaign': 'july' });
      const again = await messages().resendEmail(DOMAIN, await storageKey(first.id!), 'dave@example.com, Erin <erin@example.com>');
      expect(again).to.include({ status: 200, message: 'Queued. Thank you.' });
      expect(again.id).to.not.equal(first.id);
      const m = await h.admin(`/messages/${encodeURIComponent(again.id!)}`);
      expect(m.recipients.map((r: Json) => r.recipient)).to.deep.equal(['dave@example.com', 'erin@example.com']);
      expect(m).to.include({ subject: 'Hello', text: 'Hi there' });
      expect(m.variables).to.deep.equal({ campaign: 'july' });
    });

    it('refuses a bad recipient list and an unknown key', async () => {
      const first = await send();
      expect((await rejection(messages().resendEmail(DOMAIN, await storageKey(first.id!), 'nope'))).details).to.equal("'to' parameter is not a valid address. please check documentation");
      expect((await rejection(messages().resendEmail(DOMAIN, 'missing', 'a@example.com'))).status).to.equal(404);
    });
  });

  method('getMessagesQueueStatus', () => {
    it('answers both queues open, parsed by the client', async () => {
      const status = await messages().getMessagesQueueStatus(DOMAIN);
      expect(status).to.deep.equal({ regular: { is_disabled: false, disabled: { until: '', reason: '' } }, scheduled: { is_disabled: false, disabled: { until: '', reason: '' } } });
      expect((await rejection(messages().getMessagesQueueStatus('nowhere.example'))).status).to.equal(404);
    });
  });

  method('clearMessagesQueue', () => {
    it('drops scheduled messages before they are delivered (the storage host, reached through a proxy)', async () => {
      const later = new Date(Date.now() + 3600_000).toUTCString();
      const res = await send({ 'o:deliverytime': later });
      expect((await events(res.id!)).map((e) => e.event)).to.deep.equal(['accepted']);
      // The storage host is fixed in the client: a process that trusts the local CA reaches it through the fake as proxy.
      ensureLocalCa(h.tlsDir);
      const script = [
        "import Mailgun from 'mailgun.js'; import FormData from 'form-data';",
        `const c = new Mailgun(FormData).client({ username: 'api', key: '${'key-gatehouse-local-0000000000000000'}', proxy: { protocol: 'http', host: '127.0.0.1', port: ${h.mg.port} } });`,
        `console.log(JSON.stringify(await c.messages.clearMessagesQueue('${DOMAIN}', 'storage-us-east4.api.mailgun.net')));`,
      ].join('\n');
      const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(h.tlsDir, 'ca.pem') },
        timeout: 15_000,
      });
      expect(JSON.parse(stdout.trim())).to.deep.equal({ message: 'done' });
      expect((await h.admin('/state')).messages).to.equal(1);
      expect((await events(res.id!)).map((e) => e.event)).to.deep.equal(['accepted']);
    });

    it('delivers a scheduled message at its time when nothing clears it', async () => {
      const soon = new Date(Math.ceil((Date.now() + 1500) / 1000) * 1000).toUTCString();
      const res = await send({ 'o:deliverytime': soon });
      for (let i = 0; i < 100 && (await events(res.id!)).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await events(res.id!)).map((e) => e.event)).to.deep.equal(['accepted', 'delivered']);
    });

    it('refuses a storage host outside Mailgun\'s list client-side', async () => {
      const e = await rejection(messages().clearMessagesQueue(DOMAIN, 'evil.example.com'));
      expect(e.details).to.equal('The provided storage URL is not allowed.');
    });
  });
});
