/**
 * node-vault against the fake Vault, method by method. The methods are read off a client at test time and each
 * needs a case in vault-node-vault-cases.ts: a node-vault upgrade that adds a method fails this suite until the
 * method is tried (and, where the fake lacks the feature, built or listed in the README).
 */
import { expect } from 'chai';
import nodeVault from 'node-vault';
import { startVault, type VaultServer } from '../../emulators/vault/index.ts';
import { CASES, type CaseEnv } from './vault-node-vault-cases.ts';

/** Every function the client exposes: its own methods (commands and helpers), not EventEmitter's. */
const METHODS = Object.keys(nodeVault({ endpoint: 'http://127.0.0.1:9' })).filter((k) => typeof (nodeVault({}) as any)[k] === 'function').sort();

describe('node-vault method by method against the fake Vault', function () {
  this.timeout(30_000);
  let vault: VaultServer;
  const env: CaseEnv = {
    get vault() { return vault; },
    client: (token) => nodeVault({ endpoint: vault.url, token }),
    admin: (p, body) => fetch(`${vault.url}/__admin${p}`, { method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
    async failure(p) {
      try {
        await p;
      } catch (e) {
        const res = (e as { response?: { statusCode: number; body: Record<string, any> } }).response;
        if (res) return { statusCode: res.statusCode, body: res.body };
        throw e;
      }
      throw new Error('expected the call to be refused');
    },
    event: (emitter, event) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} within 10 s`)), 10_000);
      emitter.once(event, (v: unknown) => (clearTimeout(timer), resolve(v)));
    }),
    quiet: (emitter, events, ms) => new Promise((resolve) => {
      let heard = false;
      const hear = () => (heard = true);
      for (const ev of events) emitter.on(ev, hear);
      setTimeout(() => {
        for (const ev of events) emitter.off(ev, hear);
        resolve(!heard);
      }, ms);
    }),
  };

  before(async () => (vault = await startVault({ port: 0 })));
  after(() => vault.close());
  beforeEach(() => env.admin('/reset', {}));

  it(`has a case for each of the ${METHODS.length} methods the client exposes, and none for a method it lacks`, () => {
    expect(METHODS.filter((m) => !(m in CASES)), 'methods without a case').to.deep.equal([]);
    expect(Object.keys(CASES).filter((m) => !METHODS.includes(m)), 'cases without a method').to.deep.equal([]);
  });

  for (const name of Object.keys(CASES).sort()) it(name, () => CASES[name](env));
});
