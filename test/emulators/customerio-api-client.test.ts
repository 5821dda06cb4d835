/**
 * customerio-node's APIClient against the fake Customer.io, method by method: every public method of the client
 * (read from its prototype) has a describe here with the answer the App API reference documents and the errors a
 * wrong call gets — the client's own checks, and the fake's 400/401/404 `{"meta":{"error"}}`.
 */
import { expect } from 'chai';
import { APIClient, SendEmailRequest, SendInAppRequest, SendInboxMessageRequest, SendPushRequest, SendSMSRequest } from 'customerio-node';
import { APP_KEY, expectRejected, startCioHarness, TRACK_KEY, type CioHarness } from '../helpers/customerio.ts';
import { methodCoverage } from '../helpers/client-methods.ts';

describe('customerio-node APIClient against the fake Customer.io', () => {
  let h: CioHarness;
  let api: APIClient;
  const coverage = methodCoverage('APIClient', () => APIClient.prototype);
  const { method } = coverage;

  before(async () => {
    h = await startCioHarness();
    api = h.api();
  });
  after(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.reset();
  });

  const deliveries = async (type?: string) => (await h.admin(`/deliveries${type ? `?type=${type}` : ''}`)).body.deliveries as any[];
  const activities = async (id: string, query = '') => ((await api.request.get(`${h.cio.https.url}/v1/customers/${id}/activities${query}`)) as any).activities as any[];
  const bearer = `Bearer ${APP_KEY}`;
  const sendShape = (sent: any) => {
    expect(Object.keys(sent).sort()).to.deep.equal(['delivery_id', 'queued_at']);
    expect(sent.delivery_id).to.be.a('string').with.length.greaterThan(10);
    expect(sent.queued_at).to.be.a('number');
  };
  /** Fetch an export's file through the link downloadExport handed out. */
  const download = async (id: number) => {
    const { url } = (await api.downloadExport(id)) as any;
    const res = await fetch(url.replace(h.cio.https.url, h.cio.http.url));
    return { url, status: res.status, text: await res.text() };
  };

  coverage.checkCoverage();

  method('sendEmail', () => {
    it('sends with a template, records the delivery with its attachments\' names, answers delivery_id and queued_at', async () => {
      const req = new SendEmailRequest({ to: 'ada@example.com', identifiers: { id: 'user-ada' }, transactional_message_id: 1, message_data: { code: '1234' } });
      req.attach('receipt.txt', 'thanks');
      const sent = (await api.sendEmail(req)) as any;
      sendShape(sent);
      const [d] = await deliveries('email');
      expect(d).to.include({ deliveryId: sent.delivery_id, to: 'ada@example.com', transactionalMessageId: 1 });
      expect(d.message.attachments).to.deep.equal(['receipt.txt']);
      expect((await activities('user-ada', '?type=sent_email'))[0].delivery_id).to.equal(sent.delivery_id);
    });

    it('sends a whole message without a template, by trigger name too', async () => {
      sendShape(await api.sendEmail(new SendEmailRequest({ to: 'grace@example.com', identifiers: { email: 'grace@example.com' }, from: 'ops@example.com', subject: 'Hi', body: '<p>Hi</p>' })));
      sendShape(await api.sendEmail(new SendEmailRequest({ to: 'grace@example.com', identifiers: { email: 'grace@example.com' }, transactional_message_id: 'Password Reset' })));
    });

    it('refuses a non-request client-side, a missing subject, an unknown or push template with 400, and a bad key with 401', async () => {
      expect(() => api.sendEmail({} as any)).to.throw('"request" must be an instance of SendEmailRequest');
      const noSubject = await expectRejected(api.sendEmail(new SendEmailRequest({ to: 'a@example.com', identifiers: { id: 'x' }, from: 'f@example.com', body: 'hi' } as any)), 400);
      expect(noSubject.message).to.equal('subject is required');
      expect((await expectRejected(api.sendEmail(new SendEmailRequest({ to: 'a@example.com', identifiers: { id: 'x' }, transactional_message_id: 999 })), 400)).message).to.equal('transactional message 999 not found');
      expect((await expectRejected(api.sendEmail(new SendEmailRequest({ to: 'a@example.com', identifiers: { id: 'x' }, transactional_message_id: 2 })), 400)).message).to.equal('transactional message 2 is a push message, not email');
      expect((await expectRejected(h.api(TRACK_KEY).sendEmail(new SendEmailRequest({ to: 'a@example.com', identifiers: { id: 'x' }, transactional_message_id: 1 })), 401)).message).to.equal('Unauthorized request');
    });
  });

  method('sendPush', () => {
    it('sends to every device of the person, or the last used one', async () => {
      sendShape(await api.sendPush(new SendPushRequest({ identifiers: { email: 'grace@example.com' }, transactional_message_id: 2, title: 'Shipped' })));
      await api.sendPush(new SendPushRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 'order shipped', to: 'last_used' }));
      expect((await deliveries('push')).map((d) => d.to)).to.deep.equal([['apns-token-grace-iphone'], ['fcm-token-ada-pixel']]);
    });

    it('refuses a missing template and two identifiers with 400', async () => {
      expect(() => api.sendPush({} as any)).to.throw('"request" must be an instance of SendPushRequest');
      const noTemplate = await expectRejected(api.sendPush(new SendPushRequest({ identifiers: { id: 'user-ada' } } as any)), 400);
      expect(noTemplate.message).to.equal('transactional_message_id is required');
      const twoIds = await expectRejected(api.sendPush(new SendPushRequest({ identifiers: { id: 'user-ada', email: 'ada@example.com' } as any, transactional_message_id: 2 })), 400);
      expect(twoIds.message).to.equal('identifiers must contain exactly one of id, email or cio_id');
    });
  });

  method('sendSMS', () => {
    it('sends an SMS to an E.164 number and records it like the other sends', async () => {
      const sent = (await api.sendSMS(new SendSMSRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 3, to: '+15551234567', message_data: { code: '4711' } }))) as any;
      sendShape(sent);
      const [d] = await deliveries('sms');
      expect(d).to.include({ deliveryId: sent.delivery_id, to: '+15551234567', type: 'sms' });
      expect(d.message.message_data).to.deep.equal({ code: '4711' });
      expect((await activities('user-ada', '?type=sent_sms'))).to.have.length(1);
    });

    it('refuses a missing or malformed number and an email template with 400', async () => {
      expect(() => api.sendSMS({} as any)).to.throw('"request" must be an instance of SendSMSRequest');
      expect((await expectRejected(api.sendSMS(new SendSMSRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 3 })), 400)).message).to.equal('to is required');
      expect((await expectRejected(api.sendSMS(new SendSMSRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 3, to: '555-1234' })), 400)).message).to.equal('to must be a phone number in E.164 format, like +15551234567, or Liquid');
      expect((await expectRejected(api.sendSMS(new SendSMSRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 1, to: '+15551234567' })), 400)).message).to.equal('transactional message 1 is a email message, not sms');
    });
  });

  method('sendInApp', () => {
    it('sends an in-app message from its template, recorded with no address', async () => {
      const sent = (await api.sendInApp(new SendInAppRequest({ identifiers: { email: 'ada@example.com' }, transactional_message_id: 'Order Confirmation', message_data: { order_id: 'ORD-1' } }))) as any;
      sendShape(sent);
      const [d] = await deliveries('in_app');
      expect(d).to.deep.include({ deliveryId: sent.delivery_id, to: [], transactionalMessageId: 'Order Confirmation' });
    });

    it('refuses a missing template, bad message_data and missing identifiers with 400', async () => {
      expect(() => api.sendInApp({} as any)).to.throw('"request" must be an instance of SendInAppRequest');
      expect((await expectRejected(api.sendInApp(new SendInAppRequest({ identifiers: { id: 'user-ada' } } as any)), 400)).message).to.equal('transactional_message_id is required');
      expect((await expectRejected(api.sendInApp(new SendInAppRequest({ identifiers: { id: 'user-ada' }, transactional_message_id: 4, message_data: 'x' as any })), 400)).message).to.equal('message_data must be an object');
      expect((await expectRejected(api.sendInApp(new SendInAppRequest({ transactional_message_id: 4 } as any)), 400)).message).to.equal('identifiers is required: an object with one of id, email or cio_id');
    });
  });

  method('sendInboxMessage', () => {
    it('sends an inbox message from its template and records it', async () => {
      const sent = (await api.sendInboxMessage(new SendInboxMessageRequest({ identifiers: { id: 'user-grace' }, transactional_message_id: 5, message_data: { items: 2 } }))) as any;
      sendShape(sent);
      expect((await deliveries('inbox'))[0]).to.include({ deliveryId: sent.delivery_id, type: 'inbox' });
      expect((await activities('user-grace', '?type=sent_inbox'))).to.have.length(1);
    });

    it('refuses an in-app template and a send_at that is not a timestamp with 400', async () => {
      expect(() => api.sendInboxMessage({} as any)).to.throw('"request" must be an instance of SendInboxMessageRequest');
      expect((await expectRejected(api.sendInboxMessage(new SendInboxMessageRequest({ identifiers: { id: 'user-grace' }, transactional_message_id: 4 })), 400)).message).to.equal('transactional message 4 is a in_app message, not inbox');
      expect((await expectRejected(api.sendInboxMessage(new SendInboxMessageRequest({ identifiers: { id: 'user-grace' }, transactional_message_id: 5, send_at: 'soon' as any })), 400)).message).to.equal('send_at must be a unix timestamp');
    });
  });

  method('getCustomersByEmail', () => {
    it('answers {"results": [{id, email, cio_id}]} for the people with that email', async () => {
      const out = (await api.getCustomersByEmail('ada@example.com')) as any;
      expect(out.results).to.have.length(1);
      expect(out.results[0]).to.include({ id: 'user-ada', email: 'ada@example.com' });
      expect(out.results[0].cio_id).to.be.a('string');
      expect(((await api.getCustomersByEmail('nobody@example.com')) as any).results).to.deep.equal([]);
    });

    it('finds an address with characters the client encodes (plus addressing)', async () => {
      await h.track().identify('user-plus', { email: 'ada+news@example.com' });
      expect(((await api.getCustomersByEmail('ada+news@example.com')) as any).results.map((r: any) => r.id)).to.deep.equal(['user-plus']);
    });

    it('refuses an empty email client-side and a missing email parameter with 400', async () => {
      expect(() => api.getCustomersByEmail('')).to.throw('"email" must be a string');
      expect((await h.raw('GET', '/v1/customers', undefined, bearer)).body).to.deep.equal({ meta: { error: 'email query parameter is required' } });
    });
  });

  method('getAttributes', () => {
    it('reads a person by id, email or cio_id with attribute values as strings', async () => {
      const byId = ((await api.getAttributes('user-ada')) as any).customer;
      expect(byId.identifiers).to.include({ id: 'user-ada', email: 'ada@example.com' });
      expect(byId.attributes).to.include({ first_name: 'Ada', plan: 'pro', created_at: '1700000000' });
      expect(byId.timestamps.first_name).to.be.a('number');
      expect(byId.devices).to.deep.equal([{ id: 'fcm-token-ada-pixel', platform: 'android', last_used: 1700000500 }]);
      const byEmail = ((await api.getAttributes('ada@example.com', 'email' as any)) as any).customer;
      expect(byEmail.identifiers.cio_id).to.equal(byId.identifiers.cio_id);
      const byCio = ((await api.getAttributes(byId.identifiers.cio_id, 'cio_id' as any)) as any).customer;
      expect(byCio.id).to.equal('user-ada');
    });

    it('answers 404 for an unknown person and refuses a bad id type client-side', async () => {
      expect((await expectRejected(api.getAttributes('nobody'), 404)).message).to.equal('customer nobody not found');
      expect(() => api.getAttributes('user-ada', 'phone' as any)).to.throw('idType must be one of "id", "cio_id", or "email"');
      expect(() => api.getAttributes('')).to.throw('customerId is required');
    });
  });

  method('triggerBroadcast', () => {
    it('triggers with each recipient variant the client sends and answers {"id"}', async () => {
      const variants: [string, Record<string, unknown>, unknown][] = [
        ['ids', { ids: ['user-ada', 'user-grace'], id_ignore_missing: true }, { kind: 'ids', ids: ['user-ada', 'user-grace'] }],
        ['emails', { emails: ['ada@example.com'], email_ignore_missing: true, email_add_duplicates: false }, { kind: 'emails', emails: ['ada@example.com'] }],
        ['per_user_data', { per_user_data: [{ id: 'user-ada', data: { voucher: 'A1' } }] }, { kind: 'per_user_data', per_user_data: [{ id: 'user-ada', data: { voucher: 'A1' } }] }],
        ['data_file_url', { data_file_url: 'https://example.com/recipients.json' }, { kind: 'data_file_url', data_file_url: 'https://example.com/recipients.json' }],
        ['recipients', { segment: { id: 4 } }, { kind: 'segment', recipients: { segment: { id: 4 } } }],
      ];
      for (const [i, [, recipients]] of variants.entries()) expect(await api.triggerBroadcast(7, { headline: 'hi' }, recipients)).to.deep.equal({ id: i + 1 });
      const triggers = (await h.admin('/state')).body.broadcastTriggers;
      expect(triggers.map((t: any) => t.recipients)).to.deep.equal(variants.map(([, , r]) => r));
      expect(triggers[0]).to.deep.include({ broadcastId: 7, data: { headline: 'hi' } });
    });

    it('reaches the people its recipients filter selects, each with an email delivery', async () => {
      await api.triggerBroadcast(7, {}, { or: [{ segment: { id: 4 } }, { attribute: { field: 'plan', operator: 'eq', value: 'free' } }] });
      const reached = (await deliveries('email')).filter((d) => d.broadcastId === 7).map((d) => d.to);
      expect(reached).to.have.members(['ada@example.com', 'grace@example.com']);
      await h.reset();
      await api.triggerBroadcast(7, {}, { segment: { id: 4 } });
      expect((await deliveries('email')).map((d) => d.to)).to.deep.equal(['ada@example.com']);
    });

    it('answers 404 for an unknown broadcast and 400 for an empty recipient list or a malformed filter', async () => {
      expect((await expectRejected(api.triggerBroadcast(7, {}, { segment: { id: 'four' } }), 400)).message).to.equal('recipients.segment.id must be an integer');
      const missing = await expectRejected(api.triggerBroadcast(999, {}, { ids: ['user-ada'] }), 404);
      expect(missing.message).to.equal('broadcast 999 not found');
      const empty = await h.raw('POST', '/v1/api/campaigns/7/triggers', { data: {}, ids: [] }, bearer);
      expect(empty).to.deep.include({ status: 400, body: { meta: { error: 'ids must be a non-empty array' } } });
    });
  });

  method('createCustomersExport', () => {
    it('exports the people a filter selects into a CSV file, done at once', async () => {
      const out = (await api.createCustomersExport({ and: [{ segment: { id: 5 } }, { attribute: { field: 'plan', operator: 'eq' as any, value: 'pro' } }] } as any)) as any;
      expect(out.export).to.include({ type: 'customers', status: 'done', failed: false, total: 1, downloads: 0 });
      expect(out.export.id).to.be.a('number');
      const file = await download(out.export.id);
      expect(file.status).to.equal(200);
      const [header, row] = file.text.trim().split('\r\n');
      expect(header.split(',').slice(0, 4)).to.deep.equal(['cio_id', 'id', 'email', 'created_at']);
      expect(row).to.include('user-ada').and.include('ada@example.com');
    });

    it('refuses missing filters client-side, a malformed filter and an unknown segment', async () => {
      expect(() => api.createCustomersExport(undefined as any)).to.throw('filters is required');
      expect((await expectRejected(api.createCustomersExport({ attribute: { field: 'plan', operator: 'like' } } as any), 400)).message).to.equal('filters.attribute.operator must be eq or exists');
      expect((await expectRejected(api.createCustomersExport({} as any), 400)).message).to.equal('filters must have exactly one of and, or, not, segment, attribute');
      expect((await expectRejected(api.createCustomersExport({ segment: { id: 99 } } as any), 404)).message).to.equal('segment 99 not found');
    });
  });

  method('createDeliveriesExport', () => {
    it('exports a broadcast\'s deliveries, filtered by metric', async () => {
      await api.triggerBroadcast(7, { headline: 'hi' }, { ids: ['user-ada', 'user-grace'] });
      const all = (await api.createDeliveriesExport(7, { attributes: ['first_name'] })) as any;
      expect(all.export).to.include({ type: 'deliveries', status: 'done', total: 2 });
      const { text } = await download(all.export.id);
      expect(text.split('\r\n')[0]).to.equal('delivery_id,newsletter_id,customer_id,cio_id,recipient,type,created_at,metrics,first_name');
      expect(text).to.include('Ada').and.include('Grace');
      const opened = (await api.createDeliveriesExport(7, { metric: 'opened' as any })) as any;
      expect(opened.export.total).to.equal(0);
    });

    it('refuses a missing newsletter client-side, an unknown one with 404 and a bad metric with 400', async () => {
      expect(() => api.createDeliveriesExport(undefined as any)).to.throw('newsletterId is required');
      expect((await expectRejected(api.createDeliveriesExport(999), 404)).message).to.equal('newsletter 999 not found');
      expect((await expectRejected(api.createDeliveriesExport(7, { metric: 'read' as any }), 400)).message).to.match(/^metric must be one of/);
    });
  });

  method('listExports', () => {
    it('lists every export as {"exports": [...]}', async () => {
      expect(await api.listExports()).to.deep.equal({ exports: [] });
      await api.createCustomersExport({ segment: { id: 4 } } as any);
      await api.createCustomersExport({ attribute: { field: 'first_name', operator: 'exists' } } as any);
      const { exports } = (await api.listExports()) as any;
      expect(exports.map((e: any) => [e.id, e.type, e.total])).to.deep.equal([[1, 'customers', 1], [2, 'customers', 2]]);
      await expectRejected(h.api('wrong').listExports(), 401);
    });
  });

  method('getExport', () => {
    it('answers {"export": {...}} in the documented shape, and 404 for an unknown id', async () => {
      const created = ((await api.createCustomersExport({ not: { segment: { id: 4 } } } as any)) as any).export;
      const got = ((await api.getExport(created.id)) as any).export;
      expect(Object.keys(got).sort()).to.deep.equal(['created_at', 'deduplicate_id', 'description', 'downloads', 'failed', 'id', 'status', 'total', 'type', 'updated_at', 'user_email', 'user_id']);
      expect(got).to.include({ id: created.id, total: 1, status: 'done' });
      expect((await expectRejected(api.getExport(999), 404)).message).to.equal('export 999 not found');
      expect(() => api.getExport('')).to.throw('id is required');
    });
  });

  method('downloadExport', () => {
    it('hands out a link to the file, counts downloads, and the link expires after 15 minutes', async () => {
      const created = ((await api.createCustomersExport({ attribute: { field: 'plan', operator: 'exists' } } as any)) as any).export;
      const first = await download(created.id);
      expect(first.url).to.match(/^https:\/\/127\.0\.0\.1:\d+\/downloads\/exports\/[A-Za-z0-9_-]+$/);
      expect(first.text.trim().split('\r\n')).to.have.length(3);
      expect(((await api.getExport(created.id)) as any).export.downloads).to.equal(1);
      h.clockOffset = 15 * 60 - 5;
      expect((await fetch(first.url.replace(h.cio.https.url, h.cio.http.url))).status).to.equal(200);
      h.clockOffset = 15 * 60 + 1;
      try {
        const expired = await fetch(first.url.replace(h.cio.https.url, h.cio.http.url));
        expect(expired.status).to.equal(403);
        expect(await expired.json()).to.deep.equal({ meta: { error: 'this download link is invalid or has expired; ask for a new one' } });
      } finally {
        h.clockOffset = 0;
      }
    });

    it('answers 404 for an unknown export and refuses a missing id client-side', async () => {
      expect((await expectRejected(api.downloadExport(42), 404)).message).to.equal('export 42 not found');
      expect(() => api.downloadExport('')).to.throw('id is required');
    });
  });
});
