import type { SecretProvider } from './chain.ts';
import type { HttpClient } from '../core/http-client.ts';

export interface VaultOptions {
  addr: string;
  /** KV v2 mount (default "secret") and the secret's path under it, e.g. "gatehouse/customerio". */
  mount?: string;
  path: string;
  token?: string;
  roleId?: string;
  secretId?: string;
  namespace?: string;
}

/**
 * Reads one KV v2 secret from Vault (`GET /v1/{mount}/data/{path}`), authenticating with a token or, when none
 * is given, by AppRole login (`POST /v1/auth/approle/login`). Vault's errors come back as {"errors":[…]}.
 */
export function vaultProvider(opts: VaultOptions | undefined, http: HttpClient): SecretProvider {
  return {
    name: 'vault',
    async load(wanted) {
      if (!opts?.addr || !opts.path) return {};
      const base = opts.addr.replace(/\/+$/, '');
      const nsHeader: Record<string, string> = opts.namespace ? { 'x-vault-namespace': opts.namespace } : {};
      let token = opts.token;
      if (!token) {
        if (!opts.roleId || !opts.secretId) throw new Error('Vault needs VAULT_TOKEN or VAULT_ROLE_ID + VAULT_SECRET_ID');
        const res = await http.send({
          upstream: 'vault', method: 'POST', url: `${base}/v1/auth/approle/login`,
          headers: { 'content-type': 'application/json', ...nsHeader },
          body: JSON.stringify({ role_id: opts.roleId, secret_id: opts.secretId }),
        });
        if (res.status !== 200) throw new Error(`Vault AppRole login failed with HTTP ${res.status}: ${vaultErrors(res.text())}`);
        token = res.json<{ auth: { client_token: string } }>().auth.client_token;
      }
      const mount = (opts.mount ?? 'secret').replace(/^\/|\/$/g, '');
      const res = await http.send({
        upstream: 'vault', method: 'GET', url: `${base}/v1/${mount}/data/${opts.path.replace(/^\//, '')}`,
        headers: { 'x-vault-token': token, ...nsHeader },
      });
      if (res.status === 404) return {};
      if (res.status !== 200) throw new Error(`Vault read of ${mount}/${opts.path} failed with HTTP ${res.status}: ${vaultErrors(res.text())}`);
      const data = res.json<{ data?: { data?: Record<string, unknown> } }>().data?.data ?? {};
      const out: Record<string, string> = {};
      for (const n of wanted) if (typeof data[n] === 'string') out[n] = data[n] as string;
      return out;
    },
  };
}

function vaultErrors(text: string): string {
  try {
    const errs = (JSON.parse(text) as { errors?: string[] }).errors;
    return errs?.join('; ') || 'no detail';
  } catch {
    return 'no detail';
  }
}
