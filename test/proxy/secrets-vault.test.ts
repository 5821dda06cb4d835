import { expect } from 'chai';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';
import { createHttpClient } from '../../proxy/core/http-client.ts';
import { createLogger } from '../../proxy/core/log.ts';
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
    const got = await vaultProvider({ addr: vault.url, path: 'gatehouse/customerio', token: 'root' }, http).load(WANTED);
    expect(got).to.deep.equal({
      CIO_SITE_ID: 'local-fake-site-id',
      CIO_API_KEY: 'local-fake-track-api-key',
      CIO_APP_API_KEY: 'local-fake-app-api-key',
      ANON_ID_SALT: 'local-fake-anon-id-salt',
    });
  });

  it('logs in with AppRole when no token is given', async () => {
    const got = await vaultProvider({ addr: vault.url, path: 'gatehouse/customerio', roleId: ROLE_ID, secretId: SECRET_ID }, http).load(WANTED);
    expect(got.CIO_API_KEY).to.equal('local-fake-track-api-key');
  });

  it('fails with Vault\'s own error, never the credential, on a bad AppRole secret', async () => {
    try {
      await vaultProvider({ addr: vault.url, path: 'gatehouse/customerio', roleId: ROLE_ID, secretId: 'wrong-secret-id-123' }, http).load(WANTED);
      expect.fail('should have thrown');
    } catch (e) {
      expect((e as Error).message).to.match(/AppRole login failed with HTTP 400/);
      expect((e as Error).message).not.to.include('wrong-secret-id-123');
    }
  });

  it('fails on a token without permission (403)', async () => {
    let err: Error | undefined;
    await vaultProvider({ addr: vault.url, path: 'gatehouse/customerio', token: 'not-a-token' }, http).load(WANTED).catch((e) => (err = e));
    expect(err?.message).to.match(/HTTP 403: permission denied/);
  });

  it('treats a missing secret as "nothing here" so the next provider is asked', async () => {
    const got = await vaultProvider({ addr: vault.url, path: 'gatehouse/absent', token: 'root' }, http).load(WANTED);
    expect(got).to.deep.equal({});
  });

  it('lets the environment override Vault, name by name', async () => {
    const s = await loadSecrets([envProvider({ CIO_API_KEY: 'env-wins' }), vaultProvider({ addr: vault.url, path: 'gatehouse/customerio', token: 'root' }, http)], WANTED);
    expect(s.get('CIO_API_KEY')).to.equal('env-wins');
    expect(s.source('CIO_API_KEY')).to.equal('env');
    expect(s.source('CIO_SITE_ID')).to.equal('vault');
  });

  it('builds the standard chain from VAULT_* variables and logs sources, never values', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    const s = await loadStandardSecrets({ VAULT_ADDR: vault.url, VAULT_ROLE_ID: ROLE_ID, VAULT_SECRET_ID: SECRET_ID, VAULT_SECRET_FILE: '/nonexistent/secret.json' }, WANTED, http, log);
    expect(s.get('ANON_ID_SALT')).to.equal('local-fake-anon-id-salt');
    const all = lines.join('\n');
    expect(all).to.include('"CIO_API_KEY":"vault"');
    expect(all).not.to.include('local-fake');
  });

  it('seeds an external Vault idempotently, never overwriting existing secrets', async () => {
    const headers = { 'x-vault-token': 'root', 'content-type': 'application/json' };
    await fetch(`${vault.url}/v1/secret/metadata/gatehouse/customerio`, { method: 'DELETE', headers });
    expect(await seedVault(vault.url, 'root')).to.deep.equal(['secret/gatehouse/customerio']);
    await fetch(`${vault.url}/v1/secret/data/gatehouse/customerio`, { method: 'POST', headers, body: JSON.stringify({ data: { CIO_API_KEY: 'developer-own' } }) });
    expect(await seedVault(vault.url, 'root')).to.deep.equal([]);
    const got = await vaultProvider({ addr: vault.url, path: 'gatehouse/customerio', token: 'root' }, http).load(['CIO_API_KEY']);
    expect(got.CIO_API_KEY).to.equal('developer-own');
  });
});
