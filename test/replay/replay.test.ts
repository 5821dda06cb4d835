/**
 * The replay engine against a small loopback target: diff rules (a changed field fails, volatile ones do not),
 * per-user ordering with users in parallel, the CLI's exit code and a JUnit file whose structure CI tools read.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { runReplayCli } from '../../scripts/lib/replay/cli.ts';
import { compareResponses } from '../../scripts/lib/replay/diff.ts';
import { IdentityMap } from '../../scripts/lib/replay/identity.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { loadCompareRules } from '../../scripts/lib/replay/rules.ts';
import { progressPrinter } from '../../scripts/lib/replay/report.ts';
import type { EntryResult } from '../../scripts/lib/replay/runner.ts';

const rules = loadCompareRules();
const obs = (body: unknown, status = 200) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const jwtFor = (email: string) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ email })).toString('base64url')}.sig`;
const creds = { bearer: async (email: string) => jwtFor(email) };

describe('replay', () => {
  describe('diff rules', () => {
    it('fails a changed field and names it', () => {
      const d = compareResponses(rules, 'GET', '/cards', obs({ cards: [{ name: 'a', limitCents: 100 }] }), obs({ cards: [{ name: 'a', limitCents: 200 }] }));
      expect(d).to.deep.equal([{ where: '$.cards[0].limitCents', expected: 100, actual: 200 }]);
    });

    it('fails a changed status, a missing field and a changed content type', () => {
      const d = compareResponses(rules, 'GET', '/x', obs({ a: 1, b: 2 }), { status: 500, headers: { 'content-type': 'text/html' }, body: '{"a":1}' });
      expect(d.map((x) => x.where)).to.deep.equal(['status', 'header content-type', '$.b']);
    });

    it('passes volatile values: ids, ULIDs, timestamps, signatures and presigned URL query strings', () => {
      const before = { id: 'a', event: '01HZY7Q2V5N0F6P2XKQ4J8T3RS', at: '2025-06-01T10:00:00Z', signature: 'x', url: 'https://cdn.example/r.pdf?Expires=1&Signature=a&Key-Pair-Id=K' };
      const after = { id: 'b', event: '01J0000000000000000000000Z', at: '2026-01-01T00:00:00.123Z', signature: 'y', url: 'https://cdn.example/r.pdf?Expires=2&Signature=b&Key-Pair-Id=K' };
      expect(compareResponses(rules, 'GET', '/x', obs(before), obs(after))).to.deep.equal([]);
    });

    it('still fails a presigned URL to another object, or a ULID replaced by a name', () => {
      const d = compareResponses(rules, 'GET', '/x', obs({ url: 'https://cdn.example/a.pdf?Signature=a', event: '01HZY7Q2V5N0F6P2XKQ4J8T3RS' }), obs({ url: 'https://cdn.example/b.pdf?Signature=b', event: 'oops' }));
      expect(d.map((x) => x.where)).to.deep.equal(['$.url', '$.event']);
    });

    it('applies per-route ignores from fixtures/replay-rules.json only on that route', () => {
      const a = obs({ activities: [{ data: { n: 1 } }] });
      const b = obs({ activities: [{ data: { n: 2 } }] });
      expect(compareResponses(rules, 'GET', '/customers/x/activities', a, b)).to.deep.equal([]);
      expect(compareResponses(rules, 'GET', '/other', a, b)).to.have.length(1);
    });
  });

  describe('identities', () => {
    const redact = new Redactor();
    const ada = redact.emailPlaceholder('ada@example.com');
    const grace = redact.emailPlaceholder('grace@example.com');

    it('sends placeholders as the emails replay acts as and turns answers back, plain or percent-encoded', () => {
      const ids = new IdentityMap(redact, ['ada@example.com']);
      expect(ids.forward(`/customers/${ada.replace('@', '%40')}/events`)).to.equal('/customers/ada%40example.com/events');
      const other = ids.resolve(grace);
      expect(other).to.match(/^replay-[0-9a-f]{8}@example\.test$/);
      const live = `{"email":"ada@example.com","next":"/customers/ada%40example.com?x=1","peer":"${other}","stranger":"eve@example.com"}`;
      expect(ids.backward(live)).to.equal(`{"email":"${ada}","next":"/customers/${ada.replace('@', '%40')}?x=1","peer":"${grace}","stranger":"eve@example.com"}`);
    });

    it('leaves a longer address that merely contains a replayed one alone', () => {
      const ids = new IdentityMap(redact, ['ada@example.com']);
      ids.resolve(ada);
      expect(ids.backward('xada@example.com ada@example.community')).to.equal('xada@example.com ada@example.community');
    });
  });

  describe('progress', () => {
    const result = (verdict: EntryResult['verdict']) => ({ entry: { index: 3, method: 'GET', url: new URL('http://h/x') }, lane: 'a', verdict, diffs: [], ms: 1.5 }) as unknown as EntryResult;

    it('draws one bar in place on a TTY', () => {
      let out = '';
      const p = progressPrinter((s) => (out += s), true);
      p(result('pass'), 2, 2);
      expect(out).to.equal(`\r[${'#'.repeat(30)}] 2/2\n`);
    });

    it('prints a plain line per request elsewhere (CI logs)', () => {
      let out = '';
      const p = progressPrinter((s) => (out += s), false);
      p(result('pass'), 1, 2);
      p(result('fail'), 2, 2);
      expect(out.split('\n').filter(Boolean)).to.deep.equal(['PASS  #3 GET /x (1.5 ms)', 'FAIL  #3 GET /x (1.5 ms)']);
      expect(out).to.not.include('\r');
    });
  });

  describe('against a target', () => {
    let target: Listening;
    const seen: { user: string; seq: number; at: number }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const dir = mkdtempSync(join(tmpdir(), 'replay-test-'));

    before(async () => {
      target = await listen(http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
          const user = JSON.parse(Buffer.from(String(req.headers.authorization).split('.')[1], 'base64url').toString()).email;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // Later requests of a lane answer faster: a lane that did not wait for each answer would reorder.
          setTimeout(() => {
            inFlight--;
            seen.push({ user, seq: body.seq, at: seen.length });
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seq: body.seq, user, price: body.price ?? 1, id: `id-${Math.random()}` }));
          }, 20 - body.seq * 3);
        });
      }), 0);
    });
    after(() => target.close());

    const entry = (user: string, seq: number, answerPrice = 1) => ({
      startedDateTime: new Date(1_700_000_000_000 + seq * 10).toISOString(),
      request: { method: 'POST', url: `https://api.example/orders?u=${encodeURIComponent(user)}`, headers: [{ name: 'authorization', value: 'Bearer [REDACTED]' }, { name: 'content-type', value: 'application/json' }], postData: { mimeType: 'application/json', text: JSON.stringify({ seq }) } },
      response: { status: 200, headers: [{ name: 'content-type', value: 'application/json' }], content: { mimeType: 'application/json', text: JSON.stringify({ seq, user, price: answerPrice, id: 'id-recorded' }) } },
      _identity: user,
    });
    const writeHar = (name: string, entries: unknown[]) => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify({ log: { version: '1.2', entries } }));
      return f;
    };
    const run = (file: string, extra: string[] = []) => {
      let out = '';
      return runReplayCli([file, '--target', target.url, ...extra], { out: (s) => (out += s), err: (s) => (out += s), tty: false, credentials: creds }).then((r) => ({ ...r, out }));
    };

    it('keeps each user\'s requests in recorded order while users run in parallel, and exits 0 when all match', async () => {
      const users = ['u1@example.test', 'u2@example.test', 'u3@example.test', 'u4@example.test'];
      const entries = [0, 1, 2, 3, 4].flatMap((seq) => users.map((u) => entry(u, seq)));
      seen.length = 0;
      maxInFlight = 0;
      const { code, out } = await run(writeHar('order.har', entries), ['--concurrency', '4']);
      expect(code, out).to.equal(0);
      for (const u of users) expect(seen.filter((s) => s.user === u).map((s) => s.seq)).to.deep.equal([0, 1, 2, 3, 4]);
      expect(maxInFlight).to.be.greaterThan(1);
    });

    it('exits 1 on a changed field, prints a readable diff and writes JUnit XML CI tools read', async () => {
      const junit = join(dir, 'out.xml');
      const { code, out } = await run(writeHar('diff.har', [entry('a@example.test', 0), entry('a@example.test', 1, 99)]), ['--junit', junit]);
      expect(code).to.equal(1);
      expect(out).to.include('✗ #1 POST /orders').and.include('$.price: expected 99, got 1');
      expect(out).to.match(/2 requests: 1 passed, 1 failed, 0 errors/);
      const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(junit, 'utf8'));
      const suite = doc.testsuites.testsuite;
      expect(doc.testsuites).to.include({ tests: '2', failures: '1', errors: '0' });
      expect(suite).to.include({ name: 'diff.har', tests: '2', failures: '1' });
      expect(suite.testcase).to.have.length(2);
      expect(suite.testcase[0]).to.not.have.property('failure');
      expect(suite.testcase[1].failure.type).to.equal('ResponseMismatch');
      expect(suite.testcase[1].failure['#text']).to.include('$.price');
      for (const tc of suite.testcase) expect(tc).to.include.keys('name', 'classname', 'time');
    });

    it('replays only entries matching --only', async () => {
      const { results } = await run(writeHar('only.har', [entry('a@example.test', 0), { ...entry('a@example.test', 1), request: { ...entry('a@example.test', 1).request, url: 'https://api.example/skip' } }]), ['--only', 'POST /orders']);
      expect(results.map((r) => r.entry.index)).to.deep.equal([0]);
    });

    it('answers an unreadable HAR with exit code 2 and a message naming the entry', async () => {
      const { code, out } = await run(writeHar('bad.har', [{ request: { method: 'GET', headers: [] }, response: { status: 200 } }]));
      expect(code).to.equal(2);
      expect(out).to.include('bad.har entry 0').and.not.include('    at ');
    });
  });
});
