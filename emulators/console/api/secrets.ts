/**
 * Secret stores, masked until asked: SSM parameters, Secrets Manager secrets and Vault's KV tree are listed without
 * their values; revealing one is a POST that reads it at that moment and answers it to the page only — the console
 * logs nothing of it and keeps no copy.
 *
 *   GET  /api/aws/ssm                       parameters (name, type, version, last modified) — no values
 *   POST /api/aws/ssm/reveal                {"name"} → {"value"}
 *   GET  /api/aws/secrets                   secrets (name, description, last changed) — no values
 *   POST /api/aws/secrets/reveal            {"name"} → {"value"}
 *   GET  /api/vault/tree[?mount=&path=]     KV mounts, and the keys under a path (folders end with /)
 *   GET  /api/vault/secret?mount=&path=     a secret's field names, version and metadata — no values
 *   POST /api/vault/reveal                  {"mount","path","field"} → {"value"}
 */
import { bad, field, missing, text, type ApiRoute } from '../app.ts';
import { aws } from '../aws-clients.ts';
import type { ConsoleDeps } from '../deps.ts';
import { sdk } from '../sdk-loader.ts';

const NAME = /^[\w.\/@+=,:-]{1,2048}$/;
const MOUNT = /^[\w-]{1,64}$/;
// Segments of a KV path; `.` and `..` are not names (a path through them left the mount: `kv` + `../auth/token/
// lookup-self` read the console's own token, `../sys/mounts` every mount — any GET Vault answers under the root token).
const VAULT_PATH = /^(?!(?:.*\/)?\.{1,2}(?:\/|$))(?:[\w.@+=,:-]+\/)*[\w.@+=,:-]*$/;

async function vault<T>(deps: ConsoleDeps, path: string, accept404 = false): Promise<T | undefined> {
  const r = await deps.fakes.call<T>('vault', path, { headers: { 'x-vault-token': deps.config.vault.token }, accept: accept404 ? [404] : [] });
  return r.status === 404 ? undefined : r.body;
}

interface Mount { type: string; options: { version?: string } | null }

async function kvMounts(deps: ConsoleDeps): Promise<{ mount: string; version: 1 | 2 }[]> {
  const all = (await vault<{ data?: Record<string, Mount> } & Record<string, Mount>>(deps, '/v1/sys/mounts'))!;
  const table = (all.data ?? all) as Record<string, Mount>;
  return Object.entries(table)
    .filter(([, m]) => m?.type === 'kv')
    .map(([path, m]) => ({ mount: path.replace(/\/$/, ''), version: m.options?.version === '2' ? 2 : 1 }));
}

async function kvVersion(deps: ConsoleDeps, mount: string): Promise<1 | 2> {
  const m = (await kvMounts(deps)).find((x) => x.mount === mount);
  return m?.version ?? missing('mount_not_found', `Vault has no KV mount ${mount}/`);
}

/** A KV secret's data (v1: the body's data; v2: data.data) — read only to list field names or reveal one. */
async function readKv(deps: ConsoleDeps, mount: string, path: string) {
  const v = await kvVersion(deps, mount);
  const body = await vault<{ data: Record<string, any> }>(deps, `/v1/${mount}/${v === 2 ? 'data/' : ''}${path}`, true);
  if (!body) missing('secret_not_found', `Vault has no secret at ${mount}/${path}`);
  const data = (v === 2 ? body!.data.data : body!.data) as Record<string, unknown> | null;
  return { version: v, data: data ?? {}, metadata: v === 2 ? body!.data.metadata : undefined };
}

const reveal = (value: unknown) => ({ json: { value: typeof value === 'string' ? value : JSON.stringify(value) }, headers: { 'cache-control': 'no-store' } });

