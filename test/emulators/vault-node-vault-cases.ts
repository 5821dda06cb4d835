/**
 * One case per node-vault client method, each against the fake Vault: the answer shape Vault documents and the
 * refusal a wrong call gets. Methods for auth methods and engines the fake does not serve (see the README's
 * "What the fakes serve") get what a dev-mode Vault without them answers. Used by vault-node-vault.test.ts.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodeVault from 'node-vault';
import type { VaultServer } from '../../emulators/vault/index.ts';

type Json = Record<string, any>;
type Client = ReturnType<typeof nodeVault>;

export interface CaseEnv {
  vault: VaultServer;
  /** A fresh client (methods marked tokenSource replace its token, so every case gets its own). */
  client(token?: string): Client;
  admin(p: string, body?: unknown): Promise<Response>;
  /** A client's rejection as node-vault reports it: the status and Vault's body. */
  failure(p: Promise<unknown>): Promise<{ statusCode: number; body: Json }>;
  /** Resolve once `emitter` emits `event`, or fail after a generous deadline. */
  event(emitter: Client, event: string): Promise<any>;
  /** True when none of `events` is emitted within `ms` (renewal timers that were stopped). */
  quiet(emitter: Client, events: string[], ms: number): Promise<boolean>;
}

export type Case = (env: CaseEnv) => Promise<void>;

const ROLE_ID = '6d0c7f3e-local-gatehouse-role-id';
const SECRET_ID = '5f1e2a9b-local-gatehouse-secret-id';
const denied = ['1 error occurred:\n\t* permission denied\n\n'];
const noHandler = (p: string) => ({ statusCode: 404, body: { errors: [`no handler for route "${p}". route entry not found.`] } });

async function limitedToken(e: CaseEnv, policies = ['gatehouse-proxy']): Promise<string> {
  return (await e.client('root').tokenCreate({ policies, ttl: '1h' })).auth.client_token;
}

async function transit(e: CaseEnv): Promise<Client> {
  const root = e.client('root');
  await root.mount({ mount_point: 'transit', type: 'transit' });
  return root;
}

/** A token lease id, as LIST sys/leases/lookup shows it (sudo). */
async function tokenLease(e: CaseEnv): Promise<{ token: string; leaseId: string }> {
  const token = await limitedToken(e);
  const keys = (await e.client('root').list('sys/leases/lookup/auth/token/create')).data.keys as string[];
  return { token, leaseId: `auth/token/create/${keys[0]}` };
}

/** Auth methods that need an outside identity provider: not served, so a dev server without them answers. */
function unservedLogin(method: string, mount: string, args: Json): Case {
  return async (e) => {
    expect(await e.failure((e.client() as any)[method](args))).to.deep.equal({ statusCode: 403, body: { errors: ['permission denied'] } });
    expect(await e.failure((e.client('root') as any)[method](args))).to.deep.equal(noHandler(`auth/${mount}`));
  };
}

