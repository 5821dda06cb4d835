/** Publishing to a Pact Broker, against a tiny local HTTP server standing in for the broker. */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { COMMITTED_PACTS_DIR } from '../../contracts/support/pact-env.ts';
import { brokerFromEnv, publishPacts } from '../../contracts/support/publish.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Seen { method: string; url: string; authorization?: string; contentType?: string; body: string }

describe('pact publishing', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];
  let status = 201;

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
        res.writeHead(status, { 'content-type': 'application/hal+json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => new Promise((r) => server.close(r)));
  beforeEach(() => { seen.length = 0; status = 201; });

  it('does nothing without PACT_BROKER_BASE_URL', () => {
    expect(brokerFromEnv({ PACT_BROKER_TOKEN: 'x' }, () => 'v')).to.equal(undefined);
  });

  it('PUTs every committed pact to /pacts/provider/{p}/consumer/{c}/version/{v} with the Bearer token, then tags', async () => {
    const broker = brokerFromEnv({ PACT_BROKER_BASE_URL: `${base}/`, PACT_BROKER_TOKEN: 'broker-token-1', PACT_CONSUMER_VERSION: '1.2.3+abc', PACT_CONSUMER_TAG: 'main' }, () => 'unused')!;
    await publishPacts(COMMITTED_PACTS_DIR, broker);
    const puts = seen.filter((s) => s.url.startsWith('/pacts/'));
    expect(puts.map((s) => s.url)).to.have.members([
      '/pacts/provider/gatehouse-proxy/consumer/gatehouse-mobile-app/version/1.2.3%2Babc',
      '/pacts/provider/customerio/consumer/gatehouse-proxy/version/1.2.3%2Babc',
      '/pacts/provider/extend/consumer/gatehouse-proxy/version/1.2.3%2Babc',
      '/pacts/provider/mailgun/consumer/gatehouse-proxy/version/1.2.3%2Babc',
      '/pacts/provider/vault/consumer/gatehouse-proxy/version/1.2.3%2Babc',
      '/pacts/provider/aws/consumer/gatehouse-proxy/version/1.2.3%2Babc',
    ]);
    for (const s of seen) expect(s).to.include({ method: 'PUT', authorization: 'Bearer broker-token-1', contentType: 'application/json' });
    const mobile = puts.find((s) => s.url.includes('gatehouse-mobile-app'))!;
    expect(mobile.body).to.equal(readFileSync(join(COMMITTED_PACTS_DIR, 'gatehouse-mobile-app-gatehouse-proxy.json'), 'utf8'));
    expect(seen.filter((s) => s.url.includes('/tags/')).map((s) => s.url)).to.have.members([
      '/pacticipants/gatehouse-mobile-app/versions/1.2.3%2Babc/tags/main',
      '/pacticipants/gatehouse-proxy/versions/1.2.3%2Babc/tags/main',
    ]);
  });

  it('uses Basic auth from PACT_BROKER_USERNAME/PASSWORD when there is no token', async () => {
    await publishPacts(COMMITTED_PACTS_DIR, brokerFromEnv({ PACT_BROKER_BASE_URL: base, PACT_BROKER_USERNAME: 'ci', PACT_BROKER_PASSWORD: 'pw' }, () => 'abc')!);
    expect(seen[0].authorization).to.equal('Basic ' + Buffer.from('ci:pw').toString('base64'));
    expect(seen[0].url).to.match(/\/version\/abc$/);
  });

  it('fails with the broker\'s status and without the token when the broker refuses', async () => {
    status = 401;
    const err = await publishPacts(COMMITTED_PACTS_DIR, brokerFromEnv({ PACT_BROKER_BASE_URL: base, PACT_BROKER_TOKEN: 'broker-token-2' }, () => 'v1')!).catch((e: Error) => e);
    expect((err as Error).message).to.match(/HTTP 401/).and.not.include('broker-token-2');
    expect(seen).to.have.length(1);
  });

  it('npm run pact:publish prints its plan and exits 0 without a broker', async () => {
    const env = { ...process.env, PACT_BROKER_BASE_URL: '', PACT_CONSUMER_VERSION: '9.9.9' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/pact-publish.ts'], { cwd: ROOT, env });
    expect(stdout).to.include('PACT_BROKER_BASE_URL is not set');
    expect(stdout).to.include('PUT $PACT_BROKER_BASE_URL/pacts/provider/gatehouse-proxy/consumer/gatehouse-mobile-app/version/9.9.9');
    expect(seen).to.have.length(0);
  });

  it('npm run pact:publish publishes to the broker named by the environment', async () => {
    const env = { ...process.env, PACT_BROKER_BASE_URL: base, PACT_BROKER_TOKEN: 'broker-token-3', PACT_CONSUMER_VERSION: '2.0.0' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/pact-publish.ts'], { cwd: ROOT, env });
    expect(stdout).to.include('as version 2.0.0').and.not.include('broker-token-3');
    expect(seen.map((s) => s.url)).to.include('/pacts/provider/customerio/consumer/gatehouse-proxy/version/2.0.0');
  });
});