export const secretRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/aws/ssm',
    handler: async (_req, deps) => {
      const { DescribeParametersCommand } = await sdk();
      const ssm = await deps.aws.ssm();
      const out: unknown[] = [];
      let token: string | undefined;
      do {
        const page = await aws('SSM DescribeParameters', () => ssm.send(new DescribeParametersCommand({ MaxResults: 50, NextToken: token })));
        for (const p of page.Parameters ?? []) out.push({ name: p.Name, type: p.Type, version: p.Version, lastModified: p.LastModifiedDate, description: p.Description });
        token = page.NextToken;
      } while (token && out.length < 2000);
      return { json: { parameters: out } };
    },
  },
  {
    method: 'POST', path: '/api/aws/ssm/reveal',
    handler: async (req, deps) => {
      const name = text(field(req.json, 'name'), 'name', { max: 2048, pattern: NAME });
      const { GetParameterCommand } = await sdk();
      const ssm = await deps.aws.ssm();
      const p = await aws(`SSM GetParameter ${name}`, () => ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true })));
      return reveal(p.Parameter?.Value ?? '');
    },
  },
  {
    method: 'GET', path: '/api/aws/secrets',
    handler: async (_req, deps) => {
      const { ListSecretsCommand } = await sdk();
      const sm = await deps.aws.secrets();
      const out: unknown[] = [];
      let token: string | undefined;
      do {
        const page = await aws('Secrets Manager ListSecrets', () => sm.send(new ListSecretsCommand({ MaxResults: 100, NextToken: token })));
        for (const s of page.SecretList ?? []) out.push({ name: s.Name, description: s.Description, lastChanged: s.LastChangedDate, deleted: s.DeletedDate ?? null });
        token = page.NextToken;
      } while (token && out.length < 2000);
      return { json: { secrets: out } };
    },
  },
  {
    method: 'POST', path: '/api/aws/secrets/reveal',
    handler: async (req, deps) => {
      const name = text(field(req.json, 'name'), 'name', { max: 2048, pattern: NAME });
      const { GetSecretValueCommand } = await sdk();
      const sm = await deps.aws.secrets();
      const s = await aws(`Secrets Manager GetSecretValue ${name}`, () => sm.send(new GetSecretValueCommand({ SecretId: name })));
      return reveal(s.SecretString ?? (s.SecretBinary ? Buffer.from(s.SecretBinary).toString('base64') : ''));
    },
  },
  {
    method: 'GET', path: '/api/vault/tree',
    handler: async (req, deps) => {
      const mounts = await kvMounts(deps);
      const mount = text(req.query.get('mount'), 'mount', { optional: true, max: 64, pattern: MOUNT }) || mounts[0]?.mount;
      const path = text(req.query.get('path'), 'path', { optional: true, max: 512, pattern: VAULT_PATH });
      if (!mount) return { json: { mounts, keys: [] } };
      const v = await kvVersion(deps, mount);
      const listed = await vault<{ data: { keys: string[] } }>(deps, `/v1/${mount}/${v === 2 ? 'metadata/' : ''}${path}?list=true`, true);
      return { json: { mounts, mount, path, version: v, keys: listed?.data.keys ?? [] } };
    },
  },
  {
    method: 'GET', path: '/api/vault/secret',
    handler: async (req, deps) => {
      const mount = text(req.query.get('mount'), 'mount', { max: 64, pattern: MOUNT });
      const path = text(req.query.get('path'), 'path', { max: 512, pattern: VAULT_PATH });
      if (path.endsWith('/')) throw bad('invalid_field', 'path names a folder, not a secret');
      const kv = await readKv(deps, mount, path);
      return { json: { mount, path, version: kv.version, fields: Object.keys(kv.data), metadata: kv.metadata } };
    },
  },
  {
    method: 'POST', path: '/api/vault/reveal',
    handler: async (req, deps) => {
      const mount = text(field(req.json, 'mount'), 'mount', { max: 64, pattern: MOUNT });
      const path = text(field(req.json, 'path'), 'path', { max: 512, pattern: VAULT_PATH });
      const name = text(field(req.json, 'field'), 'field', { max: 256 });
      const kv = await readKv(deps, mount, path);
      if (!(name in kv.data)) missing('field_not_found', `${mount}/${path} has no field ${name.slice(0, 60)}`);
      return reveal(kv.data[name]);
    },
  },
];
