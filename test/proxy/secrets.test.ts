import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile, access, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecrets, staticSecrets, SecretChainError, type SecretEvent, type SecretProvider } from '../../proxy/secrets/chain.ts';
import { envProvider } from '../../proxy/secrets/env.ts';
import { fileProvider } from '../../proxy/secrets/file.ts';
import { createLogger } from '../../proxy/core/log.ts';
import { loadCustomerioConfig } from '../../proxy/routes/customerio/config.ts';
import { ConfigError } from '../../proxy/core/config.ts';

const exists = (f: string) => access(f).then(() => true, () => false);
const tempFile = async (content: string) => {
  const file = join(await mkdtemp(join(tmpdir(), 'gh-secrets-')), 'secret.json');
  await writeFile(file, content);
  return file;
};
const publicPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A store whose content the test changes between reads; counts reads and when they started. */
function fakeStore(initial: Record<string, string>) {
  const store = {
    data: { ...initial },
    reads: [] as number[],
    fail: undefined as string | undefined,
    provider: {
      name: 'vault', where: 'Vault secret/test', refreshable: true,
      async load(wanted) {
        store.reads.push(Date.now());
        if (store.fail) throw new Error(store.fail);
        return Object.fromEntries(wanted.filter((n) => n in store.data).map((n) => [n, store.data[n]]));
      },
    } as SecretProvider,
  };
  return store;
}

async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('secret chain', () => {
  it('asks providers in order and keeps the first value found', async () => {
    const file = await tempFile(JSON.stringify({ data: { data: { A: 'from-file', B: 'file-b' } } }));
    const s = await loadSecrets([envProvider({ A: 'from-env' }), fileProvider(file)], ['A', 'B', 'C']);
    expect(s.get('A')).to.equal('from-env');
    expect(s.source('A')).to.equal('env');
    expect(s.get('B')).to.equal('file-b');
    expect(s.source('B')).to.equal('file');
    expect(s.get('C')).to.equal(undefined);
  });

  it('reads the extension secrets file once and deletes it', async () => {
    const file = await tempFile(JSON.stringify({ X: 'x-value' }));
    const s = await loadSecrets([fileProvider(file)], ['X']);
    expect(s.get('X')).to.equal('x-value');
    expect(await exists(file)).to.equal(false);
  });

  it('deletes the extension file even when the environment already supplied every name', async () => {
    const file = await tempFile(JSON.stringify({ X: 'file-x' }));
    const s = await loadSecrets([envProvider({ X: 'env-x' }), fileProvider(file)], ['X']);
    expect(s.get('X')).to.equal('env-x');
    expect(await exists(file)).to.equal(false);
  });

  it('deletes the extension file even when a provider before it failed the cold start', async () => {
    const file = await tempFile(JSON.stringify({ X: 'file-x' }));
    const store = fakeStore({});
    store.fail = 'HTTP 403: permission denied';
    await thrown(loadSecrets([store.provider, fileProvider(file)], ['X']));
    expect(await exists(file)).to.equal(false);
  });

  it('registers every loaded value with the logger so no log line can carry it', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    await loadSecrets([envProvider({ CIO_API_KEY: 'super-secret-track-key' })], ['CIO_API_KEY'], log);
    log.info('calling upstream with super-secret-track-key', { header: 'Basic super-secret-track-key', nested: { authorization: 'anything' } });
    const all = lines.join('\n');
    expect(all).not.to.include('super-secret-track-key');
    expect(all).to.include('[REDACTED]');
  });
});