export const CASES: Record<string, Case> = {
  async handleVaultResponse(e) {
    const c = e.client('root');
    const ok = { statusCode: 200, body: { data: 1 }, request: { path: '/v1/x' } };
    expect(await c.handleVaultResponse(ok)).to.deep.equal({ data: 1 });
    const res = await fetch(`${e.vault.url}/v1/secret/data/missing`, { headers: { 'x-vault-token': 'root' } });
    const err = await e.failure(c.handleVaultResponse({ statusCode: res.status, body: await res.json(), request: { path: '/v1/secret/data/missing' } }));
    expect(err).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async request(e) {
    const c = e.client('root');
    expect((await c.request({ path: '/secret/data/gatehouse/customerio', method: 'GET' })).data.data).to.have.property('CIO_SITE_ID');
    expect(await e.failure(c.request({ path: '/nomount/x', method: 'GET' }))).to.deep.equal(noHandler('nomount/x'));
  },
  async help(e) {
    const c = e.client('root');
    expect((await c.help('secret/data/x')).help).to.match(/Key-Value Store/);
    expect(await e.failure(c.help('nomount/x'))).to.deep.equal(noHandler('nomount/x'));
  },
  async write(e) {
    const c = e.client('root');
    expect((await c.write('secret/data/app', { data: { a: '1' } })).data).to.include({ version: 1, destroyed: false });
    expect(await e.failure(c.write('secret/data/app', {}))).to.deep.equal({ statusCode: 400, body: { errors: ['no data provided'] } });
  },
  async update(e) {
    const c = e.client('root');
    await c.write('secret/data/app', { data: { a: '1', b: '2' } });
    expect((await c.update('secret/data/app', { data: { b: null } })).data.version).to.equal(2);
    expect((await c.read('secret/data/app')).data.data).to.deep.equal({ a: '1' });
    expect((await e.failure(c.update('secret/data/none', { data: { a: '1' } }))).statusCode).to.equal(404);
  },
  async read(e) {
    const c = e.client('root');
    const r = await c.read('secret/data/gatehouse/customerio');
    expect(r).to.include.all.keys('request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth');
    expect(await e.failure(c.read('secret/data/none'))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async list(e) {
    const c = e.client('root');
    expect((await c.list('secret/metadata/')).data.keys).to.deep.equal(['gatehouse/']);
    expect(await e.failure(c.list('secret/metadata/none'))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async delete(e) {
    const c = e.client('root');
    await c.write('kv/x', { a: '1' });
    await c.delete('kv/x');
    expect((await e.failure(c.read('kv/x'))).statusCode).to.equal(404);
    expect(await e.failure(c.delete('secret/config'))).to.deep.equal({ statusCode: 405, body: { errors: ['1 error occurred:\n\t* unsupported operation\n\n'] } });
  },
  async generateFunction(e) {
    const c = e.client('root');
    c.generateFunction('keyStatus', { method: 'GET', path: '/sys/key-status' });
    expect((await (c as any).keyStatus()).data.term).to.equal(1);
    c.generateFunction('nowhere', { method: 'GET', path: '/nowhere/x' });
    expect(await e.failure((c as any).nowhere())).to.deep.equal(noHandler('nowhere/x'));
  },
  async status(e) {
    expect(await e.client().status()).to.include({ type: 'shamir', initialized: true, sealed: false, t: 1, n: 1, progress: 0 });
    await e.admin('/status', { sealed: true });
    expect((await e.client().status()).sealed, 'answered while sealed').to.equal(true);
  },
  async initialized(e) {
    expect(await e.client().initialized()).to.deep.equal({ initialized: true });
    await e.admin('/status', { initialized: false });
    expect(await e.client().initialized()).to.deep.equal({ initialized: false });
  },
  async init(e) {
    expect(await e.failure(e.client().init({ secret_shares: 1, secret_threshold: 1 }))).to.deep.equal({ statusCode: 400, body: { errors: ['Vault is already initialized'] } });
    await e.admin('/status', { initialized: false });
    expect(await e.failure(e.client().init({ secret_shares: 2, secret_threshold: 3 }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid seal configuration: threshold cannot be larger than shares'] } });
    const res = await e.client().init({ secret_shares: 3, secret_threshold: 2 });
    expect(res.keys).to.have.length(3);
    expect(res.keys_base64[0]).to.equal(Buffer.from(res.keys[0], 'hex').toString('base64'));
    expect(res.root_token).to.match(/^hvs\./);
    expect((await e.client().status()).sealed).to.equal(true);
  },
  async unseal(e) {
    await e.admin('/status', { initialized: false });
    const { keys, root_token } = await e.client().init({ secret_shares: 3, secret_threshold: 2 });
    expect(await e.client().unseal({ key: keys[0] })).to.include({ sealed: true, progress: 1, t: 2, n: 3 });
    expect(await e.client().unseal({ key: keys[2] })).to.include({ sealed: false, progress: 0 });
    expect((await e.client(root_token).tokenLookupSelf()).data.policies).to.deep.equal(['root']);
    await e.client(root_token).seal();
    await e.client().unseal({ key: keys[1] });
    expect(await e.failure(e.client().unseal({ key: 'ab'.repeat(33) }))).to.deep.equal({ statusCode: 400, body: { errors: ['failed to decrypt keys from storage: cipher: message authentication failed'] } });
  },
  async seal(e) {
    expect(await e.failure(e.client(await limitedToken(e)).seal())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
    await e.client('root').seal();
    expect(await e.failure(e.client('root').read('secret/data/gatehouse/customerio'))).to.deep.equal({ statusCode: 503, body: { errors: ['Vault is sealed'] } });
  },
  async addTokenRole(e) {
    const c = e.client('root');
    await c.addTokenRole({ role_name: 'ci', allowed_policies: 'gatehouse-proxy', orphan: true, period: 3600 });
    expect((await c.getTokenRole({ role_name: 'ci' })).data).to.include({ orphan: true, token_period: 3600, name: 'ci' });
    expect(await e.failure(c.addTokenRole({ role_name: 'bad', path_suffix: '../x' }))).to.deep.equal({ statusCode: 400, body: { errors: ['error registering role: path suffix contains ".."'] } });
  },
  async getTokenRole(e) {
    const c = e.client('root');
    await c.addTokenRole({ role_name: 'ci', allowed_policies: 'gatehouse-proxy' });
    expect((await c.getTokenRole({ role_name: 'ci' })).data.allowed_policies).to.deep.equal(['gatehouse-proxy']);
    expect(await e.failure(c.getTokenRole({ role_name: 'none' }))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async removeTokenRole(e) {
    const c = e.client('root');
    await c.addTokenRole({ role_name: 'ci' });
    await c.removeTokenRole({ role_name: 'ci' });
    expect((await e.failure(c.getTokenRole({ role_name: 'ci' }))).statusCode).to.equal(404);
    expect(await e.failure(e.client(await limitedToken(e)).removeTokenRole({ role_name: 'ci' }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async tokenRoles(e) {
    const c = e.client('root');
    expect(await e.failure(c.tokenRoles())).to.deep.equal({ statusCode: 404, body: { errors: [] } });
    await c.addTokenRole({ role_name: 'b' });
    await c.addTokenRole({ role_name: 'a' });
    expect((await c.tokenRoles()).data.keys).to.deep.equal(['a', 'b']);
  },
  async approleRoles(e) {
    expect((await e.client('root').approleRoles()).data.keys).to.deep.equal(['gatehouse-proxy']);
    expect(await e.failure(e.client('root').approleRoles({ mount_point: 'nope' }))).to.deep.equal(noHandler('auth/nope/role'));
  },
  async addKubernetesRole(e) {
    // node-vault 0.12.0's schema for this method has no `properties`: with any argument it throws before sending.
    let thrown: unknown;
    await e.client('root').addKubernetesRole({ role_name: 'app' }).catch((x: unknown) => (thrown = x));
    expect(thrown).to.be.instanceOf(TypeError);
    // Without arguments it reaches Vault. Its path template takes {{kubernetesPath}} from the arguments only, so the
    // default sends "auth//role/": Go's router answers 301 to the cleaned path, where (as on a dev server) nothing is.
    expect(await e.failure(e.client('root').addKubernetesRole())).to.deep.equal(noHandler('auth/role'));
  },
  async getKubernetesRole(e) {
    expect(await e.failure(e.client('root').getKubernetesRole({ role_name: 'app', mount_point: 'kubernetes' }))).to.deep.equal(noHandler('auth/kubernetes/role/app'));
    expect(await e.failure(e.client('root').enableAuth({ mount_point: 'kubernetes', type: 'kubernetes' }))).to.deep.equal({ statusCode: 400, body: { errors: ['plugin not found in the catalog: kubernetes'] } });
  },
  async deleteKubernetesRole(e) {
    expect(await e.failure(e.client('root').deleteKubernetesRole({ role_name: 'app', mount_point: 'kubernetes' }))).to.deep.equal(noHandler('auth/kubernetes/role/app'));
    expect((await e.failure(e.client().deleteKubernetesRole({ role_name: 'app', mount_point: 'kubernetes' }))).statusCode).to.equal(403);
  },
  async addApproleRole(e) {
    const c = e.client('root');
    await c.addApproleRole({ role_name: 'web', policies: 'gatehouse-proxy', token_ttl: 600, secret_id_num_uses: 3 });
    expect((await c.getApproleRole({ role_name: 'web' })).data).to.include({ token_ttl: 600, secret_id_num_uses: 3 });
    expect(await e.failure(c.addApproleRole({ role_name: 'loose', bind_secret_id: false }))).to.deep.equal({ statusCode: 500, body: { errors: ['1 error occurred:\n\t* at least one constraint should be enabled on the role\n\n'] } });
  },
  async getApproleRole(e) {
    const role = (await e.client('root').getApproleRole({ role_name: 'gatehouse-proxy' })).data;
    expect(role).to.include({ bind_secret_id: true, token_ttl: 3600, token_max_ttl: 14400 });
    expect(role.token_policies).to.deep.equal(['gatehouse-proxy']);
    expect(await e.failure(e.client('root').getApproleRole({ role_name: 'none' }))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async deleteApproleRole(e) {
    const c = e.client('root');
    await c.deleteApproleRole({ role_name: 'gatehouse-proxy' });
    expect(await e.failure(e.client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid role or secret ID'] } });
    expect(await e.failure(e.client(await limitedToken(e)).deleteApproleRole({ role_name: 'x' }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async getApproleRoleId(e) {
    expect((await e.client('root').getApproleRoleId({ role_name: 'gatehouse-proxy' })).data).to.deep.equal({ role_id: ROLE_ID });
    expect(await e.failure(e.client('root').getApproleRoleId({ role_name: 'none' }))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async updateApproleRoleId(e) {
    const c = e.client('root');
    await c.updateApproleRoleId({ role_name: 'gatehouse-proxy', role_id: 'new-role-id' });
    expect((await c.getApproleRoleId({ role_name: 'gatehouse-proxy' })).data.role_id).to.equal('new-role-id');
    expect(await e.failure(c.updateApproleRoleId({ role_name: 'none', role_id: 'x' }))).to.deep.equal({ statusCode: 404, body: { errors: ['1 error occurred:\n\t* unsupported path\n\n'] } });
  },
  async getApproleRoleSecret(e) {
    const res = (await e.client('root').getApproleRoleSecret({ role_name: 'gatehouse-proxy', metadata: '{"host":"a"}', cidr_list: ['127.0.0.1/32'] })).data;
    expect(res).to.have.all.keys('secret_id', 'secret_id_accessor', 'secret_id_num_uses', 'secret_id_ttl');
    expect((await e.client().approleLogin({ role_id: ROLE_ID, secret_id: res.secret_id })).auth.metadata).to.deep.equal({ host: 'a', role_name: 'gatehouse-proxy' });
    expect(await e.failure(e.client('root').getApproleRoleSecret({ role_name: 'none' }))).to.deep.equal({ statusCode: 404, body: { errors: ['role "none" does not exist'] } });
  },
  async generateRootInit(e) {
    const c = e.client('root');
    const att = await c.generateRootInit();
    expect(att).to.include({ started: true, progress: 0, required: 1, complete: false, otp_length: 28 });
    expect(att.otp).to.have.length(28);
    expect(await e.failure(c.generateRootInit())).to.deep.equal({ statusCode: 400, body: { errors: ['root generation already in progress'] } });
  },
  async generateRootCancel(e) {
    const c = e.client('root');
    await c.generateRootInit();
    await c.generateRootCancel();
    expect((await c.request({ path: '/sys/generate-root/attempt', method: 'GET' })).started).to.equal(false);
    expect(await e.failure(c.generateRootUpdate({ key: 'aa', nonce: 'x' }))).to.deep.equal({ statusCode: 400, body: { errors: ['no root generation in progress'] } });
  },
  async generateRootUpdate(e) {
    const c = e.client('root');
    const att = await c.generateRootInit();
    const key = e.vault.state.seal.unsealKeys()[0].toString('hex');
    expect(await e.failure(c.generateRootUpdate({ key, nonce: 'wrong' }))).to.deep.equal({ statusCode: 400, body: { errors: [`incorrect nonce supplied; nonce for this root generation operation is ${att.nonce}`] } });
    const done = await c.generateRootUpdate({ key, nonce: att.nonce });
    expect(done).to.include({ complete: true, progress: 1 });
    // The CLI's decoding: base64 (no padding) XOR the OTP.
    const token = Buffer.from([...Buffer.from(done.encoded_token, 'base64')].map((b, i) => b ^ att.otp.charCodeAt(i))).toString();
    expect((await e.client(token).tokenLookupSelf()).data).to.include({ display_name: 'root', path: 'auth/token/root' });
  },
  async mounts(e) {
    const m = await e.client('root').mounts();
    expect(m.data['secret/']).to.include({ type: 'kv' });
    expect(m.data['secret/'].options).to.deep.equal({ version: '2' });
    expect(await e.failure(e.client(await limitedToken(e)).mounts())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async mount(e) {
    const c = e.client('root');
    const res = await c.mount({ mount_point: 'apps', type: 'kv', options: { version: '2' }, description: 'apps' });
    expect(res.warnings, 'node-vault sends mount_point in the body too').to.deep.equal(['Endpoint ignored these unrecognized parameters: [mount_point]']);
    expect((await c.mounts()).data['apps/']).to.include({ description: 'apps' });
    expect(await e.failure(c.mount({ mount_point: 'apps', type: 'kv' }))).to.deep.equal({ statusCode: 400, body: { errors: ['path is already in use at apps/'] } });
  },
  async unmount(e) {
    const c = e.client('root');
    await c.unmount({ mount_point: 'kv' });
    expect(await e.failure(c.read('kv/anything'))).to.deep.equal(noHandler('kv/anything'));
    expect(await e.failure(e.client(await limitedToken(e)).unmount({ mount_point: 'secret' }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async remount(e) {
    const c = e.client('root');
    const res = await c.remount({ from: 'kv', to: 'kv-old' });
    expect(res.data.migration_id).to.be.a('string');
    expect(res.warnings[0]).to.match(/^Mount move has been queued/);
    expect(await e.failure(c.remount({ from: 'nope', to: 'x' }))).to.deep.equal({ statusCode: 400, body: { errors: ['no matching mount at "nope/"'] } });
  },
  async transitCreateKey(e) {
    const c = await transit(e);
    expect((await c.transitCreateKey({ name: 'orders' })).data).to.include({ name: 'orders', type: 'aes256-gcm96', latest_version: 1 });
    expect(await e.failure(c.transitCreateKey({ name: 'rsa', type: 'rsa-2048' }))).to.deep.equal({ statusCode: 400, body: { errors: ['unknown key type rsa-2048'] } });
  },
  async transitReadKey(e) {
    const c = await transit(e);
    await c.transitCreateKey({ name: 'orders' });
    expect((await c.transitReadKey({ name: 'orders' })).data).to.include({ deletion_allowed: false, supports_encryption: true });
    expect(await e.failure(c.transitReadKey({ name: 'none' }))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async transitListKeys(e) {
    const c = await transit(e);
    expect(await e.failure(c.transitListKeys())).to.deep.equal({ statusCode: 404, body: { errors: [] } });
    await c.transitCreateKey({ name: 'b' });
    await c.transitCreateKey({ name: 'a' });
    expect((await c.transitListKeys()).data.keys).to.deep.equal(['a', 'b']);
  },
  async transitDeleteKey(e) {
    const c = await transit(e);
    await c.transitCreateKey({ name: 'orders' });
    expect(await e.failure(c.transitDeleteKey({ name: 'orders' }))).to.deep.equal({ statusCode: 400, body: { errors: ['error deleting policy orders: deletion is not allowed for this key'] } });
    await c.write('transit/keys/orders/config', { deletion_allowed: true });
    await c.transitDeleteKey({ name: 'orders' });
    expect((await e.failure(c.transitReadKey({ name: 'orders' }))).statusCode).to.equal(404);
  },
  async encryptData(e) {
    const c = await transit(e);
    const res = await c.encryptData({ name: 'orders', plaintext: Buffer.from('card 4242').toString('base64') });
    expect(res.data.ciphertext).to.match(/^vault:v1:[A-Za-z0-9+/=]+$/);
    expect(await e.failure(c.encryptData({ name: 'orders', plaintext: 'not base64!' }))).to.deep.equal({ statusCode: 400, body: { errors: ['failed to base64-decode plaintext'] } });
  },
  async decryptData(e) {
    const c = await transit(e);
    const { ciphertext } = (await c.encryptData({ name: 'orders', plaintext: Buffer.from('card 4242').toString('base64') })).data;
    expect(Buffer.from((await c.decryptData({ name: 'orders', ciphertext })).data.plaintext, 'base64').toString()).to.equal('card 4242');
    expect(await e.failure(c.decryptData({ name: 'orders', ciphertext: 'v1:abc' }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid ciphertext: no prefix'] } });
    expect(await e.failure(c.decryptData({ name: 'none', ciphertext }))).to.deep.equal({ statusCode: 400, body: { errors: ['encryption key not found'] } });
  },
  async rewrapData(e) {
    const c = await transit(e);
    const { ciphertext } = (await c.encryptData({ name: 'orders', plaintext: 'aGk=' })).data;
    await c.write('transit/keys/orders/rotate', {});
    const rewrapped = (await c.rewrapData({ name: 'orders', ciphertext })).data;
    expect(rewrapped.ciphertext).to.match(/^vault:v2:/);
    expect((await c.decryptData({ name: 'orders', ciphertext: rewrapped.ciphertext })).data.plaintext).to.equal('aGk=');
    expect(await e.failure(c.rewrapData({ name: 'orders', ciphertext: 'vault:v9:AAAA' }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid ciphertext: version is too new'] } });
  },
  async generateDatabaseCredentials(e) {
    // The database engine needs a real database: not served, and (as on a dev server) not mounted.
    expect(await e.failure(e.client('root').generateDatabaseCredentials({ databasePath: 'database', name: 'app' }))).to.deep.equal(noHandler('database/creds/app'));
    expect(await e.failure(e.client('root').mount({ mount_point: 'database', type: 'database' }))).to.deep.equal({ statusCode: 400, body: { errors: ['plugin not found in the catalog: database'] } });
  },
  async policies(e) {
    const res = await e.client('root').policies();
    expect(res.data.keys).to.deep.equal(['default', 'gatehouse-proxy', 'root']);
    expect(res.policies).to.deep.equal(res.data.keys);
    expect(await e.failure(e.client(await limitedToken(e)).policies())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async addPolicy(e) {
    const c = e.client('root');
    await c.addPolicy({ name: 'reader', rules: 'path "kv/*" { capabilities = ["read"] }' });
    expect((await c.getPolicy({ name: 'reader' })).rules).to.equal('path "kv/*" { capabilities = ["read"] }');
    expect(await e.failure(c.addPolicy({ name: 'bad', rules: 'path "kv/*" { capabilities = ["reed"] }' }))).to.deep.equal({ statusCode: 400, body: { errors: ['failed to parse policy: path "kv/*": invalid capability "reed"'] } });
  },
  async getPolicy(e) {
    const res = await e.client('root').getPolicy({ name: 'gatehouse-proxy' });
    expect(res.data.name).to.equal('gatehouse-proxy');
    expect(res.data.rules).to.match(/capabilities = \["read"\]/);
    expect(await e.failure(e.client('root').getPolicy({ name: 'none' }))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
  },
  async removePolicy(e) {
    const c = e.client('root');
    await c.removePolicy({ name: 'gatehouse-proxy' });
    expect((await c.policies()).data.keys).to.deep.equal(['default', 'root']);
    expect(await e.failure(c.removePolicy({ name: 'root' }))).to.deep.equal({ statusCode: 400, body: { errors: ['cannot delete "root" policy'] } });
  },
  async auths(e) {
    const res = await e.client('root').auths();
    expect(Object.keys(res.data).sort()).to.deep.equal(['approle/', 'token/']);
    expect(res.data['approle/'].type).to.equal('approle');
    expect((await e.failure(e.client().auths())).statusCode).to.equal(403);
  },
  async enableAuth(e) {
    const c = e.client('root');
    await c.enableAuth({ mount_point: 'people', type: 'userpass', description: 'humans' });
    expect((await c.auths()).data['people/']).to.include({ type: 'userpass', description: 'humans' });
    expect(await e.failure(c.enableAuth({ mount_point: 'people', type: 'userpass' }))).to.deep.equal({ statusCode: 400, body: { errors: ['path is already in use at people/'] } });
  },
  async disableAuth(e) {
    const c = e.client('root');
    const login = await e.client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
    await c.disableAuth({ mount_point: 'approle' });
    expect((await e.failure(e.client(login.auth.client_token).tokenLookupSelf())).statusCode, 'its tokens are revoked').to.equal(403);
    expect(await e.failure(c.disableAuth({ mount_point: 'token' }))).to.deep.equal({ statusCode: 400, body: { errors: ['token credential backend cannot be disabled'] } });
  },
  async enableAudit(e) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-audit-'));
    try {
      const file = path.join(dir, 'audit.log');
      const c = e.client('root');
      await c.enableAudit({ name: 'file', type: 'file', options: { file_path: file } });
      await c.read('secret/data/gatehouse/customerio');
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const response = lines.find((l) => l.type === 'response' && l.request.path === 'secret/data/gatehouse/customerio');
      expect(response.request.client_token).to.match(/^hmac-sha256:[0-9a-f]{64}$/);
      expect(JSON.stringify(lines)).to.not.include('local-fake');
      expect(response.response.data.data.CIO_SITE_ID).to.equal((await c.write('sys/audit-hash/file', { input: 'local-fake-site-id' })).data.hash);
      expect(await e.failure(c.enableAudit({ name: 'sock', type: 'socket' }))).to.deep.equal({ statusCode: 400, body: { errors: ['unknown backend type: "socket"'] } });
    } finally {
      await e.client('root').disableAudit({ name: 'file' });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
  async audits(e) {
    const c = e.client('root');
    expect((await c.audits()).data).to.deep.equal({});
    await c.enableAudit({ name: 'file', type: 'file', options: { file_path: 'discard' } });
    expect((await c.audits()).data['file/']).to.include({ type: 'file', path: 'file/' });
    expect(await e.failure(e.client(await limitedToken(e)).audits())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async disableAudit(e) {
    const c = e.client('root');
    await c.enableAudit({ name: 'file', type: 'file', options: { file_path: 'discard' } });
    await c.disableAudit({ name: 'file' });
    expect((await c.audits()).data).to.deep.equal({});
    expect(await e.failure(e.client(await limitedToken(e)).disableAudit({ name: 'file' }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async renew(e) {
    // The fake's engines issue no dynamic secrets (nor does a dev server's KV): the leases there are tokens'.
    const { leaseId } = await tokenLease(e);
    expect(await e.failure(e.client('root').renew({ lease_id: leaseId }))).to.deep.equal({ statusCode: 400, body: { errors: ['tokens cannot be renewed through this endpoint'] } });
    expect(await e.failure(e.client('root').renew({ lease_id: 'database/creds/app/x' }))).to.deep.equal({ statusCode: 400, body: { errors: ['lease not found'] } });
  },
  async revoke(e) {
    const { token, leaseId } = await tokenLease(e);
    const lease = (await e.client('root').write('sys/leases/lookup', { lease_id: leaseId })).data;
    expect(lease).to.include({ id: leaseId, renewable: true, last_renewal: null });
    expect(lease.ttl).to.be.within(3599, 3600);
    await e.client('root').revoke({ lease_id: leaseId });
    expect((await e.failure(e.client(token).tokenLookupSelf())).statusCode).to.equal(403);
    expect(await e.failure(e.client('root').revoke({ lease_id: '' }))).to.deep.equal({ statusCode: 400, body: { errors: ['lease_id must be specified'] } });
  },
  async revokePrefix(e) {
    const login = await e.client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
    await e.client('root').revokePrefix({ path_prefix: 'auth/approle/login' });
    expect((await e.failure(e.client(login.auth.client_token).tokenLookupSelf())).statusCode).to.equal(403);
    expect(await e.failure(e.client(await limitedToken(e)).revokePrefix({ path_prefix: 'auth' }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async rotate(e) {
    await e.client('root').rotate();
    expect((await e.client('root').read('sys/key-status')).data.term).to.equal(2);
    expect(await e.failure(e.client(await limitedToken(e)).rotate())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async unwrap(e) {
    const wrapped = await e.client('root').write('sys/wrapping/wrap', { password: 'hunter2' }, { headers: { 'X-Vault-Wrap-TTL': '60s' } });
    expect(wrapped.data).to.equal(null);
    expect(wrapped.wrap_info).to.include({ ttl: 60, creation_path: 'sys/wrapping/wrap' });
    expect((await e.client('root').unwrap({ token: wrapped.wrap_info.token })).data).to.deep.equal({ password: 'hunter2' });
    expect(await e.failure(e.client('root').unwrap({ token: wrapped.wrap_info.token }))).to.deep.equal({ statusCode: 400, body: { errors: ['wrapping token is not valid or does not exist'] } });
  },
  gcpLogin: unservedLogin('gcpLogin', 'gcp/login', { role: 'app', jwt: 'x' }),
  githubLogin: unservedLogin('githubLogin', 'github/login', { token: 'x' }),
  kubernetesLogin: unservedLogin('kubernetesLogin', 'kubernetes/login', { role: 'app', jwt: 'x', mount_point: 'kubernetes' }),
  awsIamLogin: unservedLogin('awsIamLogin', 'aws/login', { role: 'app', iam_http_request_method: 'POST', iam_request_url: 'x', iam_request_body: 'x', iam_request_headers: 'x' }),
  ldapLogin: unservedLogin('ldapLogin', 'ldap/login/ada', { username: 'ada', password: 'x' }),
  oktaLogin: unservedLogin('oktaLogin', 'okta/login/ada', { username: 'ada', password: 'x' }),
  radiusLogin: unservedLogin('radiusLogin', 'radius/login/ada', { username: 'ada', password: 'x' }),
  certLogin: unservedLogin('certLogin', 'cert/login', {}),
  jwtLogin: unservedLogin('jwtLogin', 'jwt/login', { role: 'app', jwt: 'x' }),
  async userpassLogin(e) {
    const root = e.client('root');
    await root.enableAuth({ mount_point: 'userpass', type: 'userpass' });
    await root.write('auth/userpass/users/Ada', { password: 'correct horse', token_policies: 'gatehouse-proxy' });
    const c = e.client();
    const res = await c.userpassLogin({ username: 'ada', password: 'correct horse' });
    expect(res.auth).to.include({ renewable: true, token_type: 'service' });
    expect(res.auth.metadata).to.deep.equal({ username: 'ada' });
    expect(c.token, 'tokenSource: the client now uses the issued token').to.equal(res.auth.client_token);
    expect((await c.read('secret/data/gatehouse/customerio')).data.data).to.have.property('CIO_API_KEY');
    expect(await e.failure(e.client().userpassLogin({ username: 'ada', password: 'wrong' }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid username or password'] } });
  },
  async tokenAccessors(e) {
    const keys = (await e.client('root').tokenAccessors()).data.keys as string[];
    expect(keys).to.have.length(1);
    expect(await e.failure(e.client(await limitedToken(e)).tokenAccessors())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async tokenCreate(e) {
    const c = e.client('root');
    const res = await c.tokenCreate({ policies: ['gatehouse-proxy'], ttl: '30m', meta: { who: 'ci' } });
    expect(res.auth).to.include({ lease_duration: 1800, renewable: true, orphan: false });
    expect(res.auth.policies).to.deep.equal(['default', 'gatehouse-proxy']);
    expect(c.token, 'tokenSource').to.equal(res.auth.client_token);
    expect(await e.failure(c.tokenCreate({ policies: ['root'] }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async tokenCreateOrphan(e) {
    const res = await e.client('root').tokenCreateOrphan({ policies: ['gatehouse-proxy'] });
    expect(res.auth).to.include({ orphan: true, lease_duration: 2764800 });
    expect(await e.failure(e.client(await limitedToken(e)).tokenCreateOrphan({}))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async tokenCreateRole(e) {
    await e.client('root').addTokenRole({ role_name: 'ci', allowed_policies: 'gatehouse-proxy' });
    const res = await e.client('root').tokenCreateRole({ role_name: 'ci' });
    expect(res.auth.policies).to.deep.equal(['default', 'gatehouse-proxy']);
    expect(await e.failure(e.client('root').tokenCreateRole({ role_name: 'ci', policies: ['root'] }))).to.deep.equal({ statusCode: 400, body: { errors: ['token policies (["root"]) must be subset of the role\'s allowed policies (["default" "gatehouse-proxy"])'] } });
  },
  async tokenLookup(e) {
    const t = await limitedToken(e);
    const data = (await e.client('root').tokenLookup({ token: t })).data;
    expect(data).to.include({ id: t, path: 'auth/token/create', creation_ttl: 3600 });
    expect(data.ttl).to.be.within(3599, 3600);
    expect(await e.failure(e.client('root').tokenLookup({ token: 'hvs.unknown' }))).to.deep.equal({ statusCode: 403, body: { errors: ['bad token'] } });
  },
  async tokenLookupAccessor(e) {
    const created = await e.client('root').tokenCreate({ ttl: '1h' });
    expect((await e.client('root').tokenLookupAccessor({ accessor: created.auth.accessor })).data).to.include({ id: '', accessor: created.auth.accessor });
    expect(await e.failure(e.client('root').tokenLookupAccessor({ accessor: 'nope' }))).to.deep.equal({ statusCode: 400, body: { errors: ['1 error occurred:\n\t* invalid accessor\n\n'] } });
  },
  async tokenLookupSelf(e) {
    expect((await e.client('root').tokenLookupSelf()).data).to.include({ id: 'root', display_name: 'root', ttl: 0, expire_time: null });
    expect(await e.failure(e.client('hvs.gone').tokenLookupSelf())).to.deep.equal({ statusCode: 403, body: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] } });
  },
  async tokenRenew(e) {
    const t = await limitedToken(e);
    expect((await e.client('root').tokenRenew({ token: t, increment: '2h' })).auth.lease_duration).to.equal(7200);
    expect(await e.failure(e.client('root').tokenRenew({ token: 'hvs.unknown' }))).to.deep.equal({ statusCode: 400, body: { errors: ['token not found'] } });
  },
  async tokenRenewSelf(e) {
    const c = e.client(await limitedToken(e));
    expect((await c.tokenRenewSelf({ increment: '10m' })).auth.lease_duration).to.equal(600);
    expect(await e.failure(e.client('root').tokenRenewSelf())).to.deep.equal({ statusCode: 400, body: { errors: ['invalid lease ID'] } });
  },
  async tokenRevoke(e) {
    const t = await limitedToken(e);
    await e.client('root').tokenRevoke({ token: t });
    expect((await e.failure(e.client(t).tokenLookupSelf())).statusCode).to.equal(403);
    expect(await e.failure(e.client('root').tokenRevoke({ token: '' }))).to.deep.equal({ statusCode: 400, body: { errors: ['missing token ID'] } });
  },
  async tokenRevokeAccessor(e) {
    const created = await e.client('root').tokenCreate({ ttl: '1h' });
    await e.client('root').tokenRevokeAccessor({ accessor: created.auth.accessor });
    expect((await e.failure(e.client(created.auth.client_token).tokenLookupSelf())).statusCode).to.equal(403);
    expect(await e.failure(e.client('root').tokenRevokeAccessor({ accessor: created.auth.accessor }))).to.deep.equal({ statusCode: 400, body: { errors: ['1 error occurred:\n\t* invalid accessor\n\n'] } });
  },
  async tokenRevokeOrphan(e) {
    const parent = await limitedToken(e, ['default']);
    await e.client('root').write('sys/policies/acl/maker', { policy: 'path "auth/token/*" { capabilities = ["update"] }' });
    const maker = (await e.client('root').tokenCreate({ policies: ['maker'] })).auth.client_token;
    expect(await e.failure(e.client(maker).tokenRevokeOrphan({ token: parent }))).to.deep.equal({ statusCode: 400, body: { errors: ['root or sudo privileges required to revoke and orphan'] } });
    await e.client('root').tokenRevokeOrphan({ token: parent });
    expect((await e.failure(e.client(parent).tokenLookupSelf())).statusCode).to.equal(403);
  },
  async tokenRevokeSelf(e) {
    const c = e.client(await limitedToken(e));
    await c.tokenRevokeSelf();
    expect(await e.failure(c.tokenRevokeSelf())).to.deep.equal({ statusCode: 403, body: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] } });
  },
  async approleSecretAccessors(e) {
    const keys = (await e.client('root').approleSecretAccessors({ role_name: 'gatehouse-proxy' })).data.keys;
    expect(keys).to.have.length(1);
    expect(await e.failure(e.client('root').approleSecretAccessors({ role_name: 'none' }))).to.deep.equal({ statusCode: 400, body: { errors: ['role "none" does not exist'] } });
  },
  async approleSecretLookup(e) {
    const data = (await e.client('root').approleSecretLookup({ role_name: 'gatehouse-proxy', secret_id: SECRET_ID })).data;
    expect(data).to.include({ secret_id_num_uses: 0, secret_id_ttl: 0 });
    expect(data).to.have.all.keys('cidr_list', 'creation_time', 'expiration_time', 'last_updated_time', 'metadata', 'secret_id_accessor', 'secret_id_num_uses', 'secret_id_ttl', 'token_bound_cidrs');
    expect(await e.failure(e.client('root').approleSecretLookup({ role_name: 'gatehouse-proxy', secret_id: '' }))).to.deep.equal({ statusCode: 400, body: { errors: ['missing secret_id'] } });
  },
  async approleSecretDestroy(e) {
    await e.client('root').approleSecretDestroy({ role_name: 'gatehouse-proxy', secret_id: SECRET_ID });
    expect(await e.failure(e.client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid role or secret ID'] } });
    expect(await e.failure(e.client(await limitedToken(e)).approleSecretDestroy({ role_name: 'gatehouse-proxy', secret_id: 'x' }))).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async approleSecretAccessorLookup(e) {
    const [accessor] = (await e.client('root').approleSecretAccessors({ role_name: 'gatehouse-proxy' })).data.keys;
    expect((await e.client('root').approleSecretAccessorLookup({ role_name: 'gatehouse-proxy', secret_id_accessor: accessor })).data.secret_id_accessor).to.equal(accessor);
    expect(await e.failure(e.client('root').approleSecretAccessorLookup({ role_name: 'gatehouse-proxy', secret_id_accessor: 'nope' }))).to.deep.equal({ statusCode: 404, body: { errors: ['failed to find accessor entry for secret_id_accessor: "nope"'] } });
  },
  async approleSecretAccessorDestroy(e) {
    const [accessor] = (await e.client('root').approleSecretAccessors({ role_name: 'gatehouse-proxy' })).data.keys;
    await e.client('root').approleSecretAccessorDestroy({ role_name: 'gatehouse-proxy', secret_id_accessor: accessor });
    expect(await e.failure(e.client('root').approleSecretAccessors({ role_name: 'gatehouse-proxy' }))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
    // path_role.go returns a plain error here, which Vault answers with 500.
    expect(await e.failure(e.client('root').approleSecretAccessorDestroy({ role_name: 'gatehouse-proxy', secret_id_accessor: accessor })))
      .to.deep.equal({ statusCode: 500, body: { errors: [`1 error occurred:\n\t* failed to find accessor entry for secret_id_accessor: "${accessor}"\n\n`] } });
  },
  async approleLogin(e) {
    const c = e.client();
    const res = await c.approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
    expect(res.auth).to.include({ lease_duration: 3600, renewable: true, orphan: true, num_uses: 0 });
    expect(c.token).to.equal(res.auth.client_token);
    expect(await e.failure(e.client().approleLogin({ role_id: ROLE_ID, secret_id: 'wrong' }))).to.deep.equal({ statusCode: 400, body: { errors: ['invalid role or secret ID'] } });
  },
  async health(e) {
    expect(await e.client().health()).to.include({ initialized: true, sealed: false, standby: false, version: '1.15.6' });
    await e.admin('/status', { standby: true });
    expect((await e.client().health()).standby, 'node-vault resolves a 429 from sys/health').to.equal(true);
    expect((await e.client().health({ standbyok: true })).standby).to.equal(true);
  },
  async leader(e) {
    expect(await e.client().leader()).to.include({ ha_enabled: false, is_self: false, leader_address: '' });
    await e.admin('/status', { sealed: true });
    expect((await e.client().leader()).ha_enabled, 'answered while sealed').to.equal(false);
  },
  async stepDown(e) {
    // A dev server is not in HA mode: step-down is accepted and changes nothing.
    await e.client('root').stepDown();
    expect((await e.client().health()).standby).to.equal(false);
    expect(await e.failure(e.client(await limitedToken(e)).stepDown())).to.deep.equal({ statusCode: 403, body: { errors: denied } });
  },
  async destroySecretVersions(e) {
    const c = e.client('root');
    await c.destroySecretVersions({ mount_point: 'secret', path: 'gatehouse/customerio', versions: [1] });
    expect((await e.failure(c.read('secret/data/gatehouse/customerio'))).body.data.metadata.destroyed).to.equal(true);
    expect(await e.failure(c.destroySecretVersions({ mount_point: 'nomount', path: 'x', versions: [1] }))).to.deep.equal(noHandler('nomount/destroy/x'));
  },
  async startTokenRenewal(e) {
    const c = e.client((await e.client('root').tokenCreate({ ttl: '2s' })).auth.client_token);
    await c.startTokenRenewal({ renewFraction: 0.5 });
    expect((await e.event(c, 'token:renewed')).auth.lease_duration).to.equal(2);
    c.stopTokenRenewal();
    const bad = e.client('hvs.unknown');
    await bad.startTokenRenewal({ ttl: 1 });
    expect((await e.event(bad, 'token:error:renew')).response.statusCode).to.equal(403);
  },
  async stopTokenRenewal(e) {
    const t = (await e.client('root').tokenCreate({ ttl: '1h' })).auth.client_token;
    const c = e.client(t);
    await c.startTokenRenewal({ ttl: 1 });
    c.stopTokenRenewal();
    expect(await e.quiet(c, ['token:renewed', 'token:error:renew'], 1500)).to.equal(true);
    expect((await e.client('root').tokenLookup({ token: t })).data).to.not.have.property('last_renewal');
  },
  async startLeaseRenewal(e) {
    const { leaseId } = await tokenLease(e);
    const c = e.client('root');
    c.startLeaseRenewal(leaseId, 1);
    const failed = await e.event(c, 'lease:error:renew');
    expect(failed.leaseId).to.equal(leaseId);
    expect(failed.error.message).to.equal('tokens cannot be renewed through this endpoint');
    expect(() => c.startLeaseRenewal('', 1)).to.throw('leaseId is required');
  },
  async stopLeaseRenewal(e) {
    const { leaseId } = await tokenLease(e);
    const c = e.client('root');
    c.startLeaseRenewal(leaseId, 1);
    c.stopLeaseRenewal(leaseId);
    expect(await e.quiet(c, ['lease:renewed', 'lease:error:renew'], 1500)).to.equal(true);
  },
  async stopAllRenewals(e) {
    const { token, leaseId } = await tokenLease(e);
    const c = e.client(token);
    await c.startTokenRenewal({ ttl: 1 });
    c.startLeaseRenewal(leaseId, 1);
    c.stopAllRenewals();
    expect(await e.quiet(c, ['token:renewed', 'token:error:renew', 'lease:renewed', 'lease:error:renew'], 1500)).to.equal(true);
  },
};
