/**
 * The Secrets Manager provider (seed 001's option 2) through the AWS SDK against the embedded edge: the JSON secret
 * `customerio-credentials`, the seed's own key names, and every way it can fail — each naming the secret and never
 * its value.
 */
import { expect } from 'chai';
import http from 'node:http';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startAwsEdge } from '../../emulators/aws/edge.ts';
import { createHttpClient } from '../../proxy/core/http-client.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { secretsManagerProvider } from '../../proxy/secrets/secretsmanager.ts';
import { loadStandardSecrets } from '../../proxy/secrets/index.ts';
import { cioSecretSpec } from '../../proxy/routes/customerio/config.ts';
import type { Stack } from '../../emulators/stack/index.ts';
import { admin, call, testStack } from '../helpers/stack.ts';
import { gatewaySigner } from '../helpers/signed.ts';

const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };
const VALUES = { CIO_SITE_ID: 'sm-site-id-0001', CIO_API_KEY: 'sm-track-key-0002', CIO_APP_API_KEY: 'sm-app-key-0003', ANON_ID_SALT: 'sm-salt-0004', PII_SALT: 'sm-pii-salt-0005' };

describe('Secrets Manager secret provider against the embedded AWS edge', () => {
  let edge: Awaited<ReturnType<typeof startAwsEdge>>;
  let sm: SecretsManagerClient;
  const http = createHttpClient();
  const env = () => ({ SECRET_STORE: 'secretsmanager', AWS_ENDPOINT_URL: edge.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', VAULT_SECRET_FILE: '/nonexistent/secret.json' });
  const put = (Name: string, SecretString: string) => sm.send(new CreateSecretCommand({ Name, SecretString }));

  before(async () => {
    edge = await startAwsEdge({ port: 0, region: 'us-east-1', credentials: { test: 'test' } });
    sm = new SecretsManagerClient({ endpoint: edge.url, region: 'us-east-1', credentials: CREDS });
    await put('customerio-credentials', JSON.stringify(VALUES));
    await put('gatehouse-gateway-keys', JSON.stringify({ API_GATEWAY_PUBLIC_KEYS: { 'gw-1': 'pem' } }));
    await put('seed-shaped', JSON.stringify({ siteId: 'seed-site', apiKey: 'seed-key' }));
    await put('not-json', `site=${VALUES.CIO_SITE_ID}`);
  });
  after(async () => {
    sm.destroy();
    await edge.close();
  });

  it('the standard chain with SECRET_STORE=secretsmanager reads customerio-credentials and the gateway key set', async () => {
    const s = await loadStandardSecrets(env(), cioSecretSpec({}), http, silentLogger());
    for (const [k, v] of Object.entries(VALUES)) expect(s.get(k)).to.equal(v);
    expect(s.source('CIO_API_KEY')).to.equal('secretsmanager');
    expect(JSON.parse(s.get('API_GATEWAY_PUBLIC_KEYS')!)).to.deep.equal({ 'gw-1': 'pem' });
  });

  it('accepts seed 001\'s own key names (siteId, apiKey) for the chain\'s names', async () => {
    const p = secretsManagerProvider(sm, [{ id: 'seed-shaped', aliases: { siteId: 'CIO_SITE_ID', apiKey: 'CIO_API_KEY' } }]);
    expect(await p.load(['CIO_SITE_ID', 'CIO_API_KEY'])).to.deep.equal({ CIO_SITE_ID: 'seed-site', CIO_API_KEY: 'seed-key' });
  });

  it('picks up a new AWSCURRENT version on refresh', async () => {
    await put('rotating', JSON.stringify(VALUES));
    const p = secretsManagerProvider(sm, [{ id: 'rotating' }]);
    await p.load(['CIO_API_KEY']);
    const v1 = p.versions!().rotating;
    await sm.send(new PutSecretValueCommand({ SecretId: 'rotating', SecretString: JSON.stringify({ ...VALUES, CIO_API_KEY: 'sm-track-key-rotated' }) }));
    expect((await p.load(['CIO_API_KEY'])).CIO_API_KEY).to.equal('sm-track-key-rotated');
    expect(p.versions!().rotating).to.be.a('string').and.not.equal(v1);
  });

  it('a secret that does not exist is "nothing here": the cold start fails naming every missing name and the secret', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ ...env(), CIO_SECRET_ID: 'absent-secret' }, cioSecretSpec({ CIO_SECRET_ID: 'absent-secret' }), http, silentLogger()).catch((e) => (err = e));
    expect(err?.message).to.include('missing secrets CIO_SITE_ID, CIO_API_KEY, CIO_APP_API_KEY, ANON_ID_SALT, PII_SALT');
    expect(err?.message).to.include('Secrets Manager absent-secret, gatehouse-gateway-keys');
  });

  it('a secret that is not JSON: names it and never quotes it', async () => {
    let err: Error | undefined;
    await loadStandardSecrets(env(), { required: ['CIO_SITE_ID'], secretsManager: { id: 'not-json' } }, http, silentLogger()).catch((e) => (err = e));
    expect(err?.message).to.include('could not load CIO_SITE_ID from Secrets Manager not-json: secret not-json is not a JSON object');
    expect(err?.message).not.to.include(VALUES.CIO_SITE_ID);
  });

  it('credentials AWS refuses: names the secret and AWS\'s error, never a value', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ ...env(), AWS_SECRET_ACCESS_KEY: 'wrong-secret-key' }, cioSecretSpec({}), http, silentLogger()).catch((e) => (err = e));
    expect(err?.message).to.match(/could not load CIO_SITE_ID, .* from Secrets Manager customerio-credentials, gatehouse-gateway-keys: GetSecretValue of customerio-credentials failed: \w+/);
    for (const v of [...Object.values(VALUES), 'wrong-secret-key']) expect(err?.message).not.to.include(v);
  });

  it('an unreachable endpoint: names the secret', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ ...env(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }, cioSecretSpec({}), http, silentLogger()).catch((e) => (err = e));
    expect(err?.message).to.match(/could not load CIO_SITE_ID, .* from Secrets Manager customerio-credentials.*: GetSecretValue of customerio-credentials failed/);
  });
});

