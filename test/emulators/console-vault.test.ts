/**
 * The console's Vault view stays inside the KV mount it names: a path through `.` or `..` is refused before Vault
 * is asked, so the console's token (root, locally) reads nothing but KV secrets through it.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';
import { startConsole, type ConsoleServer } from '../../emulators/console/index.ts';

describe('console API: Vault paths', () => {
  let vault: VaultServer;
  let consoleServer: ConsoleServer;
  before(async () => {
    vault = await startVault({ port: 0, host: '127.0.0.1' });
    consoleServer = await startConsole({
      port: 0, host: '127.0.0.1', stateDir: mkdtempSync(join(tmpdir(), 'gatehouse-console-')),
      urls: { vault: vault.url },
      aws: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
      vault: { url: vault.url, token: 'root' },
    }, { status: async () => [], reset: async () => {} }, () => {});
  });
  after(async () => {
    await consoleServer?.close();
    await vault?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${consoleServer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as { value?: string; error?: { code: string } } };
  };
  const get = async (path: string) => {
    const res = await fetch(`${consoleServer.url}${path}`);
    return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
  };

  it('reveals a KV field, and refuses paths through . or .. that would leave the mount', async () => {
    expect((await post('/api/vault/reveal', { mount: 'secret', path: 'gatehouse/customerio', field: 'CIO_SITE_ID' })).status).to.equal(200);
    for (const [mount, path, field] of [['kv', '../auth/token/lookup-self', 'id'], ['kv', '../sys/mounts', 'secret/'], ['secret', 'gatehouse/../../auth/approle/role/gatehouse-proxy/role-id', 'role_id'], ['kv', './x', 'a'], ['kv', 'a/..', 'a']]) {
      const r = await post('/api/vault/reveal', { mount, path, field });
      expect([r.status, r.body.error?.code, r.body.value], `${mount}/${path}`).to.deep.equal([400, 'invalid_field', undefined]);
    }
    for (const q of ['mount=kv&path=../sys/mounts', 'mount=secret&path=../../v1/sys/']) {
      const r = await get(`/api/vault/${q.includes('v1') ? 'tree' : 'secret'}?${q}`);
      expect([r.status, r.body.error?.code], q).to.deep.equal([400, 'invalid_field']);
    }
  });
});
