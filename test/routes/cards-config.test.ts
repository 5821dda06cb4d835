/** The cards function's configuration: real defaults, and every problem named at once at cold start. */
import { expect } from 'chai';
import { ConfigError } from '../../proxy/core/config.ts';
import { loadCardsConfig, passwordParameter } from '../../proxy/routes/cards/config.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { silentLogger } from '../../proxy/core/log.ts';

describe('Cards configuration', () => {
  it('defaults to the real Extend API, its v2021-03-12 media type and the seeded names', () => {
    const cfg = loadCardsConfig({});
    expect(cfg).to.deep.equal({
      extendBaseUrl: 'https://api.paywithextend.com',
      extendAccept: 'application/vnd.paywithextend.v2021-03-12+json',
      passwordSsmPrefix: '/gatehouse/extend/users',
      extendTokenTable: 'gatehouse-extend-tokens',
      apiTokenTable: 'gatehouse-api-tokens',
      upstreamTimeoutMs: 10_000,
    });
  });

  it('names every bad variable in one error', () => {
    const env = { EXTEND_API_BASE_URL: 'ftp://x', EXTEND_PASSWORD_SSM_PREFIX: 'no-slash/', EXTEND_TOKEN_TABLE: 'a', API_TOKEN_TABLE: 'bad name!', UPSTREAM_TIMEOUT_MS: '5' };
    let err: unknown;
    try { loadCardsConfig(env); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(ConfigError);
    const names = (err as ConfigError).problems.map((p) => p.split(' ')[0]);
    expect(names).to.have.members(Object.keys(env));
  });

  it('refuses to build the function with a bad configuration', async () => {
    let err: unknown;
    try { await buildCardsApp({ env: { UPSTREAM_TIMEOUT_MS: 'soon' }, log: silentLogger() }); } catch (e) { err = e; }
    expect((err as Error).message).to.include('UPSTREAM_TIMEOUT_MS');
  });

  it('writes an email\'s "@" as "_at_" in the SSM name, as the seed does', () => {
    expect(passwordParameter('/gatehouse/extend/users', 'Ada@Example.com')).to.equal('/gatehouse/extend/users/ada_at_example.com/password');
  });
});