describe('a missing secret fails the cold start, naming it and never a value', () => {
  const values = ['env-value-1234', 'store-value-5678', 'file-value-9012'];
  const check = (e: Error, names: string[]) => {
    expect(e).to.be.instanceOf(SecretChainError);
    for (const n of names) expect(e.message).to.include(n);
    for (const v of values) expect(e.message).not.to.include(v);
  };

  it('environment only: names the missing secret and where it looked', async () => {
    const e = await thrown(loadSecrets([envProvider({ A: values[0] })], ['A', 'B'], { required: ['A', 'B'] }));
    check(e, ['B', 'the environment']);
    expect(e.message).not.to.match(/\bA\b.*missing/);
  });

  it('a store that lacks the name: names it, the store and the file', async () => {
    const store = fakeStore({ A: values[1] });
    const file = await tempFile(JSON.stringify({ C: values[2] }));
    const e = await thrown(loadSecrets([envProvider({}), store.provider, fileProvider(file)], ['A', 'B', 'C'], { required: ['A', 'B', 'C'] }));
    check(e, ['B', 'Vault secret/test', `the secrets file ${file}`]);
  });

  it('alternatives: one of API_GATEWAY_PUBLIC_KEYS or API_GATEWAY_PUBLIC_KEY', async () => {
    const e = await thrown(loadSecrets([envProvider({})], ['API_GATEWAY_PUBLIC_KEYS', 'API_GATEWAY_PUBLIC_KEY'], { required: [['API_GATEWAY_PUBLIC_KEYS', 'API_GATEWAY_PUBLIC_KEY']] }));
    check(e, ['API_GATEWAY_PUBLIC_KEYS or API_GATEWAY_PUBLIC_KEY']);
    const ok = await loadSecrets([envProvider({ API_GATEWAY_PUBLIC_KEY: 'pem' })], ['API_GATEWAY_PUBLIC_KEYS', 'API_GATEWAY_PUBLIC_KEY'], { required: [['API_GATEWAY_PUBLIC_KEYS', 'API_GATEWAY_PUBLIC_KEY']] });
    expect(ok.get('API_GATEWAY_PUBLIC_KEY')).to.equal('pem');
  });

  it('a store that fails: names what it was asked for, where, and its error', async () => {
    const store = fakeStore({});
    store.fail = 'Vault read of secret/test failed with HTTP 403: permission denied';
    const e = await thrown(loadSecrets([envProvider({ A: values[0] }), store.provider], ['A', 'B'], { required: ['A', 'B'] }));
    check(e, ['B', 'Vault secret/test', 'permission denied']);
  });

  it('a secrets file that is not JSON: says so without quoting it (V8 quotes the text in its parse errors)', async () => {
    const file = await tempFile(`{"B": "${values[2]}"`);
    const e = await thrown(loadSecrets([fileProvider(file)], ['B'], { required: ['B'] }));
    check(e, ['B', file, 'not valid JSON']);
    expect(await exists(file)).to.equal(false);
  });

  it('a secrets file it cannot read: says so with the error code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-secrets-'));
    await mkdir(join(dir, 'secret.json')); // a directory where the file should be: EISDIR, even for root
    const e = await thrown(loadSecrets([fileProvider(join(dir, 'secret.json'))], ['B'], { required: ['B'] }));
    check(e, ['B', 'EISDIR']);
  });

  it('reports the failure as an audit event with names only', async () => {
    const events: SecretEvent[] = [];
    await thrown(loadSecrets([envProvider({ A: values[0] })], ['A', 'B'], { required: ['A', 'B'], onEvent: (e) => events.push(e) }));
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ action: 'secret_load', outcome: 'failure' });
    expect(events[0].names).to.deep.equal(['B']);
    expect(JSON.stringify(events)).not.to.include(values[0]);
  });
});

