/**
 * Gatehouse → Vault: what the secret chain's real Vault provider (proxy/secrets/vault.ts) sends — AppRole login
 * with role_id and secret_id, a KV v2 read of the configured secret with X-Vault-Token — and the little it reads
 * back (`auth.client_token`; `data.data`'s string values; `errors` for the message of a refusal; a 404 means
 * "not stored here, ask the next provider"). The provider does no KV v1, metadata or token calls.
 * Wire format: developer.hashicorp.com/vault/api-docs/auth/approle ("Login with AppRole") and
 * /secret/kv/kv-v2 ("Read secret version"); the fake's sys-routes.ts and errors.ts.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import { createHttpClient, type HttpClient, type OutboundRequest, type OutboundResponse } from '../../../proxy/core/http-client.ts';
import { vaultProvider } from '../../../proxy/secrets/vault.ts';
import { PARTICIPANTS } from '../../support/pact-env.ts';
import type { InteractionSpec } from '../interaction.ts';
import type { ConsumerPact } from '../suite.ts';
import { VAULT_STATES as S } from './states.ts';

/** The provider under test, built per call with the credentials an interaction needs. */
export interface VaultConsumer {
  load(creds: { token?: string; roleId?: string; secretId?: string }, path: string, wanted: readonly string[]): Promise<Record<string, string>>;
  /** Requests after the interaction's one (the read that follows a login), answered here with 404, not by the mock. */
  followUps: OutboundRequest[];
}

type Spec = InteractionSpec<VaultConsumer>;

/** Obviously fake credentials; the states issue real ones at the fake. */
export const FAKE = { roleId: 'fake-role-id-for-contracts', secretId: 'fake-secret-id-for-contracts', token: 'hvs.fake-vault-token-for-contracts' };
export const SECRET_PATH = 'gatehouse/customerio';
export const ABSENT_PATH = 'gatehouse/not-stored';
/** What the Customer.io function asks the chain for (its secret in the seed). */
export const CIO_SECRET_NAMES = ['CIO_SITE_ID', 'CIO_API_KEY', 'CIO_APP_API_KEY', 'ANON_ID_SALT'] as const;

const token = { 'x-vault-token': M.regex('^\\S+$', FAKE.token) };
const kvRead = (path: string) => `/v1/secret/data/${path}`;

/** A refusal as the proxy surfaces it: its error message carries Vault's `errors`, joined by "; ". */
const surfaced = (e: unknown) => ({ errors: String((e as Error).message).replace(/^.*? HTTP \d+: /, '').split('; ') });
const refusal = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected the Vault provider to fail'); }, surfaced);

const interactions: Spec[] = [
  // The login's token is what the proxy sends on its next request (the read, answered outside this interaction).
  { given: [S.approleAccepts], uponReceiving: 'an AppRole login with the proxy\'s role_id and secret_id', method: 'POST', path: '/v1/auth/approle/login',
    body: { role_id: M.fromProviderState('${roleId}', FAKE.roleId), secret_id: M.fromProviderState('${secretId}', FAKE.secretId) },
    status: 200, responseBody: { auth: { client_token: M.like(FAKE.token) } },
    call: async (c, b) => {
      await c.load({ roleId: b.role_id, secretId: b.secret_id }, SECRET_PATH, CIO_SECRET_NAMES);
      return { auth: { client_token: c.followUps[0]?.headers?.['x-vault-token'] } };
    } },
  // Wrong AppRole credentials: Vault's 400 and its message, which the cold start reports (never the values sent).
  { given: [S.approleRefuses], uponReceiving: 'an AppRole login with credentials Vault does not know', method: 'POST', path: '/v1/auth/approle/login',
    body: { role_id: M.like(FAKE.roleId), secret_id: M.like(FAKE.secretId) },
    status: 400, responseBody: { errors: M.eachLike('invalid role or secret ID') },
    call: (c, b) => refusal(c.load({ roleId: b.role_id, secretId: b.secret_id }, SECRET_PATH, CIO_SECRET_NAMES)) },
  // Each function reads its own secret (customerio, mail) and the gateway's key set: one shape, those three paths.
  { given: [S.tokenMayRead, S.secretStored], uponReceiving: 'a KV v2 read of the proxy\'s secret with its token', method: 'GET',
    path: M.regex('^/v1/secret/data/gatehouse/(customerio|mail|gateway)$', kvRead(SECRET_PATH)), headers: token,
    status: 200, responseBody: { data: { data: Object.fromEntries(CIO_SECRET_NAMES.map((n) => [n, M.like(`fake-${n.toLowerCase()}`)])) } },
    call: async (c) => ({ data: { data: await c.load({ token: FAKE.token }, SECRET_PATH, CIO_SECRET_NAMES) } }) },
  // Nothing stored at the path: not an error, the chain asks its next provider. The body is not read.
  { given: [S.tokenMayRead], uponReceiving: 'a KV v2 read of a path where nothing is stored', method: 'GET', path: kvRead(ABSENT_PATH), headers: token, status: 404,
    call: async (c) => {
      const got = await c.load({ token: FAKE.token }, ABSENT_PATH, CIO_SECRET_NAMES);
      if (Object.keys(got).length) throw new Error('a 404 must yield no secrets');
    } },
  { given: [S.tokenRefused], uponReceiving: 'a KV v2 read with a token Vault does not know', method: 'GET', path: kvRead(SECRET_PATH), headers: token,
    status: 403, responseBody: { errors: M.eachLike('permission denied') },
    call: (c) => refusal(c.load({ token: FAKE.token }, SECRET_PATH, CIO_SECRET_NAMES)) },
];

export const vaultPact: ConsumerPact<VaultConsumer> = {
  consumer: PARTICIPANTS.proxy,
  provider: PARTICIPANTS.vault,
  interactions,
  clientFor: (mock) => vaultConsumer(mock.url),
};

function vaultConsumer(addr: string): VaultConsumer {
  const followUps: OutboundRequest[] = [];
  const http = firstRequestOnly(createHttpClient(), followUps);
  return {
    followUps,
    load: (creds, path, wanted) => vaultProvider({ addr, mount: 'secret', paths: [path], ...creds }, http).load(wanted),
  };
}

/** Sends one request to the mock server; any later one is kept and answered 404 ("not stored") locally. */
function firstRequestOnly(http: HttpClient, later: OutboundRequest[]): HttpClient {
  let sent = false;
  const notStored = (): OutboundResponse => {
    const body = Buffer.from('{"errors":[]}');
    return { status: 404, headers: { 'content-type': 'application/json' }, body, text: () => body.toString(), json: <T>() => JSON.parse(body.toString()) as T };
  };
  return {
    onExchange: (hook) => http.onExchange(hook),
    async send(req) {
      if (!sent) {
        sent = true;
        return http.send(req);
      }
      later.push(req);
      return notStored();
    },
  };
}
