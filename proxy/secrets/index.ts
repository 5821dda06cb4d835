/** The standard secret chain, configured from the environment: env → Vault KV v2 → extension secrets file. */
import type { HttpClient } from '../core/http-client.ts';
import type { Logger } from '../core/log.ts';
import { loadSecrets, type Secrets } from './chain.ts';
import { envProvider } from './env.ts';
import { fileProvider } from './file.ts';
import { vaultProvider } from './vault.ts';

export function loadStandardSecrets(env: Record<string, string | undefined>, wanted: readonly string[], http: HttpClient, log: Logger): Promise<Secrets> {
  const vault = env.VAULT_ADDR
    ? {
        addr: env.VAULT_ADDR,
        mount: env.VAULT_KV_MOUNT || 'secret',
        path: env.VAULT_SECRET_PATH || 'gatehouse/customerio',
        token: env.VAULT_TOKEN,
        roleId: env.VAULT_ROLE_ID,
        secretId: env.VAULT_SECRET_ID,
        namespace: env.VAULT_NAMESPACE,
      }
    : undefined;
  return loadSecrets(
    [envProvider(env as NodeJS.ProcessEnv), vaultProvider(vault, http), fileProvider(env.VAULT_SECRET_FILE ?? '/tmp/vault/secret.json', log)],
    wanted,
    log,
  );
}
