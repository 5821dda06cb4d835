/**
 * The standard secret chain, configured from the environment: env → the secret store → the extension's file.
 *
 * The store is chosen by `SECRET_STORE`: `vault` (KV v2; the default when VAULT_ADDR is set), `secretsmanager`
 * (AWS Secrets Manager, seed 001's option 2) or `none`. In it, each function reads its own secret (Vault
 * `VAULT_SECRET_PATH`, Secrets Manager e.g. `customerio-credentials`) and, when it verifies the gateway's HTTP
 * signatures, the shared gateway key set (`GATEWAY_KEYS_VAULT_PATH` / `GATEWAY_KEYS_SECRET_ID`).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../core/aws.ts';
import { EnvReader } from '../core/config.ts';
import type { HttpClient } from '../core/http-client.ts';
import { audit } from '../core/audit.ts';
import type { Logger } from '../core/log.ts';
import { loadSecrets, type Requirement, type SecretEvent, type SecretProvider, type Secrets } from './chain.ts';
import { envProvider } from './env.ts';
import { fileProvider } from './file.ts';
import { GATEWAY_KEY_NAMES } from './gateway-keys.ts';
import { secretsManagerProvider, type SecretsManagerSecret } from './secretsmanager.ts';
import { vaultProvider } from './vault.ts';

export const SECRET_STORES = ['vault', 'secretsmanager', 'none'] as const;
export type SecretStoreKind = (typeof SECRET_STORES)[number];

export const DEFAULT_GATEWAY_KEYS_VAULT_PATH = 'gatehouse/gateway';
export const DEFAULT_GATEWAY_KEYS_SECRET_ID = 'gatehouse-gateway-keys';

export interface SecretSpec {
  /** Names that must be there after the chain (alternatives allowed); a missing one fails the cold start. */
  required: readonly Requirement[];
  /** Names read when present, on top of the required ones. */
  optional?: readonly string[];
  /** This function's secret in Vault (under VAULT_KV_MOUNT) and in Secrets Manager. */
  vaultPath?: string;
  secretsManager?: SecretsManagerSecret;
  /** Also read the gateway's public key set from its shared place in the store. */
  gatewayKeys?: boolean;
}

export async function loadStandardSecrets(env: Record<string, string | undefined>, spec: SecretSpec, http: HttpClient, log: Logger): Promise<Secrets> {
  const r = new EnvReader(env);
  const store = r.oneOf('SECRET_STORE', SECRET_STORES, env.VAULT_ADDR ? 'vault' : 'none');
  const refreshSeconds = r.int('SECRET_REFRESH_SECONDS', 300, 0, 86_400);
  const minIntervalMs = r.int('SECRET_REFRESH_MIN_INTERVAL_MS', 1000, 0, 60_000);
  if (store === 'vault') r.required('VAULT_ADDR', 'SECRET_STORE is vault');
  r.done();

  const required = [...spec.required, ...(spec.gatewayKeys ? [GATEWAY_KEY_NAMES] : [])];
  const wanted = [...new Set([...required.flat(), ...(spec.optional ?? [])])];
  return loadSecrets([envProvider(env), storeProvider(store, env, spec, http), fileProvider(env.VAULT_SECRET_FILE ?? '/tmp/vault/secret.json')], wanted, {
    log, required, onEvent: (e) => auditSecretEvent(log, e), refreshAfterMs: refreshSeconds * 1000, minRefreshIntervalMs: minIntervalMs,
  });
}

function storeProvider(store: SecretStoreKind, env: Record<string, string | undefined>, spec: SecretSpec, http: HttpClient): SecretProvider {
  if (store === 'vault') {
    const paths = [spec.vaultPath, spec.gatewayKeys ? env.GATEWAY_KEYS_VAULT_PATH || DEFAULT_GATEWAY_KEYS_VAULT_PATH : undefined].filter((p): p is string => !!p);
    return vaultProvider({
      addr: env.VAULT_ADDR!, mount: env.VAULT_KV_MOUNT || 'secret', paths,
      token: env.VAULT_TOKEN, roleId: env.VAULT_ROLE_ID, secretId: env.VAULT_SECRET_ID, namespace: env.VAULT_NAMESPACE,
    }, http);
  }
  if (store === 'secretsmanager') {
    const ids = [spec.secretsManager, spec.gatewayKeys ? { id: env.GATEWAY_KEYS_SECRET_ID || DEFAULT_GATEWAY_KEYS_SECRET_ID } : undefined].filter((s): s is SecretsManagerSecret => !!s);
    return secretsManagerProvider(new SecretsManagerClient(awsClientConfig(env, http)), ids);
  }
  return { name: 'none', where: 'no secret store (SECRET_STORE=none)', load: async () => ({}) };
}

/**
 * Every load and re-read of the chain as a `secret.load` audit line: the names (never values), where each came
 * from, the store's versions, and for a re-read why it happened and which names changed (a rotation picked up).
 */
export function auditSecretEvent(log: Logger, e: SecretEvent): void {
  audit({ log }, {
    action: 'secret.load',
    actor: 'secret-chain',
    resource: `secret:${e.names.join(',') || '(none changed)'}`,
    outcome: e.outcome === 'failure' ? 'failure' : 'success',
    details: {
      ...(e.action === 'secret_refresh' ? { refresh: e.reason ?? true, changed: e.outcome === 'changed' } : {}),
      ...(e.sources ? { sources: e.sources } : {}),
      ...(e.versions && Object.keys(e.versions).length ? { versions: e.versions } : {}),
      ...(e.error ? { error: e.error } : {}),
    },
  });
}
