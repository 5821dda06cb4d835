/**
 * HAR import of each exporter's quirks, from small hand-made captures in test/replay/har/ (one per tool), and
 * clear errors naming the file and entry for a HAR that cannot be used.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { HarError, MAX_DECODED_BYTES, parseHar } from '../../scripts/lib/replay/har.ts';

const har = (name: string) => parseHar(readFileSync(new URL(`./har/${name}`, import.meta.url), 'utf8'), name);

describe('HAR import', () => {
  it('Chrome DevTools: drops HTTP/2 pseudo-headers, keeps the JWT, decodes a base64 response', () => {
    const [e] = har('chrome.har');
    expect(e.method).to.equal('POST');
    expect(e.url.pathname).to.equal('/customers/ada%40example.com/events');
    expect(Object.keys(e.headers).some((k) => k.startsWith(':'))).to.equal(false);
    expect(e.headers.authorization).to.match(/^Bearer eyJ/);
    expect(e.body.toString()).to.equal('{"name":"app_opened"}');
    expect(e.expected.body.toString()).to.equal('{}');
  });

  it('Charles: rebuilds a multipart upload from params and gunzips a body kept compressed', () => {
    const [e] = har('charles.har');
    const body = e.body.toString();
    expect(body).to.include('------charlesBoundary\r\nContent-Disposition: form-data; name="to"\r\n\r\nada@example.com');
    expect(body).to.include('filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello');
    expect(body.trimEnd().endsWith('------charlesBoundary--')).to.equal(true);
    expect(JSON.parse(e.expected.body.toString())).to.deep.equal({ ok: true, via: 'charles' });
    expect(e.headers['x-api-key']).to.be.a('string');
  });

  it('mitmproxy: plain text bodies, query in the URL, missing optional timings', () => {
    const [e] = har('mitmproxy.har');
    expect(e.url.searchParams.get('limit')).to.equal('2');
    expect(e.expected.status).to.equal(401);
    expect(JSON.parse(e.expected.body.toString()).error.code).to.equal('token_invalid');
    expect(e.body.length).to.equal(0);
  });

  it('Proxyman: a base64 request body and an entry without startedDateTime, cookies or content.text', () => {
    const [e] = har('proxyman.har');
    expect(JSON.parse(e.body.toString())).to.deep.equal({ plan: 'premium' });
    expect(e.expected.status).to.equal(204);
    expect(e.expected.body.length).to.equal(0);
    expect(e.startedAt).to.equal(0);
  });

  it('names the file and the entry when an entry is unusable', () => {
    expect(() => har('invalid-entry.har')).to.throw(HarError, /invalid-entry\.har entry 1 \(GET \?\): request\.url is missing/);
  });

  it('says a truncated file is not valid JSON, and a JSON file without entries is not a HAR', () => {
    expect(() => har('not-json.har')).to.throw(HarError, /not-json\.har is not valid JSON/);
    expect(() => parseHar('{"log":{}}', 'x.har')).to.throw(HarError, /x\.har is not a HAR file: log\.entries is missing/);
    expect(() => parseHar('{"log":{"entries":[{"request":{"method":"GET","url":"http://h.example/p","headers":[]},"response":{"status":"abc"}}]}}', 'y.har')).to.throw(HarError, /y\.har entry 0 .*response\.status/);
  });

  it('refuses a response body that decompresses past the limit (a few KB of brotli claiming gigabytes), naming the entry', () => {
    const zeros = Buffer.alloc(MAX_DECODED_BYTES + 1);
    for (const [coding, packed] of [['br', brotliCompressSync(zeros)], ['gzip', gzipSync(zeros)]] as const) {
      const bomb = { log: { entries: [{ request: { method: 'GET', url: 'http://h.example/cards', headers: [] },
        response: { status: 200, headers: [{ name: 'Content-Encoding', value: coding }], content: { size: 1e12, encoding: 'base64', text: packed.toString('base64') } } }] } };
      expect(() => parseHar(JSON.stringify(bomb), 'bomb.har'), coding).to.throw(HarError, /bomb\.har entry 0 \(GET http:\/\/h\.example\/cards\): response body decompresses to more than 67108864 bytes/);
    }
  });
});
