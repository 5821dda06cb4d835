/**
 * Recording through the stack's gateway: the recording proxy forwards unchanged, and the HAR it writes holds each
 * exchange in arrival order with timings and identity — with credentials, secrets, emails and card numbers gone.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '../../emulators/stack/index.ts';
import type { Listening } from '../../emulators/shared/emulator.ts';
import { parseHar } from '../../scripts/lib/replay/har.ts';
import { HarWriter } from '../../scripts/lib/replay/har-write.ts';
import { startRecorder } from '../../scripts/lib/replay/recorder-proxy.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import { testStack } from '../helpers/stack.ts';

describe('npm run record: the recording proxy in front of the gateway', function () {
  // A whole stack starts first; on a loaded 2-core machine that alone took over 20 s.
  this.timeout(60_000);
  let stack: Stack;
  let recorder: Listening;
  let writer: HarWriter;
  const file = join(mkdtempSync(join(tmpdir(), 'record-test-')), 'capture.har');
  const redact = new Redactor(undefined, seededSecretValues());
  let token: string;

  before(async () => {
    stack = await testStack();
    writer = new HarWriter(file, redact);
    recorder = await startRecorder({ target: stack.gateway.url, arrive: () => writer.arrive(), identify: async (h) => (h.authorization ? 'ada@example.com' : undefined) });
    token = await stack.gateway.mintToken('ada@example.com');
    const send = (path: string, init: RequestInit) => fetch(recorder.url + path, init).then(async (r) => ({ status: r.status, body: await r.text() }));
    const first = await send('/customers/ada%40example.com/events', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', cookie: 'sid=abc' }, body: JSON.stringify({ name: 'paid', data: { card: '4242 4242 4242 4242', cvc: '123', note: 'ada-Extend-2024!' } }) });
    expect(first.status, first.body).to.equal(200);
    await send('/events?token=query-secret', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"anon","anonymous_id":"grace@example.com"}' });
    await send('/customers/ada%40example.com/events', { method: 'POST', headers: { authorization: 'Bearer not-a-jwt', 'content-type': 'application/json' }, body: '{"name":"x"}' });
    writer.flush();
  });
  after(async () => { await recorder?.close(); await stack?.close(); });

  it('writes every exchange as HAR 1.2 in arrival order, with timings and the gateway\'s own answers', () => {
    const har = JSON.parse(readFileSync(file, 'utf8'));
    expect(har.log.version).to.equal('1.2');
    const entries = har.log.entries;
    expect(entries.map((e: any) => e.response.status)).to.deep.equal([200, 200, 401]);
    for (const e of entries) {
      expect(Date.parse(e.startedDateTime)).to.be.a('number').and.not.NaN;
      expect(e.timings.wait).to.be.a('number').at.least(0);
      expect(e.time).to.be.at.least(e.timings.wait);
    }
    expect(entries[2].response.content.text).to.equal('{"message":"Unauthorized"}');
    expect(parseHar(readFileSync(file, 'utf8'), 'capture.har')).to.have.length(3);
  });

  it('redacts before writing: credentials, cookies, query tokens, card numbers, CVCs, secrets and emails', () => {
    const text = readFileSync(file, 'utf8');
    for (const leaked of [token, 'sid=abc', 'query-secret', '4242 4242 4242 4242', '"123"', 'ada-Extend-2024!', 'ada@example.com', 'ada%40example.com', 'grace@example.com', 'not-a-jwt']) {
      expect(text, leaked).to.not.include(leaked);
    }
    const [e0, e1] = JSON.parse(text).log.entries;
    const header = (e: any, n: string) => e.request.headers.find((h: any) => h.name === n)?.value;
    expect(header(e0, 'authorization')).to.equal('Bearer [REDACTED]');
    expect(header(e0, 'cookie')).to.equal('[REDACTED]');
    expect(e0.request.url).to.include(encodeURIComponent(redact.emailPlaceholder('ada@example.com')));
    expect(e0._identity).to.equal(redact.emailPlaceholder('ada@example.com'));
    expect(JSON.parse(e0.request.postData.text).data).to.deep.equal({ card: '[REDACTED-CARD]', cvc: '[REDACTED]', note: '[REDACTED]' });
    expect(e1.request.url).to.match(/\/events\?token=%5BREDACTED%5D$/);
    expect(JSON.parse(e1.request.postData.text).anonymous_id).to.equal(redact.emailPlaceholder('grace@example.com'));
  });
});
