import { expect } from 'chai';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';
import { createHttpClient } from '../../proxy/core/http-client.ts';
import { createLogger, silentLogger } from '../../proxy/core/log.ts';
import { loadSecrets } from '../../proxy/secrets/chain.ts';
import { envProvider } from '../../proxy/secrets/env.ts';
import { vaultProvider } from '../../proxy/secrets/vault.ts';
import { loadStandardSecrets } from '../../proxy/secrets/index.ts';
import { seedVault } from '../../emulators/stack/seed-vault.ts';

const WANTED = ['CIO_SITE_ID', 'CIO_API_KEY', 'CIO_APP_API_KEY', 'ANON_ID_SALT'];
const ROLE_ID = '6d0c7f3e-local-gatehouse-role-id';
const SECRET_ID = '5f1e2a9b-local-gatehouse-secret-id';

describe('Vault secret provider against the fake Vault', () => {
  let vault: VaultServer;
  const http = createHttpClient();
  before(async () => (vault = await startVault({ port: 0 })));
  after(() => vault.close());

  it('reads the KV v2 secret with a token', async () => {
    const got = await vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], token: 'root' }, http).load(WANTED);
    expect(got).to.deep.equal({
      CIO_SITE_ID: 'local-fake-site-id',
      CIO_API_KEY: 'local-fake-track-api-key',
      CIO_APP_API_KEY: 'local-fake-app-api-key',
      ANON_ID_SALT: 'local-fake-anon-id-salt',
    });
  });

  it('logs in with AppRole when no token is given', async () => {
    const got = await vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], roleId: ROLE_ID, secretId: SECRET_ID }, http).load(WANTED);
    expect(got.CIO_API_KEY).to.equal('local-fake-track-api-key');
  });

  it('fails with Vault\'s own error, never the credential, on a bad AppRole secret', async () => {
    try {
      await vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], roleId: ROLE_ID, secretId: 'wrong-secret-id-123' }, http).load(WANTED);
      expect.fail('should have thrown');
    } catch (e) {
      expect((e as Error).message).to.match(/AppRole login failed with HTTP 400/);
      expect((e as Error).message).not.to.include('wrong-secret-id-123');
    }
  });

  it('fails on a token without permission (403)', async () => {
    let err: Error | undefined;
    await vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], token: 'not-a-token' }, http).load(WANTED).catch((e) => (err = e));
    expect(err?.message).to.match(/HTTP 403: .*permission denied/s);
  });

  it('treats a missing secret as "nothing here" so the next provider is asked', async () => {
    const got = await vaultProvider({ addr: vault.url, paths: ['gatehouse/absent'], token: 'root' }, http).load(WANTED);
    expect(got).to.deep.equal({});
  });

  it('lets the environment override Vault, name by name', async () => {
    const s = await loadSecrets([envProvider({ CIO_API_KEY: 'env-wins' }), vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], token: 'root' }, http)], WANTED);
    expect(s.get('CIO_API_KEY')).to.equal('env-wins');
    expect(s.source('CIO_API_KEY')).to.equal('env');
    expect(s.source('CIO_SITE_ID')).to.equal('vault');
  });

  it('builds the standard chain from VAULT_* variables and logs sources, never values', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    const s = await loadStandardSecrets({ VAULT_ADDR: vault.url, VAULT_ROLE_ID: ROLE_ID, VAULT_SECRET_ID: SECRET_ID, VAULT_SECRET_FILE: '/nonexistent/secret.json' }, { required: WANTED, vaultPath: 'gatehouse/customerio' }, http, log);
    expect(s.get('ANON_ID_SALT')).to.equal('local-fake-anon-id-salt');
    const all = lines.join('\n');
    expect(all).to.include('"CIO_API_KEY":"vault"');
    expect(all).not.to.include('local-fake');
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.type === 'security_audit');
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include({ action: 'secret.load', actor: 'secret-chain', resource: `secret:${WANTED.join(',')}`, outcome: 'success' });
    expect(audit[0].details.versions).to.deep.equal({ 'secret/gatehouse/customerio': 1 });
  });

  it('audits a re-read that picked up a new version, naming the changed secret and the reason', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    const s = await loadStandardSecrets({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'root', VAULT_SECRET_FILE: '/nonexistent/secret.json', SECRET_REFRESH_MIN_INTERVAL_MS: '0' }, { required: WANTED, vaultPath: 'gatehouse/customerio' }, http, log);
    const headers = { 'x-vault-token': 'root', 'content-type': 'application/json' };
    const current = await (await fetch(`${vault.url}/v1/secret/data/gatehouse/customerio`, { headers })).json() as { data: { data: Record<string, string> } };
    await fetch(`${vault.url}/v1/secret/data/gatehouse/customerio`, { method: 'POST', headers, body: JSON.stringify({ data: { ...current.data.data, CIO_API_KEY: 'rotated-key-value' } }) });
    expect(await s.refresh('test re-read')).to.deep.equal(['CIO_API_KEY']);
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.type === 'security_audit');
    expect(audit[1]).to.deep.include({ action: 'secret.load', resource: 'secret:CIO_API_KEY', outcome: 'success' });
    expect(audit[1].details).to.include({ refresh: 'test re-read', changed: true });
    expect(lines.join('\n')).not.to.include('rotated-key-value');
    vault.state.reset();
  });

  it('reads several paths in order, the first holding a name wins; objects come back as their JSON text', async () => {
    const headers = { 'x-vault-token': 'root', 'content-type': 'application/json' };
    await fetch(`${vault.url}/v1/secret/data/gatehouse/shared-test`, { method: 'POST', headers, body: JSON.stringify({ data: { CIO_API_KEY: 'shadowed', KEYS: { 'gw-1': 'pem-1' } } }) });
    const p = vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio', 'gatehouse/shared-test'], token: 'root' }, http);
    expect(await p.load(['CIO_API_KEY', 'KEYS'])).to.deep.equal({ CIO_API_KEY: 'local-fake-track-api-key', KEYS: '{"gw-1":"pem-1"}' });
    expect(p.versions!()).to.deep.equal({ 'secret/gatehouse/customerio': 1, 'secret/gatehouse/shared-test': 1 });
  });

  it('logs in again when Vault no longer knows the AppRole token it kept (expired or revoked), and picks up the new version', async () => {
    const p = vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], roleId: ROLE_ID, secretId: SECRET_ID }, http);
    expect((await p.load(['CIO_API_KEY'])).CIO_API_KEY).to.equal('local-fake-track-api-key');
    vault.state.reset(); // every issued token is gone, as after its TTL
    const headers = { 'x-vault-token': 'root', 'content-type': 'application/json' };
    await fetch(`${vault.url}/v1/secret/data/gatehouse/customerio`, { method: 'POST', headers, body: JSON.stringify({ data: { CIO_API_KEY: 'rotated-track-key' } }) });
    await fetch(`${vault.url}/__admin/journal`, { method: 'DELETE' });
    expect((await p.load(['CIO_API_KEY'])).CIO_API_KEY).to.equal('rotated-track-key');
    const journal = (await (await fetch(`${vault.url}/__admin/journal`)).json()) as { entries: { method: string; path: string; status: number }[] };
    expect(journal.entries.map((e) => `${e.method} ${e.path} ${e.status}`)).to.deep.equal([
      'GET /v1/secret/data/gatehouse/customerio 403', 'POST /v1/auth/approle/login 200', 'GET /v1/secret/data/gatehouse/customerio 200',
    ]);
    expect(p.versions!()).to.deep.equal({ 'secret/gatehouse/customerio': 2 });
    vault.state.reset();
  });

  it('standard chain: a name the Vault secret lacks fails the cold start naming it, the paths and the file', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'root', VAULT_SECRET_FILE: '/nonexistent/secret.json' }, { required: [...WANTED, 'NOT_STORED'], vaultPath: 'gatehouse/customerio', gatewayKeys: true }, http, silentLogger())
      .catch((e) => (err = e));
    expect(err?.message).to.include('missing secrets NOT_STORED, API_GATEWAY_PUBLIC_KEYS or API_GATEWAY_PUBLIC_KEY');
    expect(err?.message).to.include('Vault secret/gatehouse/customerio, secret/gatehouse/gateway');
    expect(err?.message).not.to.include('local-fake');
  });

  it('standard chain: Vault refusing the token fails the cold start naming the secrets and Vault\'s error', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ VAULT_ADDR: vault.url, VAULT_TOKEN: 'not-a-token', VAULT_SECRET_FILE: '/nonexistent/secret.json' }, { required: WANTED, vaultPath: 'gatehouse/customerio' }, http, silentLogger())
      .catch((e) => (err = e));
    expect(err?.message).to.match(/could not load CIO_SITE_ID, CIO_API_KEY, CIO_APP_API_KEY, ANON_ID_SALT from Vault secret\/gatehouse\/customerio: .*HTTP 403: .*permission denied/s);
  });

  it('standard chain: an unreachable Vault fails the cold start naming the secrets and the address', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 'root', VAULT_SECRET_FILE: '/nonexistent/secret.json' }, { required: WANTED, vaultPath: 'gatehouse/customerio' }, http, silentLogger())
      .catch((e) => (err = e));
    expect(err?.message).to.match(/could not load CIO_SITE_ID.* from Vault secret\/gatehouse\/customerio: vault could not be reached/);
  });

  it('SECRET_STORE=vault without VAULT_ADDR is a configuration error naming the variable', async () => {
    let err: Error | undefined;
    await loadStandardSecrets({ SECRET_STORE: 'vault' }, { required: WANTED }, http, silentLogger()).catch((e) => (err = e));
    expect(err?.message).to.include('VAULT_ADDR is required (SECRET_STORE is vault)');
  });

  it('seeds an external Vault idempotently, never overwriting existing secrets', async () => {
    const headers = { 'x-vault-token': 'root', 'content-type': 'application/json' };
    await fetch(`${vault.url}/v1/secret/metadata/gatehouse/customerio`, { method: 'DELETE', headers });
    expect(await seedVault(vault.url, 'root')).to.deep.equal(['secret/gatehouse/customerio']);
    await fetch(`${vault.url}/v1/secret/data/gatehouse/customerio`, { method: 'POST', headers, body: JSON.stringify({ data: { CIO_API_KEY: 'developer-own' } }) });
    expect(await seedVault(vault.url, 'root')).to.deep.equal([]);
    const got = await vaultProvider({ addr: vault.url, paths: ['gatehouse/customerio'], token: 'root' }, http).load(['CIO_API_KEY']);
    expect(got.CIO_API_KEY).to.equal('developer-own');
  });
});
