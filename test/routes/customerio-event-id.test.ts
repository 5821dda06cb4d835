/** The event id derived for Customer.io's dedupe when the app sends none: what a retry keeps decides it. */
import { expect } from 'chai';
import { ulid } from 'ulid';
import { deriveEventId, ulidFrom } from '../../proxy/routes/customerio/event-id.ts';
import type { RouteRequest } from '../../proxy/core/types.ts';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const T0 = Date.parse('2025-06-01T10:00:00Z');

/** A request as the gateway re-signs each try: a new Date and request id every time. */
function attempt(at: number, headers: Record<string, string> = {}, path = '/customers/ada@example.com/events'): RouteRequest {
  return {
    method: 'POST', path, rawQuery: '', body: Buffer.alloc(0), requestId: String(at), params: {}, query: new URLSearchParams(),
    headers: { date: new Date(at).toUTCString(), 'x-gateway-request-id': `gw-${at}-${Math.random()}`, ...headers },
  };
}
const id = (req: RouteRequest, event: Record<string, unknown>, who = 'ada@example.com') => deriveEventId(req, who, event, req.headers.date ? Date.parse(req.headers.date) : T0);

describe('deriveEventId', () => {
  it('gives a retry of an event with a timestamp the same ULID, whenever it is retried', () => {
    const ev = { name: 'item_purchased', timestamp: 1748772000, data: { price: 29.99 } };
    const first = id(attempt(T0), ev);
    expect(first).to.match(ULID);
    expect(id(attempt(T0 + 45_000), ev)).to.equal(first);
    expect(id(attempt(T0 + 3_600_000), { data: { price: 29.99 }, timestamp: 1748772000, name: 'item_purchased' }), 'keys in another order').to.equal(first);
    // The time part is the event's own time.
    expect(first.slice(0, 10)).to.equal(ulid(1748772000 * 1000).slice(0, 10));
  });

  it('keeps distinct events distinct: another second, other data, another route or another person', () => {
    const ev = { name: 'item_purchased', timestamp: 1748772000, data: { price: 29.99 } };
    const base = id(attempt(T0), ev);
    const others = [
      id(attempt(T0), { ...ev, timestamp: 1748772001 }),
      id(attempt(T0), { ...ev, data: { price: 30 } }),
      id(attempt(T0, {}, '/events'), ev),
      id(attempt(T0), ev, 'grace@example.com'),
    ];
    expect(new Set([base, ...others]).size).to.equal(5);
  });

  it('uses an Idempotency-Key as the event: the same key is one event, two keys are two even for identical bodies', () => {
    const ev = { name: 'app_opened' };
    const a = id(attempt(T0, { 'idempotency-key': 'k-1' }), ev);
    expect(id(attempt(T0 + 600_000, { 'idempotency-key': 'k-1' }), ev), 'retried ten minutes later').to.equal(a);
    expect(id(attempt(T0, { 'idempotency-key': 'k-2' }), ev)).to.not.equal(a);
  });

  it('without timestamp or key, matches a retry inside the same minute window of the signed Date, and not across it', () => {
    const ev = { name: 'app_opened' };
    const a = id(attempt(T0 + 5_000), ev);
    expect(id(attempt(T0 + 50_000), ev), 'retried 45 s later, same window').to.equal(a);
    expect(id(attempt(T0 + 65_000), ev), 'the next window: the documented limit').to.not.equal(a);
    expect(a.slice(0, 10), 'time part: the window start').to.equal(ulid(T0).slice(0, 10));
  });

  it('refuses a malformed Idempotency-Key with 400', () => {
    expect(() => id(attempt(T0, { 'idempotency-key': 'has space' }), { name: 'x' })).to.throw().with.property('code', 'invalid_idempotency_key');
    expect(() => id(attempt(T0, { 'idempotency-key': 'x'.repeat(256) }), { name: 'x' })).to.throw().with.property('status', 400);
  });

  it('encodes any time and hash as a valid ULID', () => {
    const hash = Buffer.alloc(32, 0xff);
    expect(ulidFrom(undefined, hash)).to.match(ULID);
    expect(ulidFrom(0, Buffer.alloc(32))).to.equal('0'.repeat(26));
    expect(ulidFrom(2 ** 48 - 1, hash)).to.equal('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });
});
