/**
 * The fake Vault's fuzz surface: every path pattern of every backend it serves is turned into a request, then sent
 * malformed — bad JSON, a JSON array or string for a body, nesting past the limit, an unknown method, and each of
 * the path's fields with values of every wrong kind. Each answer must be Vault's `{"errors":[…]}` with a 4xx (or a
 * success), never a 5xx other than the few Vault itself answers with 500 (README), and the server stays up.
 */
import { expect } from 'chai';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';
import { MOUNTED, samplePath } from '../helpers/vault-paths.ts';

const JUNK: unknown[] = [[], { a: { b: [1] } }, true, 0, -1.5, 1e308, '', 'x', '-5s', 'a'.repeat(5000), null, ['a', { b: 1 }]];

// The refusals Vault itself sends with a 500 (plain errors in its code; see the README's Vault table).
const VAULT_500 = [/does not exist$/, /at least one constraint should be enabled on the role/, /^1 error occurred:\n\t\* no token found/, /missing password/, /failed to find accessor entry/, /past the max TTL/, /SecretID is already registered/];

describe('Vault emulator refuses malformed input on every route in its own shape', function () {
  this.timeout(120_000);
  let vault: VaultServer;
  const seen: string[] = [];
  const send = async (method: string, path: string, body?: string): Promise<{ status: number; json: any }> => {
    // Reads take their fields from the query string, as Vault's do.
    const query = method === 'GET' && body ? `?${new URLSearchParams(Object.entries(JSON.parse(body) as Record<string, unknown>).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]))}` : '';
    const res = await fetch(`${vault.url}/v1/${path}${query}`, { method, headers: { 'x-vault-token': 'root', 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }, body: method === 'GET' ? undefined : body });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  const inShape = (what: string, r: { status: number; json: any }) => {
    seen.push(what);
    if (r.status < 400) return;
    expect(r.json?.errors, `${what}: ${r.status} ${JSON.stringify(r.json)}`).to.be.an('array');
    if (r.status >= 500) {
      const text = String(r.json.errors[0] ?? '');
      expect(VAULT_500.some((re) => re.test(text)), `${what}: ${r.status} ${text}`).to.equal(true);
    }
  };
  const reset = async () => {
    await fetch(`${vault.url}/__admin/reset`, { method: 'POST' });
    await send('POST', 'sys/mounts/transit', JSON.stringify({ type: 'transit' }));
    await send('POST', 'sys/auth/userpass', JSON.stringify({ type: 'userpass' }));
    await send('POST', 'auth/approle/role/fuzz', JSON.stringify({ token_policies: 'default' }));
  };

  before(async () => (vault = await startVault({ port: 0 })));
  after(() => vault.close());

  for (const [mount, backend] of MOUNTED) {
    it(`answers every path of ${mount} with a 4xx in Vault's shape for broken bodies and wrong field types`, async () => {
      for (const def of backend.paths) {
        const path = mount + samplePath(def);
        await reset();
        const ops = Object.keys(def.ops);
        const methods = [...(ops.some((o) => ['create', 'update', 'write'].includes(o)) ? ['POST'] : []), ...(ops.includes('patch') ? ['PATCH'] : []), ...(ops.includes('read') ? ['GET'] : [])];
        for (const method of methods) {
          for (const raw of method === 'GET' ? [] : ['{', '[1, 2]', '"text"', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)]) {
            const r = await send(method, path, raw);
            inShape(`${method} ${path} ${raw.slice(0, 12)}`, r);
            if (method === 'POST') expect(r.status, `${method} ${path} ${raw.slice(0, 12)}`).to.equal(400);
          }
          for (const field of Object.keys(def.fields ?? {})) {
            for (const value of JUNK) inShape(`${method} ${path} ${field}=${JSON.stringify(value)?.slice(0, 20)}`, await send(method, path, JSON.stringify({ [field]: value })));
          }
        }
        const brew = await send('BREW', path);
        expect(brew, `BREW ${path}`).to.deep.equal({ status: 405, json: { errors: [] } });
      }
      expect((await fetch(`${vault.url}/v1/sys/health`)).status, 'still up').to.be.oneOf([200, 503]);
    });
  }

  it('turned every pattern into a concrete path (no regex left over)', () => {
    for (const [, backend] of MOUNTED) for (const def of backend.paths) expect(samplePath(def), def.pattern.source).to.match(/^[a-z0-9\-/]*$/);
  });
});
