/**
 * Issue 13, finding 2: the gateway forwards only to the proxy it fronts. A bystander listener on another port
 * stands in for Vault: whatever the request target says, it must receive nothing — no signature, no identity.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { startGateway, type Gateway } from '../../emulators/gateway/index.ts';
import { requestTarget } from '../../emulators/gateway/target.ts';
import { verifyHttpSignature } from '../../proxy/auth/http-signature.ts';
import { IDENTITY_HEADER } from '../../proxy/auth/signature-middleware.ts';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

async function recorder(): Promise<Listening & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': 19 }).end('{"from":"recorder"}'));
  });
  return Object.assign(await listen(server, 0), { seen });
}

/** One request as raw bytes (curl --path-as-is and hand-made targets), answered on a closed connection. */
function raw(port: number, requestLine: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const head = [requestLine, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return new Promise((resolve, reject) => {
    let out = '';
    const c = net.connect(port, '127.0.0.1', () => c.write(`${head}\r\n\r\n`));
    c.on('data', (d) => (out += d.toString('utf8')));
    c.on('error', reject);
    c.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(out)?.[1]), body: out.slice(out.indexOf('\r\n\r\n') + 4) }));
  });
}

describe('gateway forwarding rule (issue 13, finding 2)', () => {
  let keyDir: string;
  let proxy: Awaited<ReturnType<typeof recorder>>;
  let bystander: Awaited<ReturnType<typeof recorder>>;
  let gw: Gateway;
  let token: string;

  before(async () => {
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-fwd-'));
    proxy = await recorder();
    bystander = await recorder();
    gw = await startGateway({ port: 0, upstream: proxy.url, keyDir });
    token = await gw.mintToken('ada@example.com');
  });
  after(async () => {
    await gw.close();
    await proxy.close();
    await bystander.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    proxy.seen.length = 0;
    bystander.seen.length = 0;
  });

  const other = () => `127.0.0.1:${bystander.port}`;
  const auth = () => ({ authorization: `Bearer ${token}`, 'X-Vault-Token': 'root' });

  /** Each target must reach the proxy at `expected` (or be refused when null), and never the bystander. */
  const cases: [what: string, target: () => string, expected: () => string | null][] = [
    ['a path starting with //host:port', () => `//${other()}/v1/secret/data/gatehouse/customerio`, () => `/${other()}/v1/secret/data/gatehouse/customerio`],
    ['a path starting with /// and a query', () => `///${other()}/v1/x?list=true`, () => `/${other()}/v1/x?list=true`],
    ['an absolute-form target naming another host', () => `http://${other()}/v1/secret/data/x`, () => '/v1/secret/data/x'],
    ['an absolute-form target with userinfo', () => `http://gateway@${other()}/v1/x?a=1`, () => '/v1/x?a=1'],
    ['an absolute-form target without a path', () => `http://${other()}`, () => '/'],
    ['percent-encoded slashes', () => `/%2F%2F${other()}/v1/x`, () => `/%2F%2F${other()}/v1/x`],
    ['a backslash after the first slash', () => `/\\${other()}/v1/x`, () => `/\\${other()}/v1/x`],
    ['two backslashes after the first slash', () => `/\\\\${other()}/v1/x`, () => `/\\\\${other()}/v1/x`],
    ['an @ in the first segment', () => `/@${other()}/v1/x`, () => `/@${other()}/v1/x`],
    ['// with userinfo', () => `//user:pw@${other()}/v1/x`, () => `/user:pw@${other()}/v1/x`],
    ['a target starting with a backslash', () => `\\\\${other()}/v1/x`, () => null],
    ['the asterisk form', () => '*', () => null],
  ];
  for (const [what, target, expected] of cases) {
    it(`${what}: the other listener receives nothing`, async () => {
      const r = await raw(gw.port, `GET ${target()} HTTP/1.1`, auth());
      expect(bystander.seen, 'bystander').to.have.length(0);
      const want = expected();
      if (want === null) {
        expect(r.status).to.equal(400);
        expect(JSON.parse(r.body)).to.deep.equal({ message: 'Bad Request' });
        expect(proxy.seen).to.have.length(0);
        return;
      }
      expect(r.status).to.equal(200);
      expect(JSON.parse(r.body)).to.deep.equal({ from: 'recorder' });
      expect(proxy.seen.map((s) => s.url)).to.deep.equal([want]);
      expect(proxy.seen[0].headers.host).to.equal(`127.0.0.1:${proxy.port}`);
      expect(proxy.seen[0].headers[IDENTITY_HEADER]).to.equal('ada@example.com');
    });
  }

  it('signs exactly the path the proxy receives, so a merged path still verifies', async () => {
    const body = '{}';
    const r = await new Promise<string>((resolve) => {
      let out = '';
      const c = net.connect(gw.port, '127.0.0.1', () => c.write(`POST //customers//ada@example.com/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nAuthorization: Bearer ${token}\r\n\r\n${body}`));
      c.on('data', (d) => (out += d));
      c.on('close', () => resolve(out));
    });
    expect(r).to.match(/^HTTP\/1\.1 200/);
    const s = proxy.seen[0];
    expect(s.url).to.equal('/customers/ada@example.com/events');
    const flat = Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, String(v)]));
    const v = verifyHttpSignature({ method: 'POST', path: s.url, rawQuery: '', headers: flat, body: Buffer.from(body) }, { publicKeys: { 'gatehouse-gateway': gw.publicKeyPem }, now: Date.now() });
    expect(v.keyId).to.equal('gatehouse-gateway');
  });

  it('routes //send-mail as /send-mail: the API key is required, as on API Gateway', async () => {
    const refused = await raw(gw.port, 'GET //send-mail//abc HTTP/1.1');
    expect(refused.status).to.equal(403);
    expect(JSON.parse(refused.body)).to.deep.equal({ message: 'Forbidden' });
    expect(proxy.seen).to.have.length(0);
    const allowed = await raw(gw.port, 'GET //send-mail//abc HTTP/1.1', { 'x-api-key': 'local-crm-api-key-000000000000000000000000' });
    expect(allowed.status).to.equal(200);
    expect(proxy.seen.map((s) => s.url)).to.deep.equal(['/send-mail/abc']);
    expect(proxy.seen[0].headers['x-api-key']).to.equal(undefined);
  });

  it('states the rule as a pure function: origin-form kept, slashes merged, nothing decoded', () => {
    expect(requestTarget('/a//b/?x=//y')).to.deep.equal({ path: '/a/b/', rawQuery: 'x=//y' });
    expect(requestTarget('HTTPS://h:1//a?q')).to.deep.equal({ path: '/a', rawQuery: 'q' });
    expect(requestTarget('/%2e%2e/%2F')).to.deep.equal({ path: '/%2e%2e/%2F', rawQuery: '' });
    expect(requestTarget('example.com:443')).to.equal(undefined);
  });
});
