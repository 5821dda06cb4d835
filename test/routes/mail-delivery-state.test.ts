/**
 * Delivery state adds up: GET /send-mail/{id} keeps, per recipient, the furthest delivery outcome (accepted <
 * temporary failure < delivered < permanent failure, Mailgun's event model) and the engagement events beside it.
 * Signed Mailgun webhooks go through the gateway in EVERY order of arrival; each order must end in the same state,
 * and the summary's outcome buckets must always add up to the recipients.
 */
import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import type { Stack } from '../../emulators/stack/index.ts';
import { call, testStack } from '../helpers/stack.ts';

const KEY = 'local-crm-api-key-000000000000000000000000';
const SIGNING_KEY = 'whsec-gatehouse-local-signing-key-0000';
const T0 = Math.floor(Date.now() / 1000);

interface Ev { event: string; severity?: string; reason?: string; at: number }
const E = {
  accepted: { event: 'accepted', at: T0 },
  temporary: { event: 'failed', severity: 'temporary', reason: 'greylisted', at: T0 + 10 },
  delivered: { event: 'delivered', at: T0 + 20 },
  permanent: { event: 'failed', severity: 'permanent', reason: 'bounce', at: T0 + 30 },
  opened: { event: 'opened', at: T0 + 40 },
  clicked: { event: 'clicked', at: T0 + 50 },
  unsubscribed: { event: 'unsubscribed', at: T0 + 60 },
  complained: { event: 'complained', at: T0 + 70 },
} satisfies Record<string, Ev>;

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

/** Run `fn` over `items`, `n` at a time. */
async function pooled<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) await fn(items[next++]); }));
}

