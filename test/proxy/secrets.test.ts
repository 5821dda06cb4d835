import { expect } from 'chai';
import { mkdtemp, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSecrets, staticSecrets } from '../../proxy/secrets/chain.ts';
import { envProvider } from '../../proxy/secrets/env.ts';
import { fileProvider } from '../../proxy/secrets/file.ts';
import { createLogger } from '../../proxy/core/log.ts';
import { loadCustomerioConfig } from '../../proxy/routes/customerio/config.ts';
import { ConfigError } from '../../proxy/core/config.ts';

describe('secret chain', () => {
  it('asks providers in order and keeps the first value found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-secrets-'));
    const file = join(dir, 'secret.json');
    await writeFile(file, JSON.stringify({ data: { data: { A: 'from-file', B: 'file-b' } } }));
    const s = await loadSecrets([envProvider({ A: 'from-env' }), fileProvider(file)], ['A', 'B', 'C']);
    expect(s.get('A')).to.equal('from-env');
    expect(s.source('A')).to.equal('env');
    expect(s.get('B')).to.equal('file-b');
    expect(s.source('B')).to.equal('file');
    expect(s.get('C')).to.equal(undefined);
  });

  it('reads the extension secrets file once and deletes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-secrets-'));
    const file = join(dir, 'secret.json');
    await writeFile(file, JSON.stringify({ X: 'x-value' }));
    const s = await loadSecrets([fileProvider(file)], ['X']);
    expect(s.get('X')).to.equal('x-value');
    let exists = true;
    await access(file).catch(() => (exists = false));
    expect(exists).to.equal(false);
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

  it('switches endpoints by region and lets explicit URLs win', () => {
    const secrets = staticSecrets({ CIO_SITE_ID: 's', CIO_API_KEY: 'k', CIO_APP_API_KEY: 'a', ANON_ID_SALT: 'salt', API_GATEWAY_PUBLIC_KEY: 'pem', PII_SALT: 'pii-salt' });
    const eu = loadCustomerioConfig({ CIO_REGION: 'eu' }, secrets);
    expect(eu.trackBaseUrl).to.equal('https://track-eu.customer.io/api/v1/');
    expect(eu.appBaseUrl).to.equal('https://api-eu.customer.io/v1/');
    const local = loadCustomerioConfig({ CIO_TRACK_API_BASE_URL: 'http://127.0.0.1:4010/api/v1' }, secrets);
    expect(local.trackBaseUrl).to.equal('http://127.0.0.1:4010/api/v1/');
    expect(local.appBaseUrl).to.equal('https://api.customer.io/v1/');
  });
});
