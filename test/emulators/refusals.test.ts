/**
 * Issue 13, findings 6 and 7, on every fake: Node's parser refusals come in the service's own error shape (over
 * HTTP and HTTPS), a JSON body nested 5,000 deep is a 400 naming the limit on the wire routes and on /__admin, and
 * nothing deep is stored — /__admin/state keeps answering.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exchange, type Endpoint, type Outcome } from '../../scripts/lib/fuzz/client.ts';
import * as shapes from '../../scripts/lib/fuzz/shapes.ts';
import { startCustomerio } from '../../emulators/customerio/index.ts';
import { startExtend } from '../../emulators/extend/index.ts';
import { startMailgun } from '../../emulators/mailgun/index.ts';
import { startVault } from '../../emulators/vault/index.ts';
import { startCloudFront } from '../../emulators/cloudfront/index.ts';
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import { startGateway } from '../../emulators/gateway/index.ts';

interface Server {
  name: string;
  url: string;
  shape: shapes.ShapeCheck;
  /** A wire route that parses JSON: method, path, headers. */
  jsonRoute?: [string, string, Record<string, string>];
  /** Status for headers over 16 KB (S3 says 400). */
  headerStatus?: number;
  /** Headers every request needs to be routed (the AWS edge picks its service by them). */
  route?: Record<string, string>;
}

const endpoint = (url: string): Endpoint => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), tls: u.protocol === 'https:' };
};