describe('GET /send-mail/{id}: delivery state per recipient adds up, whatever order the webhooks arrive in', function () {
  this.timeout(240_000);
  let stack: Stack;
  let gw: string;
  before(async () => {
    stack = await testStack();
    gw = stack.urls.gateway;
  });
  after(() => stack?.close());

  const webhook = (messageId: string, recipient: string, e: Ev) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const token = randomBytes(25).toString('hex');
    return {
      signature: { timestamp, token, signature: createHmac('sha256', SIGNING_KEY).update(timestamp + token).digest('hex') },
      'event-data': { id: randomBytes(8).toString('hex'), event: e.event, ...(e.severity ? { severity: e.severity } : {}), ...(e.reason ? { reason: e.reason } : {}),
        timestamp: e.at, recipient, message: { headers: { 'message-id': messageId } } },
    };
  };
  // A 503 (the store did not answer in time, on a loaded machine) is retried, as Mailgun retries it; nothing else is.
  const post = async (messageId: string, recipient: string, e: Ev) => {
    let res = await call(gw, 'POST', '/webhooks/mailgun', { json: webhook(messageId, recipient, e) });
    for (let retry = 0; res.status === 503 && retry < 3; retry++) res = await call(gw, 'POST', '/webhooks/mailgun', { json: webhook(messageId, recipient, e) });
    expect(res.status, res.text).to.equal(200);
  };
  const status = async (messageId: string) => {
    const res = await call(gw, 'GET', `/send-mail/${encodeURIComponent(`<${messageId}>`)}`, { headers: { 'x-api-key': KEY } });
    expect(res.status, res.text).to.equal(200);
    return res.body;
  };
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const addsUp = (summary: Record<string, number>) =>
    expect(summary.pending + summary.retrying + summary.delivered + summary.failed, JSON.stringify(summary)).to.equal(summary.recipients);

  // Each set: the events of one recipient, sent in all 120 orders (one message id per order), and the one state every order must end in.
  const sets: [string, Ev[], Record<string, unknown>][] = [
    ['accepted, a temporary failure, delivered, opened, clicked', [E.accepted, E.temporary, E.delivered, E.opened, E.clicked],
      { status: 'delivered', at: iso(E.delivered.at), engagement: { opened: iso(E.opened.at), clicked: iso(E.clicked.at) } }],
    ['a temporary failure, delivered, a permanent failure, unsubscribed, complained', [E.temporary, E.delivered, E.permanent, E.unsubscribed, E.complained],
      { status: 'failed', severity: 'permanent', reason: 'bounce', at: iso(E.permanent.at), engagement: { unsubscribed: iso(E.unsubscribed.at), complained: iso(E.complained.at) } }],
  ];

  for (const [what, events, want] of sets) {
    it(`${what}: every one of the ${permutations(events).length} orders ends in the same state, in exactly one bucket`, async () => {
      const orders = permutations(events);
      const run = `order-${randomBytes(4).toString('hex')}`;
      await pooled(orders.map((order, i) => ({ order, id: `${run}-${i}@mg.gatehouse.local` })), 4, async ({ order, id }) => {
        for (const e of order) await post(id, 'linus@example.com', e);
      });
      const outcomes = new Map<string, number>();
      await pooled(orders.map((order, i) => ({ order, id: `${run}-${i}@mg.gatehouse.local` })), 4, async ({ order, id }) => {
        const s = await status(id);
        const arrival = order.map((e) => e.severity ? `${e.event}/${e.severity}` : e.event).join(' → ');
        expect(s.recipients, arrival).to.deep.equal([{ recipient: 'linus@example.com', ...want }]);
        addsUp(s.summary);
        const key = `${s.recipients[0].status}${s.recipients[0].severity ? `/${s.recipients[0].severity}` : ''}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      });
      expect([...outcomes.values()]).to.deep.equal([orders.length]);
    });
  }

  it('an opened or clicked webhook after delivered leaves the recipient delivered (it used to overwrite it, and count in no bucket)', async () => {
    const id = `regression-${randomBytes(4).toString('hex')}@mg.gatehouse.local`;
    for (const e of [E.accepted, E.delivered, E.opened, E.clicked]) await post(id, 'ada@example.com', e);
    const s = await status(id);
    expect(s.summary).to.deep.equal({ recipients: 1, pending: 0, retrying: 0, delivered: 1, failed: 0, engagement: { opened: 1, clicked: 1, unsubscribed: 0, complained: 0 } });
  });

  it('two failures of the same rank keep the later one, in either order', async () => {
    const early = { event: 'failed', severity: 'temporary', reason: 'greylisted', at: T0 + 5 };
    const late = { event: 'failed', severity: 'temporary', reason: 'mailbox full', at: T0 + 15 };
    for (const [i, order] of [[early, late], [late, early]].entries()) {
      const id = `same-rank-${i}-${randomBytes(4).toString('hex')}@mg.gatehouse.local`;
      for (const e of order) await post(id, 'grace@example.com', e);
      const [r] = (await status(id)).recipients;
      expect(r).to.deep.include({ status: 'failed', severity: 'temporary', reason: 'mailbox full', at: iso(late.at) });
    }
  });

  it('a campaign to several recipients: each keeps its furthest outcome, engagement is counted apart, and the buckets add up', async () => {
    const sent = await call(gw, 'POST', '/send-mail', { headers: { 'x-api-key': KEY }, json: {
      to: ['quiet@example.com', 'greylisted@example.com', 'reader@example.com', 'gone@example.com'], subject: 'State', html: '<p>x</p>', text: 'x',
      from: 'reports@mg.gatehouse.local', campaign: { name: 'delivery-state', type: 'newsletter' } } });
    expect(sent.status, sent.text).to.equal(200);
    const id = (sent.body.messages[0].id as string).slice(1, -1);
    // The fake Mailgun posts its own "delivered" for every recipient; these events come after (and outrank or sit beside) it.
    const later = (e: Ev): Ev => ({ ...e, at: e.at + 3600 });
    await post(id, 'greylisted@example.com', later(E.temporary));
    await post(id, 'reader@example.com', later(E.opened));
    await post(id, 'reader@example.com', later(E.clicked));
    await post(id, 'gone@example.com', later(E.permanent));
    await post(id, 'gone@example.com', later(E.complained));
    // quiet@ stays as Mailgun left it (delivered once the fake's webhook lands); greylisted@ stays delivered, since a
    // delivery outranks a deferral whenever the deferral is stamped.
    let s: any;
    for (const end = Date.now() + 15_000; ;) {
      s = await status(id);
      if (s.summary.pending === 0 || Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    addsUp(s.summary);
    const by = Object.fromEntries(s.recipients.map((r: any) => [r.recipient, `${r.status}${r.severity ? `/${r.severity}` : ''}`]));
    expect(by).to.deep.equal({ 'quiet@example.com': 'delivered', 'greylisted@example.com': 'delivered', 'reader@example.com': 'delivered', 'gone@example.com': 'failed/permanent' });
    expect(s.summary).to.deep.equal({ recipients: 4, pending: 0, retrying: 0, delivered: 3, failed: 1, engagement: { opened: 1, clicked: 1, unsubscribed: 0, complained: 1 } });
  });

  it('a recipient whose last attempt failed temporarily is retrying, not failed', async () => {
    const id = `retrying-${randomBytes(4).toString('hex')}@mg.gatehouse.local`;
    for (const e of [E.accepted, E.temporary]) await post(id, 'linus@example.com', e);
    const s = await status(id);
    expect(s.summary).to.deep.include({ recipients: 1, pending: 0, retrying: 1, delivered: 0, failed: 0 });
    expect(s.recipients[0]).to.deep.include({ status: 'failed', severity: 'temporary' });
  });
});
