/**
 * Malformed input to the Customer.io routes added for issue 15 (merge_customers, manual segments, the SMS/in-app/inbox
 * sends and the exports): a body that is not JSON, members of the wrong type and JSON nested 100,000 deep are answered
 * 4xx in Customer.io's `{"meta":{"error"}}` shape, never a 5xx, and the fake keeps serving.
 */
import { expect } from 'chai';
import { APP_KEY, basic, SITE, startCioHarness, TRACK_KEY, type CioHarness } from '../helpers/customerio.ts';

const TRACK = basic(SITE, TRACK_KEY);
const APP = `Bearer ${APP_KEY}`;

const routes: [method: string, path: string, auth: string, wrongTypes: unknown][] = [
  ['POST', '/api/v1/merge_customers', TRACK, { primary: 'user-ada', secondary: ['user-grace'] }],
  ['POST', '/api/v1/segments/4/add_customers', TRACK, { ids: { id: 'user-ada' } }],
  ['POST', '/api/v1/segments/4/remove_customers', TRACK, { ids: [{ id: 'user-ada' }] }],
  ['POST', '/v1/send/sms', APP, { identifiers: { id: ['x'] }, transactional_message_id: { id: 3 }, to: 15551234567 }],
  ['POST', '/v1/send/in_app', APP, { identifiers: 'user-ada', transactional_message_id: [4] }],
  ['POST', '/v1/send/inbox_message', APP, { identifiers: { id: 'user-ada' }, transactional_message_id: 5, message_data: [1], queue_draft: 'yes' }],
  ['POST', '/v1/exports/customers', APP, { filters: [{ segment: 4 }] }],
  ['POST', '/v1/exports/deliveries', APP, { newsletter_id: '7', start: 'yesterday', attributes: 'first_name' }],
];

describe('fake Customer.io: malformed input to the routes added for issue 15', () => {
  let h: CioHarness;
  before(async () => {
    h = await startCioHarness();
  });
  after(async () => {
    await h?.close();
  });

  const deep = (n: number) => `{"filters":${'['.repeat(n)}${']'.repeat(n)}}`;

  for (const [method, path, auth, wrongTypes] of routes) {
    it(`${method} ${path}: not JSON, wrong types, an array body and 100,000-deep nesting are 4xx {"meta":{"error"}}`, async () => {
      for (const body of ['{"primary":', JSON.stringify(wrongTypes), '[1,2,3]', '"just a string"', deep(100_000)]) {
        const res = await h.raw(method, path, body, auth);
        expect(res.status, `${path} ${body.slice(0, 30)}`).to.be.within(400, 499);
        expect(res.body.meta.error, `${path} ${body.slice(0, 30)}`).to.be.a('string');
      }
    });
  }

  it('GET of an export or a download with an id that is not one is 404, a forged file link 403', async () => {
    for (const p of ['/v1/exports/abc', '/v1/exports/1e3/download', '/v1/exports/%2e%2e']) {
      const res = await h.raw('GET', p, undefined, APP);
      expect(res.status, p).to.equal(404);
      expect(res.body.meta.error).to.be.a('string');
    }
    expect((await h.raw('GET', '/downloads/exports/forged-token', undefined, '')).status).to.equal(403);
  });

  it('keeps serving', async () => {
    expect((await h.raw('POST', '/api/v1/merge_customers', { primary: { id: 'user-ada' }, secondary: { id: 'nobody' } })).status).to.equal(200);
  });
});