describe('the whole stack on Secrets Manager alone (SECRET_STORE=secretsmanager)', () => {
  let stack: Stack;
  before(async () => (stack = await testStack({ SECRET_STORE: 'secretsmanager' })));
  after(() => stack?.close());

  it('serves Customer.io, mail and packages routes with keys from Secrets Manager and never reads Vault', async () => {
    const token = await stack.gateway.mintToken('ada@example.com');
    expect((await call(stack.urls.gateway, 'POST', '/customers/ada@example.com/events', { token, json: { name: 'sm_event' } })).status).to.equal(200);
    const cio = (await admin(stack.urls.customerio, '/journal?path=/api/v1/customers')).entries as { status: number }[];
    expect(cio.map((e) => e.status)).to.deep.equal([200]);
    // A route of every other function that verifies the gateway's signatures gets past the signature check.
    const sign = gatewaySigner(stack.stateDir);
    for (const path of ['/reports', '/packages/cloudfront/sign']) {
      const r = sign({ method: 'GET', path });
      // node:http, not fetch: fetch would replace the signed Host header.
      const status = await new Promise<number>((resolve, reject) => {
        http.get(stack.urls.proxy + path, { headers: r.headers }, (res) => resolve(res.resume().statusCode ?? 0)).on('error', reject);
      });
      expect(status, path).to.be.oneOf([200, 400]);
    }
    // The proxy reaches Vault only by its AppRole login (the stack's own seeding uses the root token).
    const vault = (await admin(stack.urls.vault, '/journal')).entries as { method: string; path: string }[];
    expect(vault.filter((e) => e.path === '/v1/auth/approle/login')).to.deep.equal([]);
  });
});
