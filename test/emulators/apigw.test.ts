import { expect } from 'chai';
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startApiGateway, type ApiGateway, type Flavour } from '../../emulators/apigw/index.ts';
import { bundleFunction, type FunctionBundle } from '../../scripts/lib/bundle/index.ts';

interface Answer { status: number; headers: http.IncomingHttpHeaders; raw: string[]; body: Buffer }

function call(base: string, method: string, path: string, opts: { headers?: http.OutgoingHttpHeaders; body?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(`${base}${path}`, { method, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode!, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
const json = (a: Answer) => JSON.parse(a.body.toString('utf8'));
const headerValues = (a: Answer, name: string) => a.raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === name ? [a.raw[i + 1]] : []));

const EXPECTED: Record<Flavour, { error: [number, string]; timeout: [number, string]; noRoute: number }> = {
  v1: { error: [502, 'Internal server error'], timeout: [504, 'Endpoint request timed out'], noRoute: 403 },
  v2: { error: [500, 'Internal Server Error'], timeout: [503, 'Service Unavailable'], noRoute: 404 },
  url: { error: [502, 'Internal Server Error'], timeout: [502, 'Internal Server Error'], noRoute: 404 },
};

describe('API Gateway emulator (bundled handlers)', function () {
  let tmp: string;
  let echo: FunctionBundle;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'apigw-'));
    echo = await bundleFunction({ name: 'echo', entry: resolve(import.meta.dirname, 'fixtures/echo-function.ts') }, tmp);
  });
  after(() => rm(tmp, { recursive: true, force: true }));

  describe('the real customerio bundle', () => {
    let gw: ApiGateway;
    let stub: http.Server;
    const upstreamCalls: string[] = [];
    const lines: string[] = [];
    before(async () => {
      const cio = await bundleFunction({ name: 'customerio', entry: resolve(import.meta.dirname, '../../proxy/functions/customerio.ts') }, tmp);
      stub = http.createServer((req, res) => { upstreamCalls.push(`${req.method} ${req.url}`); res.end('{}'); });
      await new Promise<void>((r) => stub.listen(0, '127.0.0.1', () => r()));
      const { port } = stub.address() as { port: number };
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      gw = await startApiGateway({
        flavour: 'v2', log: (l) => lines.push(l),
        functions: [{
          name: 'customerio', bundleDir: cio.dir, timeoutMs: 5000,
          env: {
            CIO_SITE_ID: 'site-fixed', CIO_API_KEY: 'track-key-fixed', CIO_APP_API_KEY: 'app-key-fixed', ANON_ID_SALT: 'salt-fixed', PII_SALT: 'pii-salt-fixed', CIO_WEBHOOK_SIGNING_KEY: 'cio-webhook-key-fixed',
            API_GATEWAY_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
            CIO_TRACK_API_BASE_URL: `http://127.0.0.1:${port}/api/v1/`, CIO_APP_API_BASE_URL: `http://127.0.0.1:${port}/v1/`, LOG_LEVEL: 'error',
          },
        }],
      });
    });
    after(async () => {
      await gw?.close();
      await new Promise((r) => stub?.close(r));
    });

    it('answers an unsigned request with the proxy\'s 401 signature_missing, through the bundle', async () => {
      const a = await call(gw.url, 'POST', '/events', { headers: { 'content-type': 'application/json' }, body: Buffer.from('{"name":"opened"}') });
      expect(a.status).to.equal(401);
      expect(json(a).error.code).to.equal('signature_missing');
      expect(upstreamCalls).to.deep.equal([]);
      expect(gw.stats()).to.include({ coldStarts: 1, invocations: 1 });
      expect(lines.filter((l) => l.includes('Init Duration:'))).to.have.length(1);
      expect(lines.join('\n')).to.not.include('track-key-fixed');
    });
  });

  for (const flavour of ['v1', 'v2', 'url'] as Flavour[]) {
    describe(`${flavour} events`, () => {
      let gw: ApiGateway;
      const lines: string[] = [];
      before(async () => {
        gw = await startApiGateway({
          flavour, log: (l) => lines.push(l),
          functions: [{ name: 'echo', bundleDir: echo.dir, env: { ECHO_GREETING: `hello-${flavour}` }, timeoutMs: 300, pathPrefix: '/' }],
        });
      });
      after(() => gw.close());

      it('passes repeated query parameters', async () => {
        const { event } = json(await call(gw.url, 'GET', '/echo?a=1&a=2&b=x%20y'));
        if (flavour === 'v1') {
          expect(event.multiValueQueryStringParameters).to.deep.equal({ a: ['1', '2'], b: ['x y'] });
          expect(event.queryStringParameters).to.deep.equal({ a: '2', b: 'x y' });
        } else {
          expect(event.rawQueryString).to.equal('a=1&a=2&b=x%20y');
          expect(event.queryStringParameters).to.deep.equal({ a: '1,2', b: 'x y' });
        }
      });

      it('passes repeated request headers and cookies in the flavour\'s shape', async () => {
        const { event } = json(await call(gw.url, 'GET', '/echo', { headers: { 'X-Rep': ['1', '2'], Cookie: 'a=1; b=2' } }));
        if (flavour === 'v1') {
          expect(event.multiValueHeaders['X-Rep']).to.deep.equal(['1', '2']);
          expect(event.headers['X-Rep']).to.equal('2');
          expect(event.headers.Cookie).to.equal('a=1; b=2');
        } else {
          expect(event.headers['x-rep']).to.equal('1,2');
          expect(event.cookies).to.deep.equal(['a=1', 'b=2']);
          expect(event.headers).to.not.have.property('cookie');
        }
      });

      it('sends every Set-Cookie and multi-valued response header back', async () => {
        const a = await call(gw.url, 'GET', '/echo');
        expect(a.status).to.equal(200);
        expect(a.headers['set-cookie']).to.deep.equal(['s=1; Path=/', 't=2; HttpOnly']);
        expect(headerValues(a, 'x-multi').join(',')).to.equal('a,b');
        expect(headerValues(a, flavour === 'v2' ? 'apigw-requestid' : 'x-amzn-requestid')).to.have.length(1);
      });

      it('carries binary bodies both ways base64-encoded', async () => {
        const bytes = Buffer.from([0, 255, 1, 128, 10, 13]);
        const a = await call(gw.url, 'POST', '/echo-binary', { headers: { 'content-type': 'application/octet-stream' }, body: bytes });
        expect(a.headers['content-type']).to.equal('application/octet-stream');
        expect(a.body).to.deep.equal(bytes);
        const b = await call(gw.url, 'GET', '/bytes');
        expect(b.body).to.deep.equal(Buffer.from([0, 1, 2, 255]));
      });

      it('hands the function its environment and a Lambda context', async () => {
        const { greeting, context } = json(await call(gw.url, 'GET', '/echo'));
        expect(greeting).to.equal(`hello-${flavour}`);
        expect(context).to.include({ functionName: 'echo', functionVersion: '$LATEST', memoryLimitInMB: '128', logGroupName: '/aws/lambda/echo', callbackWaitsForEmptyEventLoop: true });
        expect(context.invokedFunctionArn).to.match(/^arn:aws:lambda:us-east-1:\d{12}:function:echo$/);
        expect(context.awsRequestId).to.match(/^[0-9a-f-]{36}$/);
        expect(context.logStreamName).to.match(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
        expect(context.remainingMs).to.be.within(1, 300);
      });

      it('reports the cold start\'s init duration once', async () => {
        await call(gw.url, 'GET', '/echo');
        const reports = lines.filter((l) => l.startsWith('REPORT RequestId: '));
        expect(reports.length).to.be.greaterThan(3);
        expect(reports.filter((l) => /\tInit Duration: \d+\.\d\d ms/.test(l))).to.have.length(1);
        const stats = json(await call(gw.url, 'GET', '/__apigw/stats'));
        expect(stats).to.include({ flavour, coldStarts: 1, invocations: reports.length });
        expect(stats.lastInitDurationMs).to.be.a('number').greaterThan(0);
        expect(gw.stats().functions[0].lastImportMs).to.be.a('number');
      });

      it('answers a throwing handler and a malformed result as the front does', async () => {
        const [status, message] = EXPECTED[flavour].error;
        const a = await call(gw.url, 'GET', '/throw');
        expect(a.status).to.equal(status);
        expect(json(a)).to.deep.equal({ message });
        const m = await call(gw.url, 'GET', '/malformed');
        expect(m.status).to.equal(status);
        expect(lines.some((l) => l.includes('fixture failure'))).to.equal(true);
      });

      it('infers a 200 JSON answer from a bare result only for payload 2.0', async () => {
        const a = await call(gw.url, 'GET', '/plain');
        if (flavour === 'v1') expect(a.status).to.equal(502);
        else expect([a.status, a.headers['content-type'], json(a)]).to.deep.equal([200, 'application/json', { hello: 'world' }]);
      });

      it('answers a path no function serves with the front\'s not-found', async () => {
        const gw2 = await startApiGateway({ flavour, log: () => {}, functions: [{ name: 'echo', bundleDir: echo.dir, pathPrefix: '/only' }] });
        try {
          expect((await call(gw2.url, 'GET', '/elsewhere')).status).to.equal(EXPECTED[flavour].noRoute);
          expect(json(await call(gw2.url, 'GET', '/only/echo')).event).to.be.an('object');
        } finally {
          await gw2.close();
        }
      });

      it('times a slow handler out with the front\'s status, then starts cold again', async () => {
        const [status, message] = EXPECTED[flavour].timeout;
        const a = await call(gw.url, 'GET', '/slow');
        expect(a.status).to.equal(status);
        expect(json(a)).to.deep.equal({ message });
        expect(lines.some((l) => /Task timed out after 0\.30 seconds/.test(l))).to.equal(true);
        await call(gw.url, 'GET', '/echo');
        expect(gw.stats()).to.include({ coldStarts: 2 });
      });

      it('restores the process environment on close', async () => {
        const gw3 = await startApiGateway({ flavour, log: () => {}, functions: [{ name: 'echo', bundleDir: echo.dir, env: { ECHO_ONLY_HERE: '1' } }] });
        await call(gw3.url, 'GET', '/echo');
        expect(process.env.ECHO_ONLY_HERE).to.equal('1');
        await gw3.close();
        expect(process.env.ECHO_ONLY_HERE).to.equal(undefined);
      });
    });
  }
});
