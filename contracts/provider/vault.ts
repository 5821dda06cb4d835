/**
 * Provider verification of the proxy's Vault pact against our fake Vault, so the fake cannot drift from what the
 * secret chain relies on. Nothing is backdoored: states mint a secret_id for the seeded AppRole with the root token
 * (`POST /v1/auth/approle/role/:name/secret-id`), inject role_id and secret_id into the login body with
 * `fromProviderState`, and log in for real to get the token the request filter puts in X-Vault-Token.
 */
import { startVault } from '../../emulators/vault/index.ts';
import { loadSeed, seedAppRole, seedSecrets } from '../../emulators/vault/seed.ts';
import { CIO_SECRET_NAMES, FAKE, SECRET_PATH } from '../consumer/vault/index.ts';
import { VAULT_STATES as S } from '../consumer/vault/states.ts';
import { PARTICIPANTS } from '../support/pact-env.ts';
import { adminReset } from './fakes.ts';
import { verifyProvider, type StateHandlers } from './verify.ts';

const ROLE = 'gatehouse-proxy';

export async function verifyFakeVault(pactFile: string): Promise<string> {
  const seed = loadSeed();
  const fake = await startVault({ port: 0 });
  const base = fake.url;
  const role = seedAppRole(seed, ROLE);
  if (!role.roleId) throw new Error(`fixtures/vault/seed.json must define the AppRole ${ROLE} and its role_id`);
  const roleId = role.roleId;
  let token: string | undefined;
  const stateHandlers: StateHandlers = {
    [S.approleAccepts]: async () => ({ roleId, secretId: await newSecretId(base, seed.rootToken) }),
    [S.approleRefuses]: async () => {
      if (roleId === FAKE.roleId || role.secretIds.includes(FAKE.secretId)) throw new Error('the seed must not know the pact\'s fake AppRole credentials');
      return undefined;
    },
    [S.tokenMayRead]: async () => { token = await login(base, roleId, await newSecretId(base, seed.rootToken)); return undefined; },
    // Explicit: the pact's fake token goes through untouched, and the fake knows no such token.
    [S.tokenRefused]: async () => { token = undefined; return undefined; },
    [S.secretStored]: async () => {
      const data = seedSecrets(seed)[`secret/${SECRET_PATH}`]?.data ?? {};
      const missing = CIO_SECRET_NAMES.filter((n) => typeof data[n] !== 'string');
      if (missing.length) throw new Error(`fixtures/vault/seed.json: secret/${SECRET_PATH} lacks ${missing.join(', ')}`);
      return undefined;
    },
  };
  try {
    return await verifyProvider({
      provider: PARTICIPANTS.vault,
      providerBaseUrl: base,
      pactFiles: [pactFile],
      stateHandlers,
      beforeEach: async () => { token = undefined; await adminReset(base); },
      swapCredentials: (h) => {
        if (token && h['x-vault-token']) h['x-vault-token'] = token;
      },
    });
  } finally {
    await fake.close();
  }
}

async function vaultCall<T>(url: string, init: RequestInit, what: string): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`${what} at the fake Vault failed: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** Docs AppRole "Generate new secret ID": POST /auth/approle/role/:role_name/secret-id. */
async function newSecretId(base: string, rootToken: string): Promise<string> {
  const body = await vaultCall<{ data: { secret_id: string } }>(`${base}/v1/auth/approle/role/${ROLE}/secret-id`, { method: 'POST', headers: { 'x-vault-token': rootToken } }, 'minting a secret_id');
  return body.data.secret_id;
}

async function login(base: string, roleId: string, secretId: string): Promise<string> {
  const body = await vaultCall<{ auth: { client_token: string } }>(`${base}/v1/auth/approle/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role_id: roleId, secret_id: secretId }),
  }, 'AppRole login');
  return body.auth.client_token;
}