describe('secret refresh', () => {
  it('re-reads the store when its values are older than the refresh interval, serving the old value meanwhile', async () => {
    const store = fakeStore({ K: 'v1' });
    const s = await loadSecrets([store.provider], ['K'], { refreshAfterMs: 50, minRefreshIntervalMs: 0 });
    store.data.K = 'v2';
    expect(s.get('K')).to.equal('v1');
    await new Promise((r) => setTimeout(r, 80));
    expect(s.get('K')).to.equal('v1'); // this call starts the background read
    const deadline = Date.now() + 5000;
    while (s.get('K') !== 'v2' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(s.get('K')).to.equal('v2');
    expect(store.reads).to.have.length(2);
  });

  it('on demand: a read that starts after the request, shared by every caller until it starts', async () => {
    const store = fakeStore({ K: 'v1' });
    const s = await loadSecrets([store.provider], ['K'], { minRefreshIntervalMs: 100 });
    const asked = Date.now();
    store.data.K = 'v2';
    const [a, b, c] = await Promise.all([s.refresh('x'), s.refresh('y'), s.refresh('z')]);
    expect(a).to.deep.equal(['K']);
    expect(b).to.deep.equal(['K']);
    expect(c).to.deep.equal(['K']);
    expect(store.reads).to.have.length(2);
    expect(store.reads[1]).to.be.at.least(asked);
    expect(store.reads[1] - store.reads[0]).to.be.at.least(95);
    expect(s.get('K')).to.equal('v2');
  });

  it('tells listeners which names changed', async () => {
    const store = fakeStore({ K: 'v1', L: 'same' });
    const s = await loadSecrets([store.provider], ['K', 'L'], { minRefreshIntervalMs: 0 });
    const seen: string[][] = [];
    s.onChange((n) => seen.push(n));
    store.data.K = 'v2';
    await s.refresh('test');
    await s.refresh('test');
    expect(seen).to.deep.equal([['K']]);
  });

  it('keeps the environment fixed: a refresh only re-reads the store, for the names the environment lacks', async () => {
    const store = fakeStore({ A: 'store-a', B: 'store-b1' });
    const s = await loadSecrets([envProvider({ A: 'env-a' }), store.provider], ['A', 'B'], { minRefreshIntervalMs: 0 });
    store.data = { A: 'store-a2', B: 'store-b2' };
    expect(await s.refresh('test')).to.deep.equal(['B']);
    expect(s.get('A')).to.equal('env-a');
    expect(s.get('B')).to.equal('store-b2');
  });

  it('keeps the values loaded before when the store fails or stops holding a required name', async () => {
    const events: SecretEvent[] = [];
    const store = fakeStore({ A: 'a1' });
    const s = await loadSecrets([store.provider], ['A'], { required: ['A'], minRefreshIntervalMs: 0, onEvent: (e) => events.push(e) });
    store.fail = 'HTTP 503: Vault is sealed';
    expect(await s.refresh('test')).to.deep.equal([]);
    store.fail = undefined;
    store.data = {};
    expect(await s.refresh('test')).to.deep.equal([]);
    expect(s.get('A')).to.equal('a1');
    expect(events.map((e) => `${e.action}:${e.outcome}`)).to.deep.equal(['secret_load:success', 'secret_refresh:failure', 'secret_refresh:failure']);
    expect(events[2].error).to.include('no longer holds A');
  });

  it('registers refreshed values with the logger', async () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l) });
    const store = fakeStore({ K: 'first-secret-value' });
    const s = await loadSecrets([store.provider], ['K'], { log, minRefreshIntervalMs: 0 });
    store.data.K = 'second-secret-value';
    await s.refresh('test');
    log.info('value second-secret-value');
    expect(lines.join('\n')).not.to.include('second-secret-value');
  });

  it('a chain without a store has nothing to refresh', async () => {
    const s = await loadSecrets([envProvider({ A: 'a' })], ['A']);
    expect(await s.refresh('test')).to.deep.equal([]);
  });
});

describe('Customer.io configuration', () => {
  it('names every missing variable at once', () => {
    try {
      loadCustomerioConfig({ CIO_REGION: 'MARS' }, staticSecrets({ CIO_SITE_ID: 'site' }));
      expect.fail('should have thrown');
    } catch (e) {
      expect(e).to.be.instanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const name of ['CIO_API_KEY', 'CIO_APP_API_KEY', 'ANON_ID_SALT', 'API_GATEWAY_PUBLIC_KEY', 'CIO_REGION']) expect(msg).to.include(name);
      expect(msg).not.to.include('site');
    }
  });

  it('refuses a gateway key set that is not keyId → public key PEM', () => {
    const base = { CIO_SITE_ID: 's', CIO_API_KEY: 'k', CIO_APP_API_KEY: 'a', ANON_ID_SALT: 'salt', PII_SALT: 'pii' };
    for (const [set, problem] of [['{"gw-1": "not a pem"}', 'key of "gw-1" is not a public key PEM'], ['[]', 'must be a JSON object'], ['{}', 'holds no key'], ['{"bad id!": "x"}', 'is not 1–128']]) {
      expect(() => loadCustomerioConfig({}, staticSecrets({ ...base, API_GATEWAY_PUBLIC_KEYS: set }))).to.throw(ConfigError, problem);
    }
    expect(() => loadCustomerioConfig({}, staticSecrets({ ...base, API_GATEWAY_PUBLIC_KEYS: JSON.stringify({ 'gw-1': publicPem() }) }))).not.to.throw();
  });

  it('switches endpoints by region and lets explicit URLs win', () => {
    const secrets = staticSecrets({ CIO_SITE_ID: 's', CIO_API_KEY: 'k', CIO_APP_API_KEY: 'a', ANON_ID_SALT: 'salt', API_GATEWAY_PUBLIC_KEY: publicPem(), PII_SALT: 'pii-salt' });
    const eu = loadCustomerioConfig({ CIO_REGION: 'eu' }, secrets);
    expect(eu.trackBaseUrl).to.equal('https://track-eu.customer.io/api/v1/');
    expect(eu.appBaseUrl).to.equal('https://api-eu.customer.io/v1/');
    const local = loadCustomerioConfig({ CIO_TRACK_API_BASE_URL: 'http://127.0.0.1:4010/api/v1' }, secrets);
    expect(local.trackBaseUrl).to.equal('http://127.0.0.1:4010/api/v1/');
    expect(local.appBaseUrl).to.equal('https://api.customer.io/v1/');
  });
});
