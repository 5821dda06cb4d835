/**
 * Redaction at record time (fixtures/redaction.json), and a scan of everything replay wrote under fixtures/: no
 * secret value of the fake Vault/AWS/Mailgun/Extend/Customer.io seeds, no raw seeded email, no card number.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redactor, luhnValid } from '../../scripts/lib/replay/redaction.ts';
import { seededEmails, seededSecretValues } from '../../scripts/lib/replay/seeds.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;
const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

const rules = new Redactor().rules;
const SENSITIVE = new Set(rules.bodyFields.map((f) => f.toLowerCase()));

/** JSON paths of sensitive fields holding a scalar other than the marker. */
function unmasked(docs: unknown[]): string[] {
  const out: string[] = [];
  const visit = (v: unknown, path: string, inside: boolean): void => {
    if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`, inside));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, `${path}.${k}`, inside || SENSITIVE.has(k.toLowerCase()));
    else if (inside && (typeof v === 'string' || typeof v === 'number') && v !== '' && v !== rules.marker) out.push(path);
  };
  docs.forEach((d, i) => visit(d, `#${i}`, false));
  return out;
}

/** The JSON request and response bodies of a HAR. */
function harBodies(text: string): unknown[] {
  const entries = (JSON.parse(text) as { log: { entries: { request: { postData?: { text?: string } }; response: { content?: { text?: string } } }[] } }).log.entries;
  return entries.flatMap((e) => [e.request.postData?.text, e.response.content?.text]).flatMap((t) => {
    try { return t ? [JSON.parse(t)] : []; } catch { return []; }
  });
}

describe('redaction', () => {
  const r = new Redactor(undefined, ['s3cr3t-chain-value']);

  it('masks credential headers, keeping only the auth scheme', () => {
    const h = r.headers({ authorization: 'Bearer eyJabc.def.ghi', signature: 'keyId="k",signature="x"', digest: 'SHA-256=abc', cookie: 'sid=1', 'x-api-key': 'k-123456', token: 'tok', accept: 'application/json' });
    expect(h).to.deep.equal({ authorization: 'Bearer [REDACTED]', signature: '[REDACTED]', digest: '[REDACTED]', cookie: '[REDACTED]', 'x-api-key': '[REDACTED]', token: '[REDACTED]', accept: 'application/json' });
  });

  it('masks tokens in query strings and hashes emails in paths', () => {
    const u = r.url('https://h.example/customers/ada%40example.com/x?token=abc&limit=2&X-Amz-Signature=ff');
    expect(u).to.equal(`https://h.example/customers/${encodeURIComponent(r.emailPlaceholder('ada@example.com'))}/x?token=%5BREDACTED%5D&limit=2&X-Amz-Signature=%5BREDACTED%5D`);
  });

  it('replaces Luhn-valid card numbers and CVCs, but not other long numbers', () => {
    expect(luhnValid('4242424242424242')).to.equal(true);
    const out = JSON.parse(r.body(JSON.stringify({ pan: '4111 1111 1111 1111', note: 'card 4242-4242-4242-4242 ok', cvc: '123', order: '4242424242424241' }), 'application/json'));
    expect(out).to.deep.equal({ pan: '[REDACTED]', note: 'card [REDACTED-CARD] ok', cvc: '[REDACTED]', order: '4242424242424241' });
  });

  it('replaces any secret-chain value wherever it appears', () => {
    expect(r.body('{"x":"pre-s3cr3t-chain-value-post"}', 'application/json')).to.equal('{"x":"pre-[REDACTED]-post"}');
    expect(r.string('plain s3cr3t-chain-value text')).to.equal('plain [REDACTED] text');
  });

  it('hashes an email to the same placeholder every time, and different emails apart', () => {
    const a = r.emailPlaceholder('Ada@Example.com');
    expect(a).to.match(/^user-[0-9a-f]{8}@redacted\.invalid$/);
    expect(r.string('to ada@example.com')).to.equal(`to ${a}`);
    expect(r.emailPlaceholder('grace@example.com')).to.not.equal(a);
    expect(r.string(r.string('ada@example.com'))).to.equal(a);
  });

  it('hashes configured PII fields consistently and only once', () => {
    const once = r.json({ first_name: 'Ada', phone: '+44 20 7946 0000' }) as Record<string, string>;
    expect(once.first_name).to.match(/^pii-[0-9a-f]{8}$/);
    expect(r.json(once)).to.deep.equal(once);
  });

  it('masks camelCase token fields and keeps a typed wrapper\'s shape with its value masked', () => {
    const body = JSON.parse(r.body(JSON.stringify({ token: 't1', refreshToken: 'r1', Item: { accessToken: { S: 'a1' }, n: { N: '1' } }, ok: true }), 'application/json'));
    expect(body).to.deep.equal({ token: '[REDACTED]', refreshToken: '[REDACTED]', Item: { accessToken: { S: '[REDACTED]' }, n: { N: '1' } }, ok: true });
  });

  describe('scan of everything replay wrote under fixtures/', () => {
    // The seed files themselves are the source of these values; everything else under fixtures/ must be clean.
    const written = [...walk(join(FIXTURES, 'recordings')), ...walk(join(FIXTURES, 'upstream')), join(FIXTURES, 'redaction.json'), join(FIXTURES, 'replay-rules.json')];
    const secrets = seededSecretValues();
    const emails = seededEmails();

    it('finds the seeded secrets and emails it scans for', () => {
      expect(secrets).to.include.members(['local-fake-track-api-key', 'ada-Extend-2024!', 'key-gatehouse-local-0000000000000000', '5f1e2a9b-local-gatehouse-secret-id']);
      expect(emails).to.include.members(['ada@example.com', 'grace@example.com']);
      expect(written.filter((f) => f.endsWith('.har')).length).to.be.greaterThan(2);
    });

    for (const file of written) {
      it(`${file.slice(FIXTURES.length)} holds no secret, raw email or card number`, () => {
        const text = readFileSync(file, 'utf8');
        const decoded = (() => { try { return decodeURIComponent(text); } catch { return text; } })();
        for (const s of secrets) expect(text.includes(s) || decoded.includes(s), `secret ${s.slice(0, 4)}…`).to.equal(false);
        for (const e of emails) expect(decoded.toLowerCase().includes(e), `email ${e}`).to.equal(false);
        const cards = (text.match(/(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g) ?? []).filter((m) => luhnValid(m.replace(/[ -]/g, '')));
        expect(cards, 'card numbers').to.deep.equal([]);
        expect(text).to.not.match(/Bearer eyJ|Basic [A-Za-z0-9+/]{8,}/);
        // A value under a field the rules call sensitive is masked, whatever the value (tokens minted at run time
        // are in no seed, so only the field name can tell).
        expect(unmasked(file.endsWith('.har') ? harBodies(text) : [JSON.parse(text)]), 'sensitive fields not masked').to.deep.equal([]);
      });
    }
  });
});