function request(to: string, method: string, target: string, headers: Record<string, string>, body = ''): Promise<Outcome> {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return exchange(endpoint(to), { bytes: Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`), noBody: method === 'HEAD' });
}

const answered = (o: Outcome) => {
  if (o.kind !== 'answer') throw new Error(`no answer: ${o.reason}`);
  return o;
};

const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('every fake refuses in its own shape (issue 13, findings 6 and 7)', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const servers: Server[] = [];
  const tmp = (p: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), p));
    dirs.push(d);
    return d;
  };

  before(async () => {
    const tlsDir = tmp('refusals-tls-');
    const cio = await startCustomerio({ port: 0, httpsPort: 0, tlsDir });
    const extend = await startExtend({ port: 0 });
    const mailgun = await startMailgun({ port: 0 });
    const vault = await startVault({ port: 0 });
    const edge = await startAwsEdge({ port: 0 });
    const cf = await startCloudFront({
      port: 0, httpsPort: 0, tlsDir, keyDir: tmp('refusals-cf-'), env: {},
      origin: { endpoint: edge.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
    });
    const gw = await startGateway({ port: 0, upstream: 'http://127.0.0.1:9', keyDir: tmp('refusals-gw-') });
    closers.push(cio.close, extend.close, mailgun.close, vault.close, edge.close, cf.close, gw.close);
    const track: [string, string, Record<string, string>] = ['POST', '/api/v1/customers/ada/events', { authorization: basic('local-fake-site-id', 'local-fake-track-api-key'), 'content-type': 'application/json' }];
    servers.push(
      { name: 'Customer.io (HTTP)', url: cio.http.url, shape: shapes.customerioError, jsonRoute: track },
      { name: 'Customer.io (HTTPS)', url: cio.https.url, shape: shapes.customerioError, jsonRoute: track },
      { name: 'Extend', url: extend.url, shape: shapes.extendError, jsonRoute: ['POST', '/signin', { 'content-type': 'application/json', accept: 'application/vnd.paywithextend.v2021-03-12+json' }] },
      { name: 'Mailgun', url: mailgun.url, shape: shapes.mailgunError, jsonRoute: ['POST', '/v3/mg.gatehouse.local/messages', { authorization: basic('api', 'key-gatehouse-local-0000000000000000'), 'content-type': 'application/json' }] },
      { name: 'Vault', url: vault.url, shape: shapes.vaultError, jsonRoute: ['PUT', '/v1/secret/data/fuzz', { 'x-vault-token': 'root', 'content-type': 'application/json' }] },
      { name: 'AWS edge, S3', url: edge.url, shape: shapes.s3Error, headerStatus: 400 },
      { name: 'AWS edge, SSM', url: edge.url, shape: shapes.awsJsonError, route: { 'X-Amz-Target': 'AmazonSSM.GetParameter' } },
      { name: 'AWS edge, DynamoDB', url: edge.url, shape: shapes.awsJsonError, route: { 'X-Amz-Target': 'DynamoDB_20120810.GetItem' } },
      // Routed by its SigV4 credential scope, as the edge routes a request without a target (found by npm run fuzz).
      { name: 'AWS edge, SSM by credential scope', url: edge.url, shape: shapes.awsJsonError, route: { Authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ssm/aws4_request, SignedHeaders=host, Signature=00' } },
      { name: 'CloudFront (HTTP)', url: cf.http.url, shape: shapes.cloudfrontError },
      { name: 'CloudFront (HTTPS)', url: cf.https.url, shape: shapes.cloudfrontError },
      { name: 'gateway', url: gw.url, shape: shapes.apiGatewayError },
    );
  });
  after(async () => {
    for (const c of closers) await c();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const each = (title: string, fn: (s: Server) => Promise<void>) =>
    it(title, async () => {
      for (const s of servers) {
        try {
          await fn(s);
        } catch (e) {
          (e as Error).message = `${s.name}: ${(e as Error).message}`;
          throw e;
        }
      }
    });

  each('answers a duplicate Content-Length with 400 in the service\'s shape', async (s) => {
    const a = answered(await request(s.url, 'POST', '/x', { ...s.route, 'Content-Length': '1', 'content-length': '2' }, 'ab'));
    expect(a.status).to.equal(400);
    expect(s.shape(a), a.body.toString()).to.equal(undefined);
  });

  each('answers a CR inside a header, an unknown method and bad chunking with 400 in shape', async (s) => {
    for (const [method, headers, body] of [
      ['GET', { ...s.route, 'X-Bad': 'a\rb' }, ''],
      ['BREW', { ...s.route }, ''],
      ['POST', { ...s.route, 'Transfer-Encoding': 'chunked' }, 'zz\r\n'],
    ] as [string, Record<string, string>, string][]) {
      const a = answered(await request(s.url, method, '/x', headers, body));
      expect(a.status, method).to.equal(400);
      expect(s.shape(a), `${method}: ${a.body.toString()}`).to.equal(undefined);
    }
  });

  each('answers headers over 16 KB in shape (431, or 400 where the service says so)', async (s) => {
    const a = answered(await request(s.url, 'GET', '/x', { ...s.route, 'X-Big': 'a'.repeat(17_000) }));
    expect(a.status).to.equal(s.headerStatus ?? 431);
    expect(s.shape(a), a.body.toString()).to.equal(undefined);
  });

  each('answers a JSON body nested 5,000 deep on a wire route with 400 naming the limit', async (s) => {
    if (!s.jsonRoute) return;
    const [method, target, headers] = s.jsonRoute;
    const a = answered(await request(s.url, method, target, headers, deep(5000)));
    expect(a.status, a.body.toString()).to.equal(400);
    expect(s.shape(a)).to.equal(undefined);
    expect(a.body.toString()).to.match(/deeper than 64 levels/);
  });

  each('answers a deep JSON body to /__admin with 400 and keeps /__admin/state answering', async (s) => {
    if (s.route) return; // one edge, checked once
    const a = answered(await request(s.url, 'POST', '/__admin/faults', { 'content-type': 'application/json' }, deep(5000)));
    expect(a.status).to.equal(400);
    expect(shapes.frameError(a)).to.equal(undefined);
    expect(a.body.toString()).to.match(/deeper than 64 levels/);
    const state = answered(await request(s.url, 'GET', '/__admin/state', {}));
    expect(state.status).to.equal(200);
    JSON.parse(state.body.toString());
  });

  each('answers an HTTP/1.1 request without Host (400) and an unsupported Expect (417) in shape, not Node\'s empty body', async (s) => {
    const bytes = (head: string) => Buffer.from(`${head}\r\nConnection: close\r\n${Object.entries(s.route ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    const noHost = answered(await exchange(endpoint(s.url), { bytes: bytes('GET /x HTTP/1.1') }));
    expect(noHost.status).to.equal(400);
    expect(s.shape(noHost), noHost.body.toString()).to.equal(undefined);
    const expect417 = answered(await request(s.url, 'GET', '/x', { ...s.route, Expect: 'nonsense' }));
    expect(expect417.status).to.equal(417);
    expect(s.shape(expect417), expect417.body.toString()).to.equal(undefined);
  });

  each('keeps unknown /__admin paths in the admin API\'s shape', async (s) => {
    if (s.route) return;
    const a = answered(await request(s.url, 'GET', '/__admin/no-such-thing', {}));
    expect(a.status).to.equal(404);
    expect(shapes.frameError(a), a.body.toString()).to.equal(undefined);
  });

  each('refuses a fault whose match is not two strings (one made every later request a 500; found by npm run fuzz)', async (s) => {
    if (s.route) return;
    for (const match of [{ method: 7 }, { path: ['x'] }, 'GET', null]) {
      const a = answered(await request(s.url, 'POST', '/__admin/faults', { 'content-type': 'application/json' }, JSON.stringify({ status: 503, match })));
      expect(a.status, JSON.stringify(match)).to.equal(400);
    }
    const after = answered(await request(s.url, 'GET', '/__admin/faults', {}));
    expect(JSON.parse(after.body.toString())).to.deep.equal({ faults: [] });
  });
});
