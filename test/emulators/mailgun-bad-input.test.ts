/**
 * Malformed input to the Mailgun routes added for issue 15 (domains, connection, tracking, IPs, DKIM, web prefix,
 * credentials, certificates, whitelists, imports, the message store, resend, messages.mime, webhook tests, event
 * filters, the storage-host tunnel): a broken multipart body, a body of the wrong type, values of the wrong kind and
 * JSON nested 100,000 deep are answered 4xx in Mailgun's `{"message"}` shape, never a 5xx, and the fake keeps serving.
 */
import { expect } from 'chai';
import net from 'node:net';
import { DOMAIN, KEY, type MailgunHarness, startMailgunHarness } from '../helpers/mailgun.ts';

const auth = `Basic ${Buffer.from(`api:${KEY}`).toString('base64')}`;

const routes: [method: string, path: string, badValues: Record<string, string>][] = [
  ['POST', '/v4/domains', { name: 'x'.repeat(300), wildcard: 'maybe', dkim_key_size: '999' }],
  ['PUT', `/v4/domains/${DOMAIN}`, { spam_action: 'explode', web_prefix: '-bad-' }],
  ['PUT', `/v3/domains/${DOMAIN}/connection`, { require_tls: 'sometimes' }],
  ['PUT', `/v3/domains/${DOMAIN}/tracking/open`, { active: 'perhaps' }],
  ['POST', `/v3/domains/${DOMAIN}/ips`, { ip: '999.1.1.1' }],
  ['POST', `/v3/domains/${DOMAIN}/credentials`, { login: 'x', password: 'p' }],
  ['PUT', `/v3/domains/${DOMAIN}/credentials/nobody`, { password: '' }],
  ['POST', `/v3/${DOMAIN}/whitelists`, { address: 'a@example.com', domain: 'example.com' }],
  ['POST', `/v3/${DOMAIN}/bounces/import`, { file: 'not a file' }],
  ['POST', `/v3/${DOMAIN}/messages.mime`, { to: 'a@example.com', message: '\u0000\u0001 not mime' }],
  ['POST', `/v3/domains/${DOMAIN}/messages/unknown-key`, { to: 'nope' }],
  ['PUT', `/v3/domains/${DOMAIN}/webhooks/opened/test`, { url: '' }],
];

describe('fake Mailgun: malformed input to the routes added for issue 15', () => {
  let h: MailgunHarness;
  before(async () => {
    h = await startMailgunHarness();
  });
  after(() => h?.close());

  const call = async (method: string, path: string, body: string | URLSearchParams, contentType: string) => {
    const res = await fetch(h.mg.url + path, { method, headers: { authorization: auth, 'content-type': contentType }, body });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text) as { message?: unknown } };
  };
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  for (const [method, path, badValues] of routes) {
    it(`${method} ${path}: a broken multipart, wrong values, a JSON body and 100,000-deep JSON are 4xx {"message"}`, async () => {
      const attempts: [string | URLSearchParams, string][] = [
        ['--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated', 'multipart/form-data; boundary=x'],
        [new URLSearchParams(badValues), 'application/x-www-form-urlencoded'],
        ['{"name": ["x"], "active": {"a": 1}}', 'application/json'],
        [deep(100_000), 'application/json'],
      ];
      for (const [body, type] of attempts) {
        const res = await call(method, path, body, type);
        expect(res.status, `${path} ${type}`).to.be.within(400, 499);
        expect(res.json.message, `${path} ${type}`).to.be.a('string');
      }
    });
  }

  it('refuses malformed query values on the DKIM, web prefix, domain list and event filter routes', async () => {
    const get = (p: string, method = 'GET') => fetch(h.mg.url + p, { method, headers: { authorization: auth } });
    for (const [method, p] of [
      ['PUT', `/v3/domains/${DOMAIN}/dkim_authority?self=perhaps`],
      ['PUT', `/v3/domains/${DOMAIN}/dkim_selector?dkim_selector=${encodeURIComponent('a b')}`],
      ['PUT', `/v3/domains/${DOMAIN}/web_prefix?web_prefix=${encodeURIComponent('../x')}`],
      ['GET', '/v4/domains?limit=0'],
      ['GET', `/v3/${DOMAIN}/events?subject=${encodeURIComponent('((((')}`],
      ['GET', `/v3/${DOMAIN}/events?size=${encodeURIComponent('>x')}`],
      ['DELETE', `/v3/domains/${DOMAIN}/ips/not-an-ip`],
      ['GET', `/v3/domains/${DOMAIN}/messages/unknown/attachments/x`],
    ]) {
      const res = await get(p, method);
      expect(res.status, p).to.be.within(400, 499);
      expect(((await res.json()) as { message: unknown }).message, p).to.be.a('string');
    }
  });

  it('tunnels to the storage hosts only: any other CONNECT target is refused with 403', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const s = net.connect(h.mg.port, '127.0.0.1', () => s.write('CONNECT evil.example.com:443 HTTP/1.1\r\nHost: evil.example.com:443\r\n\r\n'));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', reject);
    });
    expect(answer).to.match(/^HTTP\/1\.1 403 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]).message).to.match(/tunnels only to storage-us-east4\.api\.mailgun\.net/);
  });

  it('keeps serving', async () => {
    const res = await fetch(`${h.mg.url}/v4/domains`, { headers: { authorization: auth } });
    expect(res.status).to.equal(200);
  });
});
