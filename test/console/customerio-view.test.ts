/**
 * The console's Customer.io view reads bounded pages from the fake's admin API (/__admin/people,
 * /__admin/people/:id/recent, /__admin/activity), never the whole state: after a fuzz run the state was 70 MB and
 * sixteen views at once kept the fake busy past the console's timeout (502s; found by npm run fuzz).
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { call, testStack } from '../helpers/stack.ts';

describe('console: the Customer.io view through bounded admin reads', function () {
  this.timeout(120_000);
  let stack: Stack;
  let jwt: string;
  before(async () => {
    stack = await testStack();
    jwt = await stack.gateway.mintToken('ada@example.com');
    for (let i = 0; i < 3; i++) {
      const res = await call(stack.urls.gateway, 'POST', '/customers/ada%40example.com/events', { token: jwt, json: { name: `viewed_${i}`, data: { n: i } } });
      expect(res.status, res.text).to.equal(200);
    }
  });
  after(() => stack?.close());

  const get = async (base: string, path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: await res.json() as any };
  };

  it('lists people matching a search, newest first, with their event counts', async () => {
    const all = await get(stack.urls.console, '/api/customerio/people');
    expect(all.status).to.equal(200);
    expect(all.body.total).to.be.greaterThan(1);
    const ada = await get(stack.urls.console, '/api/customerio/people?q=ADA%40example');
    expect(ada.body.people.map((p: any) => p.email)).to.deep.equal(['ada@example.com']);
    expect(ada.body.people[0].events).to.be.at.least(3);
  });

  it('shows one person with their newest events, and 404 for a cio id nobody has', async () => {
    const ada = (await get(stack.urls.console, '/api/customerio/people?q=ada%40example.com')).body.people[0];
    const one = await get(stack.urls.console, `/api/customerio/people/${ada.cioId}`);
    expect(one.status).to.equal(200);
    expect(one.body.email).to.equal('ada@example.com');
    expect(one.body.events.slice(0, 3).map((e: any) => e.name)).to.deep.equal(['viewed_2', 'viewed_1', 'viewed_0']);
    const none = await get(stack.urls.console, '/api/customerio/people/nobody-here');
    expect(none.status).to.equal(404);
    expect(none.body.error.code).to.equal('person_not_found');
  });

  it('the fake answers pages of at most the limit asked, and refuses a limit that is not 1 to 1,000', async () => {
    const cio = stack.urls.customerio;
    const page = await get(cio, '/__admin/people?limit=1');
    expect(page.body.people).to.have.length(1);
    expect(page.body.matched).to.be.greaterThan(1);
    const activity = await get(cio, '/__admin/activity?limit=2');
    expect(activity.body.activities.length).to.be.at.most(2);
    for (const bad of ['0', '1001', 'x', '-1']) expect((await get(cio, `/__admin/activity?limit=${bad}`)).status, bad).to.equal(400);
    expect((await get(stack.urls.console, '/api/customerio/activity')).status).to.equal(200);
  });
});
