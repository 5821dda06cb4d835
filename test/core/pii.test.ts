/**
 * The PII sanitiser and its place at the client boundary: what is dropped and hashed, in JSON and form bodies,
 * and to which upstreams it applies (third parties yes; Vault and AWS no; Extend's sign-in keeps its password).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient, type Exchange } from '../../proxy/core/http-client.ts';
import { loadPiiConfig, PiiSanitiser, DEFAULT_DROP_FIELDS } from '../../proxy/core/pii.ts';
import { piiRuleFor, sanitiseOutbound, withPiiSanitiser } from '../../proxy/core/pii-client.ts';
import { ConfigError } from '../../proxy/core/config.ts';
import { ProxyError } from '../../proxy/core/errors.ts';

const SALT = 'test-pii-salt';
const sha = (v: string) => createHash('sha256').update(v + SALT).digest('hex');
const sanitiser = (env: Record<string, string> = {}) => new PiiSanitiser(loadPiiConfig(env), SALT);
const jsonReq = (upstream: string, body: unknown, url = 'https://api.example.com/x') =>
  ({ upstream, method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const sentJson = (r: { req: { body?: string | Buffer } }) => JSON.parse(String(r.req.body));

describe('PII sanitiser', () => {
  describe('values', () => {
    it('drops every sensitive field at any depth, in objects and arrays, whatever its spelling', () => {
      const { value, touched } = sanitiser().sanitise({
        name: 'Ada', ssn: '1', Password: '2', creditCard: '3', 'bank-account': '4',
        profile: { deep: { deeper: [{ SSN: '5', keep: 'yes', cards: [{ credit_card: '6', cvv: '7' }] }] } },
      });
      expect(value).to.deep.equal({ name: 'Ada', profile: { deep: { deeper: [{ keep: 'yes', cards: [{}] }] } } });
      expect(touched).to.include.members(['ssn', 'password', 'creditcard', 'bankaccount', 'cvv']);
    });

    it('replaces phone, address and date_of_birth by <field>_hash = SHA-256(value + PII_SALT), at any depth', () => {
      const { value } = sanitiser().sanitise({ phone: '+1234567890', nested: { date_of_birth: '1815-12-10', address: { city: 'London' } } });
      expect(value).to.deep.equal({
        phone_hash: sha('+1234567890'),
        nested: { date_of_birth_hash: sha('1815-12-10'), address_hash: sha(JSON.stringify({ city: 'London' })) },
      });
    });

    it('keeps the plain value beside its hash when PII_KEEP_PLAIN=true', () => {
      expect(sanitiser({ PII_KEEP_PLAIN: 'true' }).sanitise({ phone: '+1' }).value).to.deep.equal({ phone_hash: sha('+1'), phone: '+1' });
    });

    it('takes its lists from PII_DROP_FIELDS and PII_HASH_FIELDS', () => {
      const s = sanitiser({ PII_DROP_FIELDS: 'passport_number', PII_HASH_FIELDS: 'postcode' });
      expect(s.sanitise({ passport_number: 'X', postcode: 'N1', ssn: 'kept: not in the configured list' }).value)
        .to.deep.equal({ postcode_hash: sha('N1'), ssn: 'kept: not in the configured list' });
    });

    it('refuses a field that is both dropped and hashed, and a PII_KEEP_PLAIN that is not a boolean', () => {
      expect(() => loadPiiConfig({ PII_DROP_FIELDS: 'phone' })).to.throw(ConfigError, /phone/);
      expect(() => loadPiiConfig({ PII_KEEP_PLAIN: 'yes' })).to.throw(ConfigError, /PII_KEEP_PLAIN/);
    });

    it('without a salt drops a field to hash and sends no hash (never the plain value)', () => {
      expect(new PiiSanitiser(loadPiiConfig({})).sanitise({ phone: '+1', plan: 'pro' }).value).to.deep.equal({ plan: 'pro' });
    });

    it('a computed hash wins over a client-sent <field>_hash; null stays null (the attribute is removed upstream)', () => {
      expect(sanitiser().sanitise({ phone_hash: 'forged', phone: '+1' }).value).to.deep.equal({ phone_hash: sha('+1') });
      expect(sanitiser().sanitise({ phone: null }).value).to.deep.equal({ phone_hash: null });
    });

    it('keeps a __proto__ key an ordinary field', () => {
      const { value } = sanitiser().sanitise(JSON.parse('{"__proto__":{"ssn":"1","x":2}}'));
      expect(JSON.stringify(value)).to.equal('{"__proto__":{"x":2}}');
      expect(({} as Record<string, unknown>).x).to.equal(undefined);
    });

    it('refuses a payload nested deeper than 64 levels with a 400 rather than sending it half-checked', () => {
      let deep: unknown = { ssn: '1' };
      for (let i = 0; i < 100; i++) deep = { d: deep };
      expect(() => sanitiser().sanitise(deep)).to.throw(ProxyError).with.property('code', 'payload_too_deep');
    });
  });

  describe('at the client boundary', () => {
    it('applies to Customer.io, Mailgun, Extend and unknown upstreams; never to Vault or AWS', () => {
      for (const u of ['customerio-track', 'customerio-app', 'mailgun', 'extend', 'some-new-api']) expect(piiRuleFor(u).sanitise, u).to.equal(true);
      for (const u of ['vault', 's3', 'aws-dynamodb', 'aws-ssm', 'aws-secretsmanager']) expect(piiRuleFor(u).sanitise, u).to.equal(false);
    });

    it('leaves the proxy\'s own credentials alone: a Vault login and an AWS call keep their bodies byte for byte', () => {
      const login = { upstream: 'vault', method: 'POST', url: 'http://vault/v1/auth/userpass/login/x', headers: { 'content-type': 'application/json' }, body: '{"password":"p","secret_id":"s"}' };
      expect(sanitiseOutbound(login, sanitiser()).req).to.equal(login);
      const ddb = { ...login, upstream: 'aws-dynamodb', body: Buffer.from('{"Item":{"password":{"S":"x"}}}') };
      expect(sanitiseOutbound(ddb, sanitiser()).req).to.equal(ddb);
    });

    it('lets Extend\'s POST /signin carry the user\'s Extend password, and nothing else sensitive', () => {
      const out = sentJson(sanitiseOutbound(jsonReq('extend', { email: 'ada@example.com', password: 'pw', ssn: '1' }, 'https://api.paywithextend.com/signin'), sanitiser()));
      expect(out).to.deep.equal({ email: 'ada@example.com', password: 'pw' });
      const elsewhere = sentJson(sanitiseOutbound(jsonReq('extend', { password: 'pw' }, 'https://api.paywithextend.com/virtualcards'), sanitiser()));
      expect(elsewhere).to.deep.equal({});
    });

    it('sends an untouched body as it was (same bytes), and a touched one re-serialised', () => {
      const clean = jsonReq('customerio-track', { name: 'x', data: { price: 1 } });
      expect(sanitiseOutbound(clean, sanitiser()).req).to.equal(clean);
      const escaped = { ...clean, body: '{"data":{"\\u0073sn":"1","ok":true}}' };
      expect(sentJson(sanitiseOutbound(escaped, sanitiser()))).to.deep.equal({ data: { ok: true } });
    });

    it('sanitises form bodies: prefixed and bracketed names, and JSON inside a field (Mailgun recipient-variables)', () => {
      const form = new URLSearchParams([['to', 'a@example.com'], ['v:ssn', '1'], ['v:phone', '+1'], ['customer[password]', 'x'],
        ['recipient-variables', JSON.stringify({ 'a@example.com': { email: 'a@example.com', bank_account: 'GB00', address: 'x' } })], ['text', 'hello {password}']]);
      const out = sanitiseOutbound({ upstream: 'mailgun', method: 'POST', url: 'https://api.mailgun.net/v3/d/messages', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() }, sanitiser());
      const sent = new URLSearchParams(String(out.req.body));
      expect([...sent.keys()]).to.deep.equal(['to', 'v:phone_hash', 'recipient-variables', 'text']);
      expect(sent.get('v:phone_hash')).to.equal(sha('+1'));
      expect(JSON.parse(sent.get('recipient-variables')!)).to.deep.equal({ 'a@example.com': { email: 'a@example.com', address_hash: sha('x') } });
      expect(sent.get('text')).to.equal('hello {password}');
    });

    it('refuses to send a body it cannot inspect: unreadable JSON, or another content type that names a field', () => {
      const bad = { ...jsonReq('customerio-track', {}), body: '{"ssn":' };
      expect(() => sanitiseOutbound(bad, sanitiser())).to.throw(ProxyError).with.property('code', 'outbound_body_not_inspectable');
      const xml = { upstream: 'mailgun', method: 'POST', url: 'https://x/y', headers: { 'content-type': 'text/xml' }, body: '<ssn>1</ssn>' };
      expect(() => sanitiseOutbound(xml, sanitiser())).to.throw(ProxyError).with.property('code', 'outbound_body_not_inspectable');
    });

    it('is what leaves the process: the upstream and the recording hook both see only the sanitised body', async () => {
      const received: string[] = [];
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => { received.push(Buffer.concat(chunks).toString()); res.end('{}'); });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      try {
        const inner = createHttpClient();
        const seen: Exchange[] = [];
        inner.onExchange((x) => seen.push(x));
        const client = withPiiSanitiser(inner, sanitiser());
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/customers/x`;
        await client.send(jsonReq('customerio-track', { plan: 'pro', password: 'hunter2', phone: '+1' }, url));
        const expected = { plan: 'pro', phone_hash: sha('+1') };
        expect(JSON.parse(received[0])).to.deep.equal(expected);
        expect(JSON.parse(String(seen[0].request.body))).to.deep.equal(expected);
      } finally {
        server.close();
      }
    });

    it('drops the seed\'s four sensitive fields by default', () => {
      for (const f of ['ssn', 'password', 'credit_card', 'bank_account']) expect(DEFAULT_DROP_FIELDS).to.include(f);
    });
  });
});
