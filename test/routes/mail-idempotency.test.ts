/**
 * /send-mail sends once per Idempotency-Key, across containers (cold starts sharing the stack's DynamoDB), when
 * Mailgun answers late, drops the connection, fails, or the client sends the same request twice at once.
 * Unknown outcomes are settled from the fake Mailgun's events API by the message's user variable.
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { MESSAGES, campaignBody, mailSuite } from '../helpers/mail.ts';
import { admin, injectFault } from '../helpers/stack.ts';

const body = campaignBody;
const SLOW = { UPSTREAM_TIMEOUT_MS: '300', MAIL_OUTCOME_SETTLE_SECONDS: '60' };

describe('/send-mail idempotency', function () {
  this.timeout(30_000);
  const suite = mailSuite();
  const { coldStart, mailgunCalls } = suite;
  let stack: Stack;
  before(() => { stack = suite.stack(); });

  beforeEach(async () => {
    await admin(stack.urls.mailgun, '/reset', { method: 'POST' });
  });

  const fault = (spec: Record<string, unknown>) => injectFault(stack.urls.mailgun, { match: { path: MESSAGES }, ...spec });
  const held = async (subject: string) => ((await admin(stack.urls.mailgun, '/messages')).messages as { subject: string; id: string }[]).filter((m) => m.subject === subject);
  async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
    for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
      const v = await fn();
      if (v !== undefined) return v;
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('answers a retry with the first answer, marked Idempotent-Replayed, and sends nothing', async () => {
    const { post } = await coldStart();
    const first = await post(body({ subject: 'replayed' }), 'key-replay');
    expect(first.status).to.equal(200);
    expect(first.headers.get('idempotency-key')).to.equal('key-replay');
    const again = await post(body({ subject: 'replayed' }), 'key-replay');
    expect(again.status).to.equal(200);
    expect(again.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.body).to.deep.equal(first.body);
    expect(await mailgunCalls()).to.equal(1);
  });

  it('refuses the same key with another body (422), and a key still in flight (409 with Retry-After)', async () => {
    const { post } = await coldStart();
    expect((await post(body({ subject: 'one' }), 'key-reuse')).status).to.equal(200);
    const other = await post(body({ subject: 'two' }), 'key-reuse');
    expect(other.status).to.equal(422);
    expect(other.body.error.code).to.equal('idempotency_key_reused');

    await fault({ latencyMs: 1500 });
    const slow = await coldStart({ UPSTREAM_TIMEOUT_MS: '5000' });
    const inFlight = slow.post(body({ subject: 'concurrent' }), 'key-busy');
    await until('the first request to reach Mailgun', async () => ((await mailgunCalls()) === 2 ? true : undefined));
    const second = await post(body({ subject: 'concurrent' }), 'key-busy');
    expect(second.status).to.equal(409);
    expect(second.body.error.code).to.equal('idempotency_key_in_use');
    expect(Number(second.headers.get('retry-after'))).to.be.within(1, 30);
    expect((await inFlight).status).to.equal(200);
    expect(await held('concurrent')).to.have.length(1);
  });

  it('sends once when Mailgun took the mail but answered after the timeout: 504 "unknown", then the retry in another container finds it', async () => {
    const a = await coldStart(SLOW);
    // The other container is warm before the first send, so its early retry lands well inside Mailgun's delay.
    const b = await coldStart(SLOW, a.clock);
    await fault({ latencyMs: 3000 });
    const first = await a.post(body({ subject: 'late answer' }), 'key-late');
    expect(first.status).to.equal(504);
    expect(first.body.error).to.deep.include({ code: 'upstream_timeout' });
    expect(first.body.error.details).to.deep.include({ outcome: 'unknown', idempotencyKey: 'key-late' });
    expect(first.headers.get('retry-after')).to.match(/^\d+$/);

    // Retried before Mailgun got to it: still unknown, so nothing is sent.
    const early = await b.post(body({ subject: 'late answer' }), 'key-late');
    expect(early.status, JSON.stringify(early.body)).to.equal(503);
    expect(early.body.error.code).to.equal('outcome_pending');
    const [message] = await until('Mailgun to take the delayed message', async () => {
      const m = await held('late answer');
      return m.length ? m : undefined;
    });
    const retry = await b.post(body({ subject: 'late answer' }), 'key-late');
    expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
    expect(retry.body.messages).to.deep.equal([{ id: message.id, recipients: 1 }]);
    expect(await held('late answer'), 'one message at Mailgun').to.have.length(1);
    expect(await mailgunCalls(), 'one send: the retry only looked at the events').to.equal(1);
    const replay = await a.post(body({ subject: 'late answer' }), 'key-late');
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
  });

  it('treats a connection lost after sending as unknown, and sends only once the settle window has passed without an event', async () => {
    const c = await coldStart(SLOW);
    await fault({ drop: true });
    const first = await c.post(body({ subject: 'dropped' }), 'key-drop');
    expect(first.status).to.equal(504);
    expect(first.body.error.code).to.equal('upstream_connection_lost');
    expect(await mailgunCalls()).to.equal(1);
    const pending = await c.post(body({ subject: 'dropped' }), 'key-drop');
    expect(pending.status).to.equal(503);
    expect(Number(pending.headers.get('retry-after'))).to.be.within(1, 30);
    expect(await mailgunCalls(), 'nothing re-sent inside the window').to.equal(1);
    c.clock.advance(61_000);
    const sent = await c.post(body({ subject: 'dropped' }), 'key-drop');
    expect(sent.status, JSON.stringify(sent.body)).to.equal(200);
    expect(await held('dropped')).to.have.length(1);
  });

  it('forgets a key whose send failed for sure, so the retry sends', async () => {
    const { post } = await coldStart();
    await fault({ status: 500, count: 3 });
    expect((await post(body({ subject: 'failed first' }), 'key-500')).status).to.equal(502);
    const retry = await post(body({ subject: 'failed first' }), 'key-500');
    expect(retry.status).to.equal(200);
    expect(retry.headers.get('idempotent-replayed')).to.equal(null);
    expect(await held('failed first')).to.have.length(1);
  });

  it('resumes a partly sent campaign with only the batches not yet sent', async () => {
    const { post } = await coldStart({ MAILGUN_BATCH_SIZE: '1' });
    const to = ['ada@example.com', 'grace@example.com', 'linus@example.com'];
    // The first batch is held at Mailgun while the next three attempts (the second batch's) are set to fail.
    await fault({ latencyMs: 400 });
    const first = post(body({ to, subject: 'partial' }), 'key-partial');
    await until('the first batch to reach Mailgun', async () => ((await mailgunCalls()) === 1 ? true : undefined));
    await fault({ status: 500, count: 3 });
    const failed = await first;
    expect(failed.status).to.equal(502);
    expect(failed.body.error.details.sent).to.have.length(1);
    expect(failed.body.error.message).to.contain('retry with the same Idempotency-Key to send the rest');
    const retry = await post(body({ to, subject: 'partial' }), 'key-partial');
    expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
    expect(retry.body.messages.map((m: { id: string }) => m.id)[0]).to.equal(failed.body.error.details.sent[0]);
    const messages = await held('partial');
    expect(messages, 'one message per recipient').to.have.length(3);
  });

  it('derives a key when the client sends none: an identical send is a retry, and the answer names the key', async () => {
    const { post } = await coldStart();
    const first = await post(body({ subject: 'no key' }), null);
    expect(first.status).to.equal(200);
    const derived = first.headers.get('idempotency-key')!;
    expect(derived).to.match(/^derived-[0-9a-f]{40}$/);
    const reordered = await post(body({ subject: 'no key' }), null);
    expect(reordered.headers.get('idempotent-replayed')).to.equal('true');
    expect((await post(body({ subject: 'no key' }), derived)).headers.get('idempotent-replayed'), 'sending the derived key back').to.equal('true');
    expect((await post(body({ subject: 'no key, other text', text: 'other' }), null)).headers.get('idempotent-replayed')).to.equal(null);
    expect(await held('no key')).to.have.length(1);
  });

  it('tags each message with the user variable the settle step looks for', async () => {
    const { post } = await coldStart();
    expect((await post(body({ subject: 'tagged' }), 'key-tag')).status).to.equal(200);
    const [m] = await held('tagged');
    const full = await admin(stack.urls.mailgun, `/messages/${encodeURIComponent(m.id)}`);
    expect(Object.keys(full.variables ?? {})).to.include('gatehouse-send');
  });
});
