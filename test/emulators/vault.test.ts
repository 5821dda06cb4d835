import { expect } from 'chai';
import net from 'node:net';
import nodeVault from 'node-vault';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';

const ROLE_ID = '6d0c7f3e-local-gatehouse-role-id';
const SECRET_ID = '5f1e2a9b-local-gatehouse-secret-id';
type Json = Record<string, any>;

/** node-vault rejects non-2xx with ApiResponseError; return its status and body so tests can assert the wire shape. */
async function failure(p: Promise<unknown>): Promise<{ statusCode: number; body: Json }> {
  try {
    await p;
  } catch (e) {
    const res = (e as { response?: { statusCode: number; body: Json } }).response;
    if (res) return res;
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('Vault emulator', () => {
  let vault: VaultServer;
  let root: nodeVault.client;
  const client = (token?: string) => nodeVault({ endpoint: vault.url, token });
  const admin = (path: string, body?: unknown) =>
    fetch(`${vault.url}/__admin${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  before(async () => {
    vault = await startVault({ port: 0 });
    root = client('root');
  });
  after(() => vault.close());
  beforeEach(async () => {
    await admin('/reset', {});
  });

  describe('auth', () => {
    it('reads the seeded Customer.io secret with the root token', async () => {
      const res = await root.read('secret/data/gatehouse/customerio');
      expect(Object.keys(res.data.data).sort()).to.deep.equal(['ANON_ID_SALT', 'CIO_API_KEY', 'CIO_APP_API_KEY', 'CIO_SITE_ID', 'CIO_WEBHOOK_SIGNING_KEY', 'PII_SALT']);
      expect(res.data.metadata).to.include({ version: 1, destroyed: false, deletion_time: '' });
      expect(res).to.include.all.keys('request_id', 'lease_id', 'renewable', 'lease_duration', 'wrap_info', 'warnings', 'auth');
    });

    it('answers 403 "permission denied" without a token, and also "invalid token" for a token it does not know', async () => {
      expect(await failure(client().read('secret/data/gatehouse/customerio'))).to.deep.equal({ statusCode: 403, body: { errors: ['permission denied'] } });
      expect(await failure(client('not-a-token').read('secret/data/gatehouse/customerio')))
        .to.deep.equal({ statusCode: 403, body: { errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'] } });
    });

    it('accepts the token as Authorization: Bearer', async () => {
      const res = await fetch(`${vault.url}/v1/secret/data/gatehouse/customerio`, { headers: { authorization: 'Bearer root' } });
      expect(res.status).to.equal(200);
    });

    it('logs in with AppRole and reads the proxy secret with the issued token, within its policy only', async () => {
      const login = await client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
      expect(login.auth.policies).to.deep.equal(['default', 'gatehouse-proxy']);
      expect(login.auth.lease_duration).to.equal(3600);
      const app = client(login.auth.client_token);
      const res = await app.read('secret/data/gatehouse/customerio');
      expect(res.data.data.CIO_SITE_ID).to.equal('local-fake-site-id');
      expect((await failure(app.write('secret/data/gatehouse/customerio', { data: { x: '1' } }))).statusCode).to.equal(403);
      expect((await failure(app.read('kv/anything'))).statusCode).to.equal(403);
      const self = await app.tokenLookupSelf();
      expect(self.data).to.include({ display_name: 'approle', path: 'auth/approle/login', type: 'service' });
      expect(self.data.meta).to.deep.equal({ role_name: 'gatehouse-proxy' });
      expect(self.data.ttl).to.be.within(3590, 3600);
    });

    it('rejects a wrong secret_id with 400 invalid role or secret ID', async () => {
      const res = await failure(client().approleLogin({ role_id: ROLE_ID, secret_id: 'wrong' }));
      expect(res).to.deep.equal({ statusCode: 400, body: { errors: ['invalid role or secret ID'] } });
    });

    it('expires AppRole tokens after their TTL', async () => {
      const login = await client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
      vault.state.clockOffset = 3601;
      expect((await failure(client(login.auth.client_token).tokenLookupSelf())).statusCode).to.equal(403);
    });
  });

  describe('KV v2', () => {
    const path = 'secret/data/app/config';

    it('writes versions and reads the current one or ?version=', async () => {
      const first = await root.write(path, { data: { colour: 'red' } });
      expect(first.data).to.include({ version: 1, destroyed: false, deletion_time: '' });
      expect(first.data).to.have.property('created_time').that.is.a('string');
      const second = await root.write(path, { data: { colour: 'blue' } });
      expect(second.data.version).to.equal(2);
      expect((await root.read(path)).data.data).to.deep.equal({ colour: 'blue' });
      expect((await root.read(`${path}?version=1`)).data.data).to.deep.equal({ colour: 'red' });
      expect((await failure(root.read(`${path}?version=9`)))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
    });

    it('enforces check-and-set: cas 0 only creates, cas n must match, cas_required demands it', async () => {
      await root.write(path, { data: { a: '1' }, options: { cas: 0 } });
      const conflict = await failure(root.write(path, { data: { a: '2' }, options: { cas: 0 } }));
      expect(conflict).to.deep.equal({ statusCode: 400, body: { errors: ['check-and-set parameter did not match the current version'] } });
      expect((await root.write(path, { data: { a: '2' }, options: { cas: 1 } })).data.version).to.equal(2);
      await root.write('secret/metadata/app/config', { cas_required: true });
      const required = await failure(root.write(path, { data: { a: '3' } }));
      expect(required.body.errors).to.deep.equal(['check-and-set parameter required for this call']);
    });

    it('soft-deletes, undeletes and destroys versions', async () => {
      await root.write(path, { data: { v: '1' } });
      await root.write(path, { data: { v: '2' } });
      await root.delete(path);
      const deleted = await failure(root.read(path));
      expect(deleted.statusCode).to.equal(404);
      expect(deleted.body.data.data).to.equal(null);
      expect(deleted.body.data.metadata.deletion_time).to.not.equal('');
      await root.write('secret/undelete/app/config', { versions: [2] });
      expect((await root.read(path)).data.data).to.deep.equal({ v: '2' });
      await root.write('secret/destroy/app/config', { versions: [2] });
      await root.write('secret/undelete/app/config', { versions: [2] });
      const destroyed = await failure(root.read(path));
      expect(destroyed.body.data.metadata).to.include({ destroyed: true, version: 2 });
      await root.write('secret/delete/app/config', { versions: [1] });
      expect((await failure(root.read(`${path}?version=1`))).statusCode).to.equal(404);
      expect((await failure(root.write('secret/delete/app/config', {}))).body.errors).to.deep.equal(['no version number provided']);
    });

    it('reads, writes and deletes metadata; max_versions prunes the oldest versions', async () => {
      await root.write('secret/metadata/app/config', { max_versions: 2, custom_metadata: { owner: 'platform' } });
      for (const v of ['1', '2', '3']) await root.write(path, { data: { v } });
      const meta = (await root.read('secret/metadata/app/config')).data;
      expect(meta).to.include({ current_version: 3, max_versions: 2, oldest_version: 2, cas_required: false });
      expect(meta.custom_metadata).to.deep.equal({ owner: 'platform' });
      expect(Object.keys(meta.versions)).to.deep.equal(['2', '3']);
      expect((await failure(root.read(`${path}?version=1`))).statusCode).to.equal(404);
      await root.delete('secret/metadata/app/config');
      expect(await failure(root.read('secret/metadata/app/config'))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
      expect((await failure(root.read(path))).statusCode).to.equal(404);
    });

    it('merges a PATCH into a new version', async () => {
      await root.write(path, { data: { a: '1', b: '2' } });
      const res = await root.update(path, { data: { b: null, c: '3' } });
      expect(res.data.version).to.equal(2);
      expect((await root.read(path)).data.data).to.deep.equal({ a: '1', c: '3' });
    });

    it('lists keys with the LIST method and with ?list=true, folders ending in /', async () => {
      await root.write('secret/data/app/config', { data: { a: '1' } });
      await root.write('secret/data/app/nested/deep', { data: { a: '1' } });
      expect((await root.list('secret/metadata/app')).data.keys).to.deep.equal(['config', 'nested/']);
      expect((await root.list('secret/metadata/')).data.keys).to.deep.equal(['app/', 'gatehouse/']);
      const viaGet = await root.read('secret/metadata/app?list=true');
      expect(viaGet.data.keys).to.deep.equal(['config', 'nested/']);
      expect((await nodeVault({ endpoint: vault.url, token: 'root', noCustomHTTPVerbs: true }).list('secret/metadata/app')).data.keys).to.deep.equal(['config', 'nested/']);
      expect(await failure(root.list('secret/metadata/nothing-here'))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
    });
  });

  describe('KV v1', () => {
    it('writes, reads, lists and deletes unversioned secrets', async () => {
      await root.write('kv/team/db', { password: 'local-fake' });
      const res = await root.read('kv/team/db');
      expect(res.data).to.deep.equal({ password: 'local-fake' });
      expect(res.lease_duration).to.equal(2764800);
      expect((await root.list('kv/team')).data.keys).to.deep.equal(['db']);
      await root.delete('kv/team/db');
      expect(await failure(root.read('kv/team/db'))).to.deep.equal({ statusCode: 404, body: { errors: [] } });
    });
  });

  describe('errors and server status', () => {
    it('answers 400 with Vault\'s message for malformed JSON', async () => {
      const res = await fetch(`${vault.url}/v1/secret/data/x`, { method: 'POST', headers: { 'x-vault-token': 'root' }, body: '{"data": {' });
      expect(res.status).to.equal(400);
      const body = (await res.json()) as Json;
      expect(body.errors[0]).to.match(/^failed to parse JSON input: /);
      const badEscape = await fetch(`${vault.url}/v1/secret/data/%E0%A4%A`, { headers: { 'x-vault-token': 'root' } });
      expect(badEscape.status).to.equal(400);
    });

    it('answers 404 "no handler" for a path nothing serves, and 405 for an operation a path lacks', async () => {
      expect((await failure(root.read('nomount/x'))).body.errors).to.deep.equal(['no handler for route "nomount/x". route entry not found.']);
      expect((await failure(root.delete('secret/destroy/app'))).statusCode).to.equal(405);
    });

    it('reports health with the documented status codes', async () => {
      expect(await root.health()).to.include({ initialized: true, sealed: false, standby: false });
      await admin('/status', { standby: true });
      expect((await fetch(`${vault.url}/v1/sys/health`)).status).to.equal(429);
      expect((await fetch(`${vault.url}/v1/sys/health?standbyok=true`)).status).to.equal(200);
      await admin('/status', { standby: false, sealed: true });
      const sealedRes = await fetch(`${vault.url}/v1/sys/health`);
      expect(sealedRes.status).to.equal(503);
      expect(((await sealedRes.json()) as Json).sealed).to.equal(true);
      expect((await fetch(`${vault.url}/v1/sys/health?sealedcode=200`)).status).to.equal(200);
      expect(await failure(root.read('secret/data/gatehouse/customerio'))).to.deep.equal({ statusCode: 503, body: { errors: ['Vault is sealed'] } });
    });

    it('lists mounts with their KV versions for the root token only', async () => {
      const res = await root.mounts();
      expect(res.data['secret/'].options).to.deep.equal({ version: '2' });
      expect(res.data['kv/'].options).to.deep.equal({ version: '1' });
      const login = await client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
      expect((await failure(client(login.auth.client_token).mounts())).statusCode).to.equal(403);
    });

    it('renders injected faults in Vault\'s error shape', async () => {
      await admin('/faults', { status: 500, match: { path: '/v1/secret/' } });
      expect(await failure(root.read('secret/data/gatehouse/customerio'))).to.deep.equal({ statusCode: 500, body: { errors: ['injected fault 500'] } });
    });

    it('journals requests with tokens and body values masked', async () => {
      await client().approleLogin({ role_id: ROLE_ID, secret_id: SECRET_ID });
      await root.write('secret/data/app/config', { data: { password: 'hunter2-local' }, options: { cas: 0 } });
      const { entries } = (await (await admin('/journal')).json()) as { entries: Json[] };
      const text = JSON.stringify(entries);
      for (const secret of [SECRET_ID, ROLE_ID, 'hunter2-local', '"root"']) expect(text).to.not.include(secret);
      const write = entries.find((e) => e.path === '/v1/secret/data/app/config');
      expect(JSON.parse(write!.body)).to.deep.equal({ data: { password: '***' }, options: { cas: 0 } });
      expect(write!.headers['x-vault-token']).to.equal('***');
      const state = JSON.stringify(await (await admin('/state')).json());
      expect(state).to.not.include('local-fake-track-api-key');
    });
  });

  describe('the LIST method on the wire', () => {
    /** Send raw bytes (optionally in several writes) and collect `count` HTTP responses from one connection. */
    function exchange(parts: string[], count: number): Promise<{ status: number; headers: string; body: string }[]> {
      return new Promise((resolve, reject) => {
        const socket = net.connect(vault.port, '127.0.0.1');
        let buf = Buffer.alloc(0);
        const out: { status: number; headers: string; body: string }[] = [];
        socket.on('error', reject);
        socket.on('data', (chunk: Buffer) => {
          buf = Buffer.concat([buf, chunk]);
          for (;;) {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) break;
            const headers = buf.subarray(0, end).toString('latin1');
            const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
            if (buf.length < end + 4 + length) break;
            out.push({ status: Number(headers.split(' ')[1]), headers, body: buf.subarray(end + 4, end + 4 + length).toString('utf8') });
            buf = buf.subarray(end + 4 + length);
          }
          if (out.length >= count) {
            socket.end();
            resolve(out);
          }
        });
        socket.on('close', () => (out.length < count ? reject(new Error(`connection closed after ${out.length} responses`)) : undefined));
        (async () => {
          for (const p of parts) {
            socket.write(p);
            await new Promise((r) => setImmediate(r));
          }
        })();
      });
    }
    const req = (method: string, path: string, extra = '', body = '') =>
      `${method} ${path} HTTP/1.1\r\nHost: vault\r\nX-Vault-Token: root\r\n${extra}${body ? `Content-Length: ${Buffer.byteLength(body)}\r\n` : ''}\r\n${body}`;

    it('serves several LIST requests pipelined on one keep-alive connection, around a body that contains "LIST "', async () => {
      const body = JSON.stringify({ data: { note: '\r\n\r\nLIST /v1/secret/metadata/ HTTP/1.1\r\n' } });
      const responses = await exchange([req('LIST', '/v1/secret/metadata/') + req('POST', '/v1/secret/data/app/a', 'Content-Type: application/json\r\n', body) + req('LIST', '/v1/secret/metadata/app')], 3);
      expect(responses.map((r) => r.status)).to.deep.equal([200, 200, 200]);
      expect(JSON.parse(responses[0].body).data.keys).to.deep.equal(['gatehouse/']);
      expect(JSON.parse(responses[1].body).data.version).to.equal(1);
      expect(JSON.parse(responses[2].body).data.keys).to.deep.equal(['a']);
      expect((await root.read('secret/data/app/a')).data.data.note).to.include('LIST /v1/secret/metadata/');
    });

    it('keeps framing across a chunked body and a LIST split into single bytes', async () => {
      const chunked = 'POST /v1/kv/x HTTP/1.1\r\nHost: vault\r\nX-Vault-Token: root\r\nTransfer-Encoding: chunked\r\n\r\n' +
        'a\r\n{"k":"LIST\r\n4;ext=1\r\n /v\"\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n';
      const list = req('LIST', '/v1/kv/');
      const responses = await exchange([chunked, ...list.split('')], 2);
      expect(responses.map((r) => r.status)).to.deep.equal([204, 200]);
      expect(JSON.parse(responses[1].body).data.keys).to.deep.equal(['x']);
      expect((await root.read('kv/x')).data).to.deep.equal({ k: 'LIST /v' });
    });

    it('ignores a client-sent marker header: a GET stays a read', async () => {
      const [res] = await exchange([req('GET', '/v1/secret/metadata/gatehouse/customerio', 'X-Gatehouse-Original-Method: LIST\r\n')], 1);
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.body).data.current_version).to.equal(1);
    });

    it('journals LIST requests as LIST', async () => {
      await root.list('secret/metadata/');
      const { entries } = (await (await admin('/journal?method=LIST')).json()) as { entries: Json[] };
      expect(entries).to.have.length(1);
      expect(entries[0].path).to.equal('/v1/secret/metadata/');
      expect(entries[0].headers).to.not.have.property('x-gatehouse-original-method');
    });
  });
});
