/**
 * The stack's secrets, written at start into both stores the proxy can read (SECRET_STORE picks one), from their
 * sources of truth: the gateway's signing keys (asked over its admin API, so this works whatever process the
 * gateway runs in), the fake Mailgun's keys and, for Secrets Manager, the Customer.io keys of the Vault fixture
 * (the fake Vault loads them itself; seedVault writes them into an external one).
 * The gateway key set is made to match the gateway every start (it is the authority on its own keys); other names
 * are added only where missing, so a developer's own values in an external store are kept.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { gatewayPublicKeySet } from '../gateway/admin-client.ts';
import { GATEWAY_KEY_SET } from '../../proxy/secrets/gateway-keys.ts';
import { DEFAULT_GATEWAY_KEYS_SECRET_ID, DEFAULT_GATEWAY_KEYS_VAULT_PATH } from '../../proxy/secrets/index.ts';
import { secretsManagerWriter, vaultWriter, type SecretStoreWriter } from '../../proxy/secrets/store-writer.ts';
import { loadSeed, seedSecrets } from '../vault/seed.ts';

export interface StackSecretSources {
  gatewayUrl: string;
  vault: { url: string; token: string };
  aws: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  mail: { MAILGUN_API_KEY: string; MAILGUN_WEBHOOK_SIGNING_KEY: string };
  vaultSeedFile?: string;
}

export async function seedStackSecrets(o: StackSecretSources): Promise<void> {
  const gatewayKeys = { [GATEWAY_KEY_SET]: await gatewayPublicKeySet(o.gatewayUrl) };
  const vaultSecrets = seedSecrets(loadSeed(o.vaultSeedFile));
  const vault = vaultWriter({ addr: o.vault.url, token: o.vault.token });
  const sm = secretsManagerWriter(new SecretsManagerClient({ endpoint: o.aws.endpoint, region: o.aws.region, credentials: o.aws.credentials }));
  try {
    await Promise.all([
      ensure(vault, DEFAULT_GATEWAY_KEYS_VAULT_PATH, gatewayKeys, 'match'),
      ensure(vault, 'gatehouse/mail', o.mail, 'add-missing'),
      ensure(sm, DEFAULT_GATEWAY_KEYS_SECRET_ID, gatewayKeys, 'match'),
      ensure(sm, 'gatehouse-mail-credentials', { ...vaultSecrets['secret/gatehouse/mail']?.data, ...o.mail }, 'add-missing'),
      ensure(sm, 'customerio-credentials', vaultSecrets['secret/gatehouse/customerio']?.data ?? {}, 'add-missing'),
    ]);
  } finally {
    sm.close();
  }
}

/** `match`: the given names get exactly these values; `add-missing`: only names the secret lacks are written. */
async function ensure(store: SecretStoreWriter, location: string, data: Record<string, unknown>, mode: 'match' | 'add-missing'): Promise<void> {
  const now = await store.read(location);
  const keys = Object.keys(data).filter((k) => (mode === 'match' ? JSON.stringify(now?.data[k]) !== JSON.stringify(data[k]) : now?.data[k] === undefined));
  if (keys.length === 0) return;
  await store.write(location, { ...now?.data, ...Object.fromEntries(keys.map((k) => [k, data[k]])) }, now);
}
