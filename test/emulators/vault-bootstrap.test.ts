/**
 * The fake Vault set up through its own API, the way a team's bootstrap script does it with the `vault` CLI (whose
 * request bodies are all strings: `token_ttl=1h`, `bind_secret_id=false`) or Terraform's Vault provider (typed
 * JSON): secrets engines, policies, auth methods, AppRole roles and credentials, tokens, and the seed replay.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';

type Json = Record<string, any>;

describe('Vault emulator set up by its own API', () => {
  let vault: VaultServer;
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const call = async (method: string, p: string, body?: unknown, token: string | null = 'root', headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${vault.url}/v1/${p}`, {
      method, headers: { ...(token ? { 'x-vault-token': token } : {}), 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  };
  const ok = async (method: string, p: string, body?: unknown, token: string | null = 'root'): Promise<Json> => {
    const r = await call(method, p, body, token);
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const errors = async (method: string, p: string, body?: unknown, token: string | null = 'root') => {
    const r = await call(method, p, body, token);
    return { status: r.status, errors: r.body.errors as string[] };
  };

  before(async () => {
    vault = await startVault({ port: 0, now: () => new Date(clock) });
  });
  after(() => vault.close());
  beforeEach(async () => {
    clock = Date.parse('2026-03-01T10:00:00Z');
    await fetch(`${vault.url}/__admin/reset`, { method: 'POST' });
  });

  describe('secrets engines (sys/mounts)', () => {
    it('enables KV v2 and v1 at any path, from options.version or the kv-v2 alias, and lists and reads them', async () => {
      await ok('POST', 'sys/mounts/team/app', { type: 'kv', options: { version: '2' }, description: 'app secrets', config: { default_lease_ttl: '1h', max_lease_ttl: '2h' } });
      await ok('POST', 'sys/mounts/legacy', { type: 'kv', description: 'v1' });
      await ok('POST', 'sys/mounts/other', { type: 'kv-v2' });
      const mounts = await ok('GET', 'sys/mounts');
      expect(mounts.data['team/app/']).to.include({ type: 'kv', description: 'app secrets' });
      expect(mounts.data['team/app/'].options).to.deep.equal({ version: '2' });
      expect(mounts.data['team/app/'].config).to.include({ default_lease_ttl: 3600, max_lease_ttl: 7200 });
      expect(mounts.data['other/'].options).to.deep.equal({ version: '2' });
      expect(mounts['team/app/'], 'older clients read the top level').to.deep.equal(mounts.data['team/app/']);
      expect(Object.keys(mounts.data)).to.include.members(['cubbyhole/', 'identity/', 'sys/', 'secret/', 'kv/']);
      expect((await ok('GET', 'sys/mounts/team/app')).data.accessor).to.match(/^kv_[0-9a-f]{8}$/);
      await ok('POST', 'team/app/data/db', { data: { password: 'p1' } });
      expect((await ok('GET', 'team/app/data/db')).data.data).to.deep.equal({ password: 'p1' });
      await ok('POST', 'legacy/db', { password: 'p1' });
      expect((await ok('GET', 'legacy/db')).data).to.deep.equal({ password: 'p1' });
    });

    it('refuses a used path, a nested one, a protected one, an unknown type and a version on a non-KV engine, as Vault does', async () => {
      expect(await errors('POST', 'sys/mounts/secret', { type: 'kv' })).to.deep.equal({ status: 400, errors: ['path is already in use at secret/'] });
      expect(await errors('POST', 'sys/mounts/secret/nested', { type: 'kv' })).to.deep.equal({ status: 400, errors: ['path is already in use at secret/'] });
      expect(await errors('POST', 'sys/mounts/sys/x', { type: 'kv' })).to.deep.equal({ status: 400, errors: ['cannot mount "sys/x/"'] });
      expect(await errors('POST', 'sys/mounts/db', { type: 'database' })).to.deep.equal({ status: 400, errors: ['plugin not found in the catalog: database'] });
      expect(await errors('POST', 'sys/mounts/t', { type: 'transit', options: { version: '2' } })).to.deep.equal({ status: 400, errors: ['secrets engine "transit" does not allow setting a version'] });
      expect(await errors('POST', 'sys/mounts/t', {})).to.deep.equal({ status: 400, errors: ['backend type must be specified as a string'] });
      expect(await errors('GET', 'sys/mounts/nothing')).to.deep.equal({ status: 400, errors: ['No secret engine mount at nothing/'] });
    });

    it('tunes TTLs and description, shows the effective values, upgrades KV v1 to v2 in place and never back', async () => {
      await ok('POST', 'sys/mounts/app', { type: 'kv' });
      await ok('POST', 'app/db', { password: 'old' });
      expect((await ok('GET', 'sys/mounts/app/tune')).data).to.include({ default_lease_ttl: 2764800, max_lease_ttl: 2764800 });
      expect(await call('POST', 'sys/mounts/app/tune', { default_lease_ttl: '30m', max_lease_ttl: '1h', description: 'tuned' })).to.deep.include({ status: 204 });
      expect((await ok('GET', 'sys/mounts/app/tune')).data).to.include({ default_lease_ttl: 1800, max_lease_ttl: 3600, description: 'tuned' });
      const upgraded = await ok('POST', 'sys/mounts/app/tune', { options: { version: '2' } });
      expect(upgraded.warnings[0]).to.match(/^Upgrading mount from version 1 to version 2/);
      expect((await ok('GET', 'app/data/db')).data).to.deep.include({ data: { password: 'old' } });
      expect(await errors('POST', 'sys/mounts/app/tune', { options: { version: '1' } })).to.deep.equal({ status: 400, errors: ['cannot downgrade mount from version 2'] });
      expect(await errors('POST', 'sys/mounts/app/tune', { default_lease_ttl: 'soon' })).to.deep.equal({ status: 400, errors: ['unable to parse default TTL of soon: time: invalid duration "soon"'] });
      expect(await errors('POST', 'sys/mounts/none/tune', { description: 'x' })).to.deep.equal({ status: 400, errors: ['tune of path "none/" failed: no mount entry found'] });
    });

    it('configures a KV v2 mount (max_versions) and serves data, metadata, delete, undelete and destroy at any mount', async () => {
      await ok('POST', 'sys/mounts/apps/kv', { type: 'kv-v2' });
      await ok('POST', 'apps/kv/config', { max_versions: '2', cas_required: 'false' });
      expect((await ok('GET', 'apps/kv/config')).data).to.deep.equal({ max_versions: 2, cas_required: false, delete_version_after: '0s' });
      for (const v of ['1', '2', '3']) await ok('POST', 'apps/kv/data/x', { data: { v } });
      expect(Object.keys((await ok('GET', 'apps/kv/metadata/x')).data.versions)).to.deep.equal(['2', '3']);
      await ok('POST', 'apps/kv/delete/x', { versions: [3] });
      expect((await call('GET', 'apps/kv/data/x')).status).to.equal(404);
      await ok('POST', 'apps/kv/undelete/x', { versions: '3' });
      expect((await ok('GET', 'apps/kv/data/x')).data.data).to.deep.equal({ v: '3' });
      await ok('POST', 'apps/kv/destroy/x', { versions: [3] });
      expect((await call('GET', 'apps/kv/data/x')).body.data.metadata.destroyed).to.equal(true);
      expect((await ok('GET', 'apps/kv/subkeys/x?version=2')).data.subkeys).to.deep.equal({ v: null });
    });

    it('takes custom_metadata as path_metadata.go does: weak strings, every bad key and value in one multierror, merged by PATCH, empty is null', async () => {
      await ok('POST', 'sys/mounts/apps/kv', { type: 'kv-v2' });
      await ok('POST', 'apps/kv/metadata/x', { custom_metadata: { owner: 'team-a', tier: 2, paged: true } });
      const created = (await ok('GET', 'apps/kv/metadata/x')).data;
      expect(created.custom_metadata).to.deep.equal({ owner: 'team-a', tier: '2', paged: '1' });
      clock += 60_000;
      // http/logical.go: a PATCH must say it is a JSON merge patch.
      expect(await errors('PATCH', 'apps/kv/metadata/x', { custom_metadata: { tier: null } })).to.deep.equal({
        status: 415, errors: ['PATCH requires Content-Type of application/merge-patch+json, provided application/json'],
      });
      await call('PATCH', 'apps/kv/metadata/x', { custom_metadata: { tier: null, region: 'eu' } }, 'root', { 'content-type': 'application/merge-patch+json' });
      const patched = (await ok('GET', 'apps/kv/metadata/x')).data;
      expect(patched.custom_metadata).to.deep.equal({ owner: 'team-a', paged: '1', region: 'eu' });
      expect(patched.updated_time, 'metadata writes leave updated_time alone').to.equal(created.updated_time);
      await ok('POST', 'apps/kv/metadata/x', { custom_metadata: {} });
      expect((await ok('GET', 'apps/kv/metadata/x')).data.custom_metadata).to.equal(null);
      const bad = await errors('POST', 'apps/kv/metadata/x', { custom_metadata: { '': 'v', empty: '', [`k${'a'.repeat(128)}`]: 'v', 'un\u200bprintable': 'v' } });
      expect(bad.status).to.equal(400);
      expect(bad.errors[0]).to.equal([
        '4 errors occurred:',
        '\t* custom_metadata validation failed: length of key "" is 0 but must be 0 < len(key) <= 128',
        '\t* custom_metadata validation failed: length of value for key "empty" is 0 but must be 0 < len(value) <= 512',
        `\t* custom_metadata validation failed: length of key "k${'a'.repeat(128)}" is 129 but must be 0 < len(key) <= 128`,
        '\t* custom_metadata validation failed: key "un\\u200bprintable" (un\u200bprintable) contains unprintable characters',
        '', '',
      ].join('\n'));
      const tooMany = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
      expect((await errors('POST', 'apps/kv/metadata/x', { custom_metadata: tooMany })).errors[0]).to.equal(
        '1 error occurred:\n\t* custom_metadata validation failed: payload must contain at most 64 keys, provided 65\n\n');
      expect((await errors('POST', 'apps/kv/metadata/x', { custom_metadata: { a: { b: 'c' } } })).errors[0]).to.match(
        /^custom_metadata validation failed: '' expected type 'string', got unconvertible type 'map\[string\]interface \{\}'/);
      await ok('POST', 'apps/kv/config', { cas_required: true });
      expect((await ok('POST', 'apps/kv/metadata/x', { cas_required: false })).warnings).to.deep.equal([
        '"cas_required" set to false, but is mandated by backend config. This value will be ignored.',
      ]);
    });

    it('applies delete_version_after: a version is readable until its deletion_time, the smaller of the engine\'s and the key\'s; a negative engine value disables it', async () => {
      await ok('POST', 'sys/mounts/apps/kv', { type: 'kv-v2' });
      await ok('POST', 'apps/kv/config', { delete_version_after: '1h' });
      const written = await ok('POST', 'apps/kv/data/x', { data: { v: '1' } });
      expect(written.data.deletion_time).to.equal('2026-03-01T11:00:00.000Z');
      await ok('POST', 'apps/kv/metadata/y', { delete_version_after: '10m' });
      await ok('POST', 'apps/kv/data/y', { data: { v: '1' } });
      expect((await ok('GET', 'apps/kv/metadata/y')).data.delete_version_after).to.equal('10m0s');
      clock += 11 * 60_000;
      expect((await ok('GET', 'apps/kv/data/x')).data.data, 'before its deletion_time').to.deep.equal({ v: '1' });
      const gone = await call('GET', 'apps/kv/data/y');
      expect(gone.status).to.equal(404);
      expect(gone.body.data.metadata.deletion_time).to.equal('2026-03-01T10:10:00.000Z');
      clock += 50 * 60_000;
      expect((await call('GET', 'apps/kv/data/x')).status).to.equal(404);
      await ok('POST', 'apps/kv/undelete/x', { versions: [1] });
      expect((await ok('GET', 'apps/kv/data/x')).data.data).to.deep.equal({ v: '1' });
      await ok('POST', 'apps/kv/config', { delete_version_after: '-1s' });
      expect((await ok('GET', 'apps/kv/config')).data.delete_version_after).to.equal('-1s');
      expect((await ok('POST', 'apps/kv/data/y', { data: { v: '2' } })).data.deletion_time).to.equal('');
      // field_data.go: a key's delete_version_after is TypeDurationSecond, which refuses negatives (the existence
      // check validates first, so Vault's text has no "Field validation failed" prefix here).
      expect(await errors('POST', 'apps/kv/metadata/y', { delete_version_after: '-5s' })).to.deep.equal({
        status: 400, errors: ['error converting input -5s for field "delete_version_after": cannot provide negative value \'-5\''],
      });
    });

    it('disables a mount (its data goes with it), answers 204 for one that never existed, and remounts', async () => {
      await ok('POST', 'sys/mounts/tmp', { type: 'kv-v2' });
      await ok('POST', 'tmp/data/x', { data: { a: '1' } });
      expect((await call('DELETE', 'sys/mounts/tmp')).status).to.equal(204);
      expect((await call('DELETE', 'sys/mounts/never')).status).to.equal(204);
      await ok('POST', 'sys/mounts/tmp', { type: 'kv-v2' });
      expect((await call('GET', 'tmp/data/x')).status).to.equal(404);
      await ok('POST', 'tmp/data/x', { data: { a: '2' } });
      const moved = await ok('POST', 'sys/remount', { from: 'tmp', to: 'moved' });
      expect((await ok('GET', `sys/remount/status/${moved.data.migration_id}`)).data.migration_info).to.deep.equal({ source_mount: 'tmp/', target_mount: 'moved/', status: 'success' });
      expect((await ok('GET', 'moved/data/x')).data.data).to.deep.equal({ a: '2' });
      expect(await errors('POST', 'sys/remount', { from: 'moved', to: 'secret' })).to.deep.equal({ status: 400, errors: ['path already in use at "secret/"'] });
    });
  });

  describe('the bodies real bootstrap tools send', () => {
    // The Go API client (vault CLI, Terraform's provider) sends every struct field, empty ones as "" or null.
    const mountConfig = {
      default_lease_ttl: '', max_lease_ttl: '', force_no_cache: false, audit_non_hmac_request_keys: null, audit_non_hmac_response_keys: null,
      listing_visibility: '', passthrough_request_headers: null, allowed_response_headers: null, token_type: '', allowed_managed_keys: null,
      plugin_version: '', user_lockout_config: null, delegated_auth_accessors: null, identity_token_key: '',
    };

    it('takes `vault secrets enable`, `auth enable`, `policy write`, `write role`, `token create` and `kv put` as the CLI sends them', async () => {
      const mount = await call('POST', 'sys/mounts/app', { type: 'kv', description: '', config: mountConfig, local: false, seal_wrap: false, external_entropy_access: false, options: { version: '2' }, plugin_name: '' });
      expect(mount.status).to.equal(204);
      expect((await call('POST', 'sys/auth/ci', { type: 'approle', description: '', config: mountConfig, local: false, seal_wrap: false, external_entropy_access: false, options: null })).status).to.equal(204);
      expect((await call('PUT', 'sys/policies/acl/app', { policy: 'path "app/data/*" { capabilities = ["read"] }' })).status).to.equal(204);
      // Terraform's vault_approle_auth_backend_role sends every field.
      const role = await call('POST', 'auth/ci/role/web', {
        bind_secret_id: true, secret_id_bound_cidrs: [], secret_id_num_uses: 0, secret_id_ttl: 0, token_ttl: 3600, token_max_ttl: 0, token_period: 0,
        token_policies: ['app'], token_bound_cidrs: [], token_explicit_max_ttl: 0, token_no_default_policy: false, token_num_uses: 0, token_type: 'default',
      });
      expect(role.status).to.equal(204);
      const token = await ok('POST', 'auth/token/create', {
        id: '', role_name: '', policies: ['app'], meta: null, lease: '', ttl: '1h', explicit_max_ttl: '', period: '', no_parent: false,
        no_default_policy: false, display_name: '', num_uses: 0, renewable: true, type: '', entity_alias: '',
      });
      expect(token.auth).to.include({ lease_duration: 3600, renewable: true });
      expect((await ok('POST', 'auth/token/lookup', { token: token.auth.client_token })).data.meta).to.equal(null);
      // `vault kv put app/x a=b` first asks which KV version the mount is, then writes.
      const ui = await ok('GET', 'sys/internal/ui/mounts/app/x', undefined, token.auth.client_token);
      expect(ui.data).to.include({ path: 'app/', type: 'kv' });
      expect(ui.data.options).to.deep.equal({ version: '2' });
      expect((await call('PUT', 'app/data/x', { data: { a: 'b' }, options: {} })).status).to.equal(200);
      expect(await errors('GET', 'sys/internal/ui/mounts/secret/x', undefined, token.auth.client_token))
        .to.deep.equal({ status: 403, errors: ['preflight capability check returned 403, please ensure client\'s policies grant access to path "secret/"'] });
    });
  });

  describe('policies (sys/policies/acl and sys/policy)', () => {
    const hcl = `
# app may read and create, never overwrite, and never touch the admin secret
path "secret/data/app/*" {
  capabilities = ["create", "read"]
}
path "secret/data/app/admin" {
  capabilities = ["deny"]
}
path "secret/metadata/app/" { capabilities = ["list"] }
`;

    it('writes, reads, lists and deletes HCL and JSON policies through both APIs, names lower-cased', async () => {
      await ok('PUT', 'sys/policies/acl/App', { policy: hcl });
      await ok('PUT', 'sys/policy/json-one', { policy: JSON.stringify({ path: { 'kv/*': { capabilities: ['read'] } } }) });
      await ok('PUT', 'sys/policy/b64', { rules: Buffer.from('path "x" { capabilities = ["read"] }').toString('base64') });
      expect((await ok('GET', 'sys/policies/acl/app')).data).to.deep.equal({ name: 'app', policy: hcl });
      const legacy = await ok('GET', 'sys/policy/b64');
      expect(legacy.data).to.deep.equal({ name: 'b64', rules: 'path "x" { capabilities = ["read"] }' });
      expect(legacy.rules, 'top level for older clients').to.equal(legacy.data.rules);
      expect((await ok('LIST', 'sys/policies/acl')).data.keys).to.deep.equal(['app', 'b64', 'default', 'gatehouse-proxy', 'json-one', 'root']);
      expect((await ok('GET', 'sys/policy')).policies).to.include('root');
      await ok('DELETE', 'sys/policies/acl/json-one');
      expect((await call('GET', 'sys/policies/acl/json-one')).status).to.equal(404);
    });

    it('refuses bad bodies and protected names with Vault\'s text', async () => {
      expect(await errors('PUT', 'sys/policies/acl/x', {})).to.deep.equal({ status: 400, errors: ["'policy' parameter not supplied or empty"] });
      expect(await errors('PUT', 'sys/policies/acl/x', { policy: 'path "a" { capabilities = ["fly"] }' })).to.deep.equal({ status: 400, errors: ['failed to parse policy: path "a": invalid capability "fly"'] });
      expect(await errors('PUT', 'sys/policies/acl/root', { policy: hcl })).to.deep.equal({ status: 400, errors: ['cannot update "root" policy'] });
      expect(await errors('DELETE', 'sys/policy/default')).to.deep.equal({ status: 400, errors: ['cannot delete default policy'] });
    });

    it('enforces a policy on every request: create vs update by existence, deny, list, and sudo on root paths', async () => {
      await ok('PUT', 'sys/policies/acl/app', { policy: hcl });
      const token = (await ok('POST', 'auth/token/create', { policies: ['app'] })).auth.client_token;
      await ok('POST', 'secret/data/app/db', { data: { password: 'p1' } }, token);
      expect(await errors('POST', 'secret/data/app/db', { data: { password: 'p2' } }, token), 'update needs update').to.deep.equal({ status: 403, errors: ['1 error occurred:\n\t* permission denied\n\n'] });
      expect((await ok('GET', 'secret/data/app/db', undefined, token)).data.data).to.deep.equal({ password: 'p1' });
      expect((await call('GET', 'secret/data/app/admin', undefined, token)).status).to.equal(403);
      expect((await ok('LIST', 'secret/metadata/app', undefined, token)).data.keys).to.deep.equal(['db']);
      expect((await call('LIST', 'secret/metadata/', undefined, token)).status).to.equal(403);
      // sys/auth/* is root-protected: update without sudo is refused, with sudo allowed.
      await ok('PUT', 'sys/policies/acl/ops', { policy: 'path "sys/auth/*" { capabilities = ["create", "update"] }\npath "sys/policies/acl/*" { capabilities = ["update"] }' });
      const ops = (await ok('POST', 'auth/token/create', { policies: ['ops'] })).auth.client_token;
      expect((await call('POST', 'sys/auth/ci', { type: 'approle' }, ops)).status).to.equal(403);
      await ok('PUT', 'sys/policies/acl/ops', { policy: 'path "sys/auth/*" { capabilities = ["create", "update", "sudo"] }' });
      expect((await call('POST', 'sys/auth/ci', { type: 'approle' }, ops)).status).to.equal(204);
      // Parameter rules judge the request's data: options (check-and-set) is denied here.
      await ok('PUT', 'sys/policies/acl/nocas', { policy: 'path "secret/data/free/*" {\n  capabilities = ["create", "update"]\n  denied_parameters = { "options" = [] }\n}' });
      const nocas = (await ok('POST', 'auth/token/create', { policies: ['nocas'] })).auth.client_token;
      await ok('POST', 'secret/data/free/a', { data: { v: '1' } }, nocas);
      expect((await call('POST', 'secret/data/free/a', { data: { v: '2' }, options: { cas: 1 } }, nocas)).status).to.equal(403);
      expect((await ok('PUT', 'sys/capabilities-self', { paths: ['secret/data/app/x', 'secret/data/app/admin'] }, token)).data)
        .to.deep.equal({ 'secret/data/app/x': ['create', 'read'], 'secret/data/app/admin': ['deny'] });
    });
  });

  describe('auth methods (sys/auth) and AppRole at any mount', () => {
    it('enables, lists, reads and disables auth methods; enabling twice is 400 "path is already in use at <path>/"', async () => {
      await ok('POST', 'sys/auth/ci/approle', { type: 'approle', description: 'CI' });
      const auths = await ok('GET', 'sys/auth');
      expect(auths.data['ci/approle/']).to.include({ type: 'approle', description: 'CI' });
      expect(auths.data['token/'].type).to.equal('token');
      expect((await ok('GET', 'sys/auth/ci/approle')).data.accessor).to.match(/^auth_approle_[0-9a-f]{8}$/);
      expect(await errors('POST', 'sys/auth/ci/approle', { type: 'approle' })).to.deep.equal({ status: 400, errors: ['path is already in use at ci/approle/'] });
      expect(await errors('POST', 'sys/auth/approle', { type: 'approle' })).to.deep.equal({ status: 400, errors: ['path is already in use at approle/'] });
      expect(await errors('POST', 'sys/auth/k8s', { type: 'kubernetes' })).to.deep.equal({ status: 400, errors: ['plugin not found in the catalog: kubernetes'] });
      expect(await errors('DELETE', 'sys/auth/token')).to.deep.equal({ status: 400, errors: ['token credential backend cannot be disabled'] });
      await ok('POST', 'sys/auth/ci/approle/tune', { default_lease_ttl: '5m', user_lockout_config: { lockout_threshold: '2' } });
      expect((await ok('GET', 'sys/auth/ci/approle/tune')).data).to.include({ default_lease_ttl: 300 });
      expect((await call('DELETE', 'sys/auth/ci/approle')).status).to.equal(204);
      expect(await errors('GET', 'sys/auth/ci/approle')).to.deep.equal({ status: 400, errors: ['No auth engine at ci/approle/'] });
    });

    it('runs the CLI bootstrap: a role from string fields, its role-id and secret-id, a login with the policy applied', async () => {
      await ok('POST', 'sys/auth/machines', { type: 'approle' });
      await ok('PUT', 'sys/policies/acl/reader', { policy: 'path "secret/data/gatehouse/*" { capabilities = ["read"] }' });
      // `vault write auth/machines/role/Reader token_policies=reader token_ttl=20m token_max_ttl=1h secret_id_num_uses=2 secret_id_ttl=10m`
      await ok('POST', 'auth/machines/role/Reader', { token_policies: 'reader', token_ttl: '20m', token_max_ttl: '1h', secret_id_num_uses: '2', secret_id_ttl: '10m' });
      const role = (await ok('GET', 'auth/machines/role/reader')).data;
      expect(role).to.include({ token_ttl: 1200, token_max_ttl: 3600, secret_id_num_uses: 2, secret_id_ttl: 600, bind_secret_id: true });
      expect(role.token_policies).to.deep.equal(['reader']);
      expect(role).to.not.have.property('policies');
      expect((await ok('LIST', 'auth/machines/role')).data.keys).to.deep.equal(['reader']);
      const roleId = (await ok('GET', 'auth/machines/role/reader/role-id')).data.role_id;
      const issued = (await ok('POST', 'auth/machines/role/reader/secret-id', { metadata: '{"host":"ci-1"}' })).data;
      expect(issued).to.include({ secret_id_num_uses: 2, secret_id_ttl: 600 });
      const login = await ok('POST', 'auth/machines/login', { role_id: roleId, secret_id: issued.secret_id }, null);
      expect(login.auth).to.include({ lease_duration: 1200, renewable: true, token_type: 'service', orphan: true });
      expect(login.auth.policies).to.deep.equal(['default', 'reader']);
      expect(login.auth.metadata).to.deep.equal({ host: 'ci-1', role_name: 'reader' });
      expect((await ok('GET', 'secret/data/gatehouse/customerio', undefined, login.auth.client_token)).data.data).to.have.property('CIO_SITE_ID');
      // Two uses: the second login spends it, the third finds nothing.
      await ok('POST', 'auth/machines/login', { role_id: roleId, secret_id: issued.secret_id }, null);
      expect(await errors('POST', 'auth/machines/login', { role_id: roleId, secret_id: issued.secret_id }, null)).to.deep.equal({ status: 400, errors: ['invalid role or secret ID'] });
    });

    it('accepts the deprecated `policies` and shows it back, and a custom role_id and secret_id', async () => {
      await ok('POST', 'auth/approle/role/old', { policies: ['gatehouse-proxy'], role_id: 'my-role-id' });
      const role = (await ok('GET', 'auth/approle/role/old')).data;
      expect(role.policies).to.deep.equal(['gatehouse-proxy']);
      expect(role.token_policies).to.deep.equal(['gatehouse-proxy']);
      expect((await ok('GET', 'auth/approle/role/old/role-id')).data.role_id).to.equal('my-role-id');
      await ok('POST', 'auth/approle/role/old/custom-secret-id', { secret_id: 'my-secret-id' });
      expect((await ok('POST', 'auth/approle/login', { role_id: 'my-role-id', secret_id: 'my-secret-id' }, null)).auth.token_policies).to.deep.equal(['default', 'gatehouse-proxy']);
      await ok('POST', 'auth/approle/role/old', { token_policies: 'default' });
      expect((await ok('GET', 'auth/approle/role/old')).data).to.not.have.property('policies');
    });

    it('looks up, lists and destroys secret_ids and their accessors', async () => {
      const issued = (await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id', { ttl: '90s', num_uses: 5 })).data;
      const accessors = (await ok('LIST', 'auth/approle/role/gatehouse-proxy/secret-id')).data.keys;
      expect(accessors).to.include(issued.secret_id_accessor);
      expect(accessors).to.have.length(2);
      const looked = (await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id/lookup', { secret_id: issued.secret_id })).data;
      expect(looked).to.include({ secret_id_accessor: issued.secret_id_accessor, secret_id_num_uses: 5, secret_id_ttl: 90, expiration_time: '2026-03-01T10:01:30.000Z' });
      expect((await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id-accessor/lookup', { secret_id_accessor: issued.secret_id_accessor })).data.secret_id_num_uses).to.equal(5);
      await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id-accessor/destroy', { secret_id_accessor: issued.secret_id_accessor });
      expect(await errors('POST', 'auth/approle/role/gatehouse-proxy/secret-id-accessor/lookup', { secret_id_accessor: issued.secret_id_accessor }))
        .to.deep.equal({ status: 404, errors: [`failed to find accessor entry for secret_id_accessor: "${issued.secret_id_accessor}"`] });
      const other = (await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id')).data;
      await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id/destroy', { secret_id: other.secret_id });
      expect((await call('POST', 'auth/approle/role/gatehouse-proxy/secret-id/lookup', { secret_id: other.secret_id })).status).to.equal(204);
      expect(await errors('POST', 'auth/approle/role/nobody/secret-id')).to.deep.equal({ status: 404, errors: ['role "nobody" does not exist'] });
      await ok('POST', 'auth/approle/role/short', { token_policies: 'default', secret_id_ttl: '10m', secret_id_num_uses: 1 });
      expect(await errors('POST', 'auth/approle/role/short/secret-id', { ttl: '5h' })).to.deep.equal({ status: 400, errors: ["ttl cannot be longer than the role's secret_id_ttl"] });
      expect(await errors('POST', 'auth/approle/role/short/secret-id', { num_uses: 0 })).to.deep.equal({ status: 400, errors: ["num_uses cannot be higher than the role's secret_id_num_uses"] });
      expect(await errors('POST', 'auth/approle/role/gatehouse-proxy/secret-id/lookup', { secret_id: 'x' }, 'root')).to.deep.equal({ status: 204, errors: undefined });
      expect(await errors('POST', 'auth/approle/role/nobody/secret-id/lookup', { secret_id: 'x' }), 'a plain error in path_role.go: Vault answers 500')
        .to.deep.equal({ status: 500, errors: ['1 error occurred:\n\t* role "nobody" does not exist\n\n'] });
    });

    it('refuses wrong logins with Vault\'s exact texts, expires secret_ids, and locks a role out after 5 failures', async () => {
      const roleId = '6d0c7f3e-local-gatehouse-role-id';
      expect(await errors('POST', 'auth/approle/login', {}, null)).to.deep.equal({ status: 400, errors: ['missing role_id'] });
      expect(await errors('POST', 'auth/approle/login', { role_id: 'nope', secret_id: 'x' }, null)).to.deep.equal({ status: 400, errors: ['invalid role or secret ID'] });
      expect(await errors('POST', 'auth/approle/login', { role_id: roleId }, null)).to.deep.equal({ status: 400, errors: ['missing secret_id'] });
      const short = (await ok('POST', 'auth/approle/role/gatehouse-proxy/secret-id', { ttl: '60s' })).data.secret_id;
      clock += 61_000;
      expect(await errors('POST', 'auth/approle/login', { role_id: roleId, secret_id: short }, null)).to.deep.equal({ status: 400, errors: ['invalid role or secret ID'] });
      for (let i = 0; i < 4; i++) await errors('POST', 'auth/approle/login', { role_id: roleId, secret_id: 'wrong' }, null);
      // Docs (user lockout): threshold 5, then "permission denied" for 15 minutes even with the right secret_id.
      expect(await errors('POST', 'auth/approle/login', { role_id: roleId, secret_id: '5f1e2a9b-local-gatehouse-secret-id' }, null)).to.deep.equal({ status: 403, errors: ['permission denied'] });
      clock += 15 * 60_000;
      expect((await call('POST', 'auth/approle/login', { role_id: roleId, secret_id: '5f1e2a9b-local-gatehouse-secret-id' }, null)).status).to.equal(200);
    });
  });

  describe('tokens', () => {
    it('creates child, orphan and role tokens with policies, TTL, num_uses; looks them up by id, self and accessor', async () => {
      const child = (await ok('POST', 'auth/token/create', { policies: ['gatehouse-proxy'], ttl: '10m', num_uses: 3, display_name: 'ci job', meta: { job: '7' } })).auth;
      expect(child).to.include({ lease_duration: 600, renewable: true, orphan: false, num_uses: 3 });
      expect(child.policies).to.deep.equal(['default', 'gatehouse-proxy']);
      const looked = (await ok('POST', 'auth/token/lookup', { token: child.client_token })).data;
      expect(looked).to.include({ display_name: 'token-ci-job', path: 'auth/token/create', creation_ttl: 600, num_uses: 3, orphan: false, ttl: 600 });
      expect(looked.meta).to.deep.equal({ job: '7' });
      const self = (await ok('GET', 'auth/token/lookup-self', undefined, child.client_token)).data;
      expect(self.num_uses, 'this request used one').to.equal(2);
      expect((await ok('POST', 'auth/token/lookup-accessor', { accessor: child.accessor })).data).to.include({ id: '', accessor: child.accessor });
      const orphan = (await ok('POST', 'auth/token/create-orphan', { policies: 'default', ttl: '1h' })).auth;
      expect(orphan.orphan).to.equal(true);
      await ok('POST', 'auth/token/roles/deployer', { allowed_policies: 'gatehouse-proxy', orphan: true, token_period: '1h' });
      const byRole = (await ok('POST', 'auth/token/create/deployer', {})).auth;
      expect(byRole).to.include({ orphan: true, lease_duration: 3600 });
      expect((await ok('POST', 'auth/token/lookup', { token: byRole.client_token })).data).to.include({ role: 'deployer', period: 3600, path: 'auth/token/create/deployer' });
      expect((await ok('LIST', 'auth/token/accessors')).data.keys).to.include.members([child.accessor, orphan.accessor, byRole.accessor]);
    });

    it('binds tokens and logins to CIDR blocks: a token used from elsewhere is denied, AppRole and userpass refuse as their path_login.go does', async () => {
      const denied = { status: 403, errors: ['1 error occurred:\n\t* permission denied\n\n'] };
      await ok('POST', 'auth/token/roles/far', { token_bound_cidrs: '10.0.0.0/8' });
      await ok('POST', 'auth/token/roles/near', { token_bound_cidrs: ['127.0.0.1/32', '::1'] });
      const far = (await ok('POST', 'auth/token/create/far', { policies: 'default', ttl: '1h' })).auth.client_token;
      const near = (await ok('POST', 'auth/token/create/near', { policies: 'default', ttl: '1h' })).auth.client_token;
      expect(await errors('GET', 'auth/token/lookup-self', undefined, far)).to.deep.equal(denied);
      expect((await ok('GET', 'auth/token/lookup-self', undefined, near)).data.bound_cidrs, 'single hosts print bare').to.deep.equal(['127.0.0.1', '::1']);
      expect((await ok('POST', 'auth/token/lookup', { token: far })).data.bound_cidrs).to.deep.equal(['10.0.0.0/8']);
      expect((await ok('GET', 'auth/token/roles/near')).data.token_bound_cidrs).to.deep.equal(['127.0.0.1', '::1']);

      await ok('POST', 'auth/approle/role/ci', { token_policies: 'default', token_bound_cidrs: '10.1.0.0/16' });
      const roleId = (await ok('GET', 'auth/approle/role/ci/role-id')).data.role_id;
      const secretId = (await ok('POST', 'auth/approle/role/ci/secret-id', {})).data.secret_id;
      const bound = (await ok('POST', 'auth/approle/login', { role_id: roleId, secret_id: secretId }, null)).auth.client_token;
      expect(await errors('GET', 'auth/token/lookup-self', undefined, bound), 'the role\'s token_bound_cidrs bind the token').to.deep.equal(denied);
      const local = (await ok('POST', 'auth/approle/role/ci/secret-id', { token_bound_cidrs: '127.0.0.0/8' })).data.secret_id;
      const freed = (await ok('POST', 'auth/approle/login', { role_id: roleId, secret_id: local }, null)).auth.client_token;
      expect((await ok('GET', 'auth/token/lookup-self', undefined, freed)).data.bound_cidrs, 'a secret_id\'s own replace the role\'s').to.deep.equal(['127.0.0.0/8']);
      const once = (await ok('POST', 'auth/approle/role/ci/secret-id', { cidr_list: '10.0.0.0/8' })).data.secret_id;
      expect(await errors('POST', 'auth/approle/login', { role_id: roleId, secret_id: once }, null)).to.deep.equal({
        status: 400, errors: ['source address "127.0.0.1" unauthorized through CIDR restrictions on the secret ID'],
      });
      await ok('POST', 'auth/approle/role/ci', { secret_id_num_uses: 2 });
      const counted = (await ok('POST', 'auth/approle/role/ci/secret-id', { cidr_list: '10.0.0.0/8' })).data;
      expect(await errors('POST', 'auth/approle/login', { role_id: roleId, secret_id: counted.secret_id }, null)).to.deep.equal({
        status: 400, errors: ['source address "127.0.0.1" unauthorized by CIDR restrictions on the secret ID: %!w(<nil>)'],
      });
      expect((await ok('POST', 'auth/approle/role/ci/secret-id-accessor/lookup', { secret_id_accessor: counted.secret_id_accessor })).data.secret_id_num_uses, 'the refused login spent a use').to.equal(1);
      await ok('POST', 'auth/approle/role/ci', { secret_id_bound_cidrs: '10.0.0.0/8', secret_id_num_uses: 0 });
      expect(await errors('POST', 'auth/approle/login', { role_id: roleId, secret_id: secretId }, null)).to.deep.equal({
        status: 400, errors: ['source address "127.0.0.1" unauthorized by CIDR restrictions on the role: %!w(<nil>)'],
      });

      await ok('POST', 'sys/auth/userpass', { type: 'userpass' });
      await ok('POST', 'auth/userpass/users/ops', { password: 'pw', token_bound_cidrs: '10.0.0.0/8' });
      expect(await errors('POST', 'auth/userpass/login/ops', { password: 'pw' }, null)).to.deep.equal({ status: 403, errors: ['permission denied'] });
    });

    it('refuses what a child may not get, in token_store.go\'s words', async () => {
      const limited = (await ok('POST', 'auth/token/create', { policies: ['gatehouse-proxy'] })).auth.client_token;
      await ok('PUT', 'sys/policies/acl/maker', { policy: 'path "auth/token/create*" { capabilities = ["update"] }' });
      const maker = (await ok('POST', 'auth/token/create', { policies: ['maker'] })).auth.client_token;
      expect(await errors('POST', 'auth/token/create', { policies: ['gatehouse-proxy'] }, maker)).to.deep.equal({ status: 400, errors: ['child policies must be subset of parent'] });
      expect(await errors('POST', 'auth/token/create', { no_parent: true }, maker)).to.deep.equal({ status: 400, errors: ['root or sudo privileges required to create orphan token'] });
      expect(await errors('POST', 'auth/token/create', { id: 'custom' }, maker)).to.deep.equal({ status: 400, errors: ['root or sudo privileges required to specify token id'] });
      expect((await call('POST', 'auth/token/create', {}, limited)).status, 'no policy grants auth/token/create').to.equal(403);
      expect(await errors('POST', 'auth/token/create', { policies: ['response-wrapping'] })).to.deep.equal({ status: 400, errors: ['cannot assign policy "response-wrapping"'] });
      expect(await errors('POST', 'auth/token/create/nobody', {})).to.deep.equal({ status: 400, errors: ['unknown role nobody'] });
      expect(await errors('POST', 'auth/token/create', { ttl: 'forever' })).to.deep.equal({ status: 400, errors: ['time: invalid duration "forever"'] });
    });

    it('honours TTLs: an expired token is refused as an invalid token; renew extends it up to the max', async () => {
      const t = (await ok('POST', 'auth/token/create', { policies: ['gatehouse-proxy'], ttl: '10m', explicit_max_ttl: '15m' })).auth.client_token;
      clock += 9 * 60_000;
      const renewed = await ok('POST', 'auth/token/renew-self', { increment: '10m' }, t);
      expect(renewed.auth.lease_duration, 'capped at the explicit max').to.equal(360);
      expect(renewed.warnings[0]).to.match(/^TTL of "10m0s" exceeded the effective max_ttl of "6m0s"; TTL value is capped accordingly/);
      clock += 361_000;
      expect(await errors('GET', 'auth/token/lookup-self', undefined, t)).to.deep.equal({ status: 403, errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] });
      expect(await errors('POST', 'auth/token/renew-self', {})).to.deep.equal({ status: 400, errors: ['invalid lease ID'] });
      const fixed = (await ok('POST', 'auth/token/create', { ttl: '1h', renewable: false })).auth.client_token;
      expect(await errors('POST', 'auth/token/renew', { token: fixed })).to.deep.equal({ status: 400, errors: ['lease is not renewable'] });
    });

    it('revokes a token with its children, orphans them on revoke-orphan, and revokes itself', async () => {
      const parent = (await ok('POST', 'auth/token/create', { ttl: '1h' })).auth.client_token;
      const child = (await ok('POST', 'auth/token/create', { ttl: '1h' }, parent)).auth.client_token;
      await ok('POST', 'auth/token/revoke', { token: parent });
      expect((await call('GET', 'auth/token/lookup-self', undefined, child)).status).to.equal(403);
      const p2 = (await ok('POST', 'auth/token/create', { ttl: '1h' })).auth.client_token;
      const c2 = (await ok('POST', 'auth/token/create', { ttl: '1h' }, p2)).auth.client_token;
      await ok('POST', 'auth/token/revoke-orphan', { token: p2 });
      expect((await ok('GET', 'auth/token/lookup-self', undefined, c2)).data.orphan).to.equal(true);
      await ok('POST', 'auth/token/revoke-self', undefined, c2);
      expect((await call('GET', 'auth/token/lookup-self', undefined, c2)).status).to.equal(403);
      expect(await errors('POST', 'auth/token/lookup', { token: 'hvs.nope' })).to.deep.equal({ status: 403, errors: ['bad token'] });
      expect(await errors('POST', 'auth/token/lookup-accessor', { accessor: 'nope' })).to.deep.equal({ status: 400, errors: ['1 error occurred:\n\t* invalid accessor\n\n'] });
    });

    it('spends num_uses: the last use is answered, then the token is gone', async () => {
      const t = (await ok('POST', 'auth/token/create', { policies: ['gatehouse-proxy'], num_uses: 2 })).auth.client_token;
      await ok('GET', 'secret/data/gatehouse/customerio', undefined, t);
      await ok('GET', 'secret/data/gatehouse/customerio', undefined, t);
      expect((await errors('GET', 'secret/data/gatehouse/customerio', undefined, t)).errors[0]).to.match(/invalid token/);
    });
  });

  describe('the seed', () => {
    it('is the bootstrap\'s API calls, replayed again on /__admin/reset', async () => {
      await ok('DELETE', 'sys/policies/acl/gatehouse-proxy');
      await ok('DELETE', 'sys/auth/approle');
      await ok('DELETE', 'sys/mounts/secret');
      await fetch(`${vault.url}/__admin/reset`, { method: 'POST' });
      expect((await ok('GET', 'sys/policies/acl/gatehouse-proxy')).data.policy).to.match(/path "secret\/data\/gatehouse\/\*"/);
      const login = await ok('POST', 'auth/approle/login', { role_id: '6d0c7f3e-local-gatehouse-role-id', secret_id: '5f1e2a9b-local-gatehouse-secret-id' }, null);
      expect(login.auth.lease_duration).to.equal(3600);
      expect((await ok('GET', 'secret/data/gatehouse/mail', undefined, login.auth.client_token)).data.data).to.have.property('PII_SALT');
    });

    it('refuses to start on a call Vault would refuse, naming the call and the answer', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-seed-'));
      try {
        const file = path.join(dir, 'seed.json');
        fs.writeFileSync(file, JSON.stringify({ calls: [{ method: 'POST', path: 'sys/mounts/sys2', body: { type: 'nope' } }] }));
        let err: Error | undefined;
        await startVault({ port: 0, seedFile: file }).then((v) => v.close(), (e) => (err = e));
        expect(err?.message).to.equal('Vault seed call 0 (POST sys/mounts/sys2) was refused with 400: plugin not found in the catalog: nope');
        fs.writeFileSync(file, JSON.stringify({ calls: [{ method: 'PUT', path: 'sys/policy/x', body: { policy: { $file: '../escape.hcl' } } }] }));
        await startVault({ port: 0, seedFile: file }).then((v) => v.close(), (e) => (err = e));
        expect(err?.message).to.match(/call 0: policy.\$file must stay inside the seed's folder/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
