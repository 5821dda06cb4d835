import type { SecretProvider } from './chain.ts';
import type { HttpClient } from '../core/http-client.ts';
import { pickNames, readAll } from './values.ts';

export interface VaultOptions {
  addr: string;
  /** KV v2 mount (default "secret"). */
  mount?: string;
  /** Secrets under the mount, read in order; the first that holds a name wins ("gatehouse/customerio", …). */
  paths: string[];
  token?: string;
  roleId?: string;
  secretId?: string;
  namespace?: string;
}

/**
 * Reads KV v2 secrets from Vault (`GET /v1/{mount}/data/{path}`), authenticating with a token or, when none is
 * given, by AppRole login (`POST /v1/auth/approle/login`). Read again on refresh: an AppRole token is kept and
 * replaced by a fresh login when Vault refuses it (403: expired or revoked). Vault's errors come back as
 * {"errors":[…]} and never carry a secret value, so they are quoted.
 */
export function vaultProvider(opts: VaultOptions | undefined, http: HttpClient): SecretProvider {
  const mount = (opts?.mount ?? 'secret').replace(/^\/|\/$/g, '');
  const paths = (opts?.paths ?? []).map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean);
  const base = opts?.addr.replace(/\/+$/, '') ?? '';
  const nsHeader: Record<string, string> = opts?.namespace ? { 'x-vault-namespace': opts.namespace } : {};
  let loginToken: string | undefined;
  const versions: Record<string, number> = {};

  const login = async (): Promise<string> => {
    if (!opts?.roleId || !opts.secretId) throw new Error('Vault needs VAULT_TOKEN or VAULT_ROLE_ID + VAULT_SECRET_ID');
    const res = await http.send({
      upstream: 'vault', method: 'POST', url: `${base}/v1/auth/approle/login`,
      headers: { 'content-type': 'application/json', ...nsHeader },
      body: JSON.stringify({ role_id: opts.roleId, secret_id: opts.secretId }),
    });
    if (res.status !== 200) throw new Error(`Vault AppRole login failed with HTTP ${res.status}: ${vaultErrors(res.text())}`);
    return res.json<{ auth: { client_token: string } }>().auth.client_token;
  };

  const readPath = async (path: string, token: string) =>
    http.send({ upstream: 'vault', method: 'GET', url: `${base}/v1/${mount}/data/${path}`, headers: { 'x-vault-token': token, ...nsHeader } });

  const read = async (path: string): Promise<Record<string, unknown>> => {
    let token = opts?.token ?? (loginToken ??= await login());
    let res = await readPath(path, token);
    // A kept AppRole token may have expired since the last read (token_ttl): log in again once.
    if (res.status === 403 && !opts?.token) {
      loginToken = token = await login();
      res = await readPath(path, token);
    }
    if (res.status === 404) return {};
    if (res.status !== 200) throw new Error(`Vault read of ${mount}/${path} failed with HTTP ${res.status}: ${vaultErrors(res.text())}`);
    const body = res.json<{ data?: { data?: Record<string, unknown> | null; metadata?: { version?: number } } }>();
    if (typeof body.data?.metadata?.version === 'number') versions[`${mount}/${path}`] = body.data.metadata.version;
    return body.data?.data ?? {};
  };

  return {
    name: 'vault',
    where: paths.length ? `Vault ${paths.map((p) => `${mount}/${p}`).join(', ')}` : 'Vault (no path)',
    refreshable: true,
    async load(wanted) {
      if (!opts?.addr || paths.length === 0) return {};
      if (!opts.token && !loginToken) loginToken = await login();
      const datas = await readAll(paths, read);
      return pickNames(datas, wanted);
    },
    versions: () => ({ ...versions }),
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
