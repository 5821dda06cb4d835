/**
 * The write side of the two secret stores the chain reads (Vault KV v2, AWS Secrets Manager), for the rotation
 * scripts and the local stack's seeding — never used by a function. Each write is a new version of the whole
 * document, conditional on the version read (Vault `cas`; Secrets Manager's version is what the write replaces),
 * so two rotations at once cannot silently undo each other.
 * Wire: developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2 ("Create/Update secret", options.cas);
 * docs.aws.amazon.com/secretsmanager/latest/apireference (GetSecretValue, PutSecretValue, CreateSecret).
 */
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from '../core/aws.ts';
import { EnvReader } from '../core/config.ts';
import { createHttpClient, type HttpClient } from '../core/http-client.ts';
import { SECRET_STORES } from './index.ts';

export interface StoredDocument {
  data: Record<string, unknown>;
  version: string | number;
}

export interface SecretStoreWriter {
  /** "vault" or "secretsmanager". */
  readonly kind: string;
  /** "Vault secret/gatehouse/gateway" — for messages and audit lines. */
  where(location: string): string;
  read(location: string): Promise<StoredDocument | undefined>;
  /** A new version holding exactly `data`; `after` is the version it replaces (undefined: the secret is new). */
  write(location: string, data: Record<string, unknown>, after: StoredDocument | undefined): Promise<StoredDocument>;
  close(): void;
}

export class StoreConflict extends Error {}

export function vaultWriter(o: { addr: string; token: string; mount?: string; namespace?: string }, http: HttpClient = createHttpClient()): SecretStoreWriter {
  const base = o.addr.replace(/\/+$/, '');
  const mount = (o.mount ?? 'secret').replace(/^\/|\/$/g, '');
  const headers = { 'x-vault-token': o.token, 'content-type': 'application/json', ...(o.namespace ? { 'x-vault-namespace': o.namespace } : {}) };
  const url = (p: string) => `${base}/v1/${mount}/data/${p.replace(/^\/+|\/+$/g, '')}`;
  const fail = async (what: string, p: string, res: { status: number; text(): string }) => {
    const detail = (() => { try { return (JSON.parse(res.text()) as { errors?: string[] }).errors?.join('; '); } catch { return undefined; } })();
    return new Error(`Vault ${what} of ${mount}/${p} failed with HTTP ${res.status}: ${detail || 'no detail'}`);
  };
  return {
    kind: 'vault',
    where: (p) => `Vault ${mount}/${p}`,
    async read(p) {
      const res = await http.send({ upstream: 'vault', method: 'GET', url: url(p), headers });
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw await fail('read', p, res);
      const body = res.json<{ data: { data: Record<string, unknown> | null; metadata: { version: number } } }>();
      // A deleted latest version reads as data null: a write after it continues the version count.
      return { data: body.data.data ?? {}, version: body.data.metadata.version };
    },
    async write(p, data, after) {
      const body = JSON.stringify({ options: { cas: after === undefined ? 0 : Number(after.version) }, data });
      const res = await http.send({ upstream: 'vault', method: 'POST', url: url(p), headers, body });
      if (res.status === 400 && /check-and-set/i.test(res.text())) throw new StoreConflict(`${mount}/${p} changed since it was read; run the rotation again`);
      if (res.status !== 200 && res.status !== 204) throw await fail('write', p, res);
      return { data, version: res.json<{ data: { version: number } }>().data.version };
    },
    close() {},
  };
}

export function secretsManagerWriter(client: SecretsManagerClient): SecretStoreWriter {
  const read = async (id: string): Promise<StoredDocument | undefined> => {
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: id }));
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(out.SecretString ?? '') as Record<string, unknown>;
      } catch {
        throw new Error(`secret ${id} is not a JSON object`);
      }
      return { data, version: out.VersionId ?? '' };
    } catch (e) {
      if ((e as Error).name === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  };
  return {
    kind: 'secretsmanager',
    where: (id) => `Secrets Manager ${id}`,
    read,
    async write(id, data, after) {
      const SecretString = JSON.stringify(data);
      if (after === undefined) {
        const out = await client.send(new CreateSecretCommand({ Name: id, SecretString }));
        return { data, version: out.VersionId ?? '' };
      }
      const now = await read(id);
      if (now?.version !== after.version) throw new StoreConflict(`${id} changed since it was read; run the rotation again`);
      const out = await client.send(new PutSecretValueCommand({ SecretId: id, SecretString }));
      return { data, version: out.VersionId ?? '' };
    },
    close: () => client.destroy(),
  };
}

/** The store SECRET_STORE names (the chain's default: Vault when VAULT_ADDR is set), with write credentials. */
export function storeWriterFromEnv(env: Record<string, string | undefined>, http: HttpClient = createHttpClient()): SecretStoreWriter {
  const r = new EnvReader(env);
  const store = r.oneOf('SECRET_STORE', SECRET_STORES, env.VAULT_ADDR ? 'vault' : 'none');
  if (store === 'none') r.problems.push('SECRET_STORE is none (or VAULT_ADDR is unset): there is no store to rotate keys in');
  const addr = store === 'vault' ? r.required('VAULT_ADDR') : '';
  // A rotation writes: the proxy's read-only AppRole will not do. The local stack's Vault takes its root token.
  const token = store === 'vault' ? r.required('VAULT_TOKEN', 'a token allowed to write the secret') : '';
  r.done();
  return store === 'vault'
    ? vaultWriter({ addr, token, mount: env.VAULT_KV_MOUNT || 'secret', namespace: env.VAULT_NAMESPACE }, http)
    : secretsManagerWriter(new SecretsManagerClient(awsClientConfig(env, http)));
}
