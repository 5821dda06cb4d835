/**
 * The seed (fixtures/vault/seed.json) is what a team's bootstrap would have done to a fresh Vault: an ordered list
 * of API calls (enable mounts, write policies, enable and configure auth, write secrets), replayed with the root
 * token through the same request handling as any client's, at start and on /__admin/reset. A call's body value
 * {"$file": "policies/x.hcl"} is that file's text (relative to the seed), so policies stay readable HCL.
 * Helpers below read facts back out of the calls for other code (the secrets an external Vault is seeded with,
 * the values recordings must never contain, the stack's AppRole credentials).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SeedCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'LIST';
  /** API path without "/v1/". */
  path: string;
  body?: Record<string, unknown>;
}

export interface VaultSeed {
  /** The dev server's root token id (`vault server -dev -dev-root-token-id`). */
  rootToken: string;
  calls: SeedCall[];
}

export const DEFAULT_SEED_FILE = fileURLToPath(new URL('../../fixtures/vault/seed.json', import.meta.url));

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'LIST'];

export function loadSeed(file: string = DEFAULT_SEED_FILE): VaultSeed {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<VaultSeed>;
  const problems: string[] = [];
  if (raw === null || typeof raw !== 'object') throw new Error(`invalid Vault seed ${file}: seed must be a JSON object`);
  if (raw.rootToken !== undefined && typeof raw.rootToken !== 'string') problems.push('rootToken must be a string');
  if (!Array.isArray(raw.calls)) problems.push('calls must be a list of API calls');
  const calls = (Array.isArray(raw.calls) ? raw.calls : []).map((c, i) => {
    const call = c as Partial<SeedCall>;
    if (!call || typeof call.method !== 'string' || !METHODS.includes(call.method)) problems.push(`call ${i}: method must be one of ${METHODS.join(', ')}`);
    if (!call || typeof call.path !== 'string' || call.path === '') problems.push(`call ${i}: path is required`);
    if (call?.body !== undefined && (call.body === null || typeof call.body !== 'object' || Array.isArray(call.body))) problems.push(`call ${i}: body must be an object`);
    return { ...call, body: call?.body && inlineFiles(call.body, dirname(file), problems, i) } as SeedCall;
  });
  if (problems.length) throw new Error(`invalid Vault seed ${file}: ${problems.join('; ')}`);
  return { rootToken: raw.rootToken ?? 'root', calls };
}

/** Replace {"$file": "rel/path"} values with the file's text; files must sit beside or below the seed. */
function inlineFiles(body: Record<string, unknown>, base: string, problems: string[], i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    const ref = v && typeof v === 'object' && !Array.isArray(v) ? (v as { $file?: unknown }).$file : undefined;
    if (typeof ref !== 'string') {
      out[k] = v;
      continue;
    }
    const target = resolve(base, ref);
    const rel = relative(base, target);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      problems.push(`call ${i}: ${k}.$file must stay inside the seed's folder`);
      continue;
    }
    try {
      out[k] = readFileSync(target, 'utf8');
    } catch {
      problems.push(`call ${i}: cannot read ${k}.$file ${ref}`);
    }
  }
  return out;
}

/** The paths that KV v2 mounts in the seed answer to ("secret"), from its sys/mounts calls. */
function kvMounts(seed: VaultSeed): Map<string, 1 | 2> {
  const mounts = new Map<string, 1 | 2>();
  for (const c of seed.calls) {
    const m = /^sys\/mounts\/(.+?)\/?$/.exec(c.path);
    if (!m || c.method === 'DELETE' || c.method === 'GET') continue;
    const type = String(c.body?.type ?? '');
    const version = String((c.body?.options as Record<string, unknown> | undefined)?.version ?? '1');
    if (type === 'kv-v2' || (type === 'kv' && version === '2')) mounts.set(m[1], 2);
    else if (type === 'kv' || type === 'kv-v1') mounts.set(m[1], 1);
  }
  return mounts;
}

/** "mount/path" → data for every KV secret the seed writes (KV v2 `data` writes and KV v1 writes). */
export function seedSecrets(seed: VaultSeed): Record<string, { version: 1 | 2; data: Record<string, unknown> }> {
  const mounts = kvMounts(seed);
  const out: Record<string, { version: 1 | 2; data: Record<string, unknown> }> = {};
  for (const c of seed.calls) {
    if (c.method !== 'POST' && c.method !== 'PUT') continue;
    for (const [mount, version] of mounts) {
      if (version === 2 && c.path.startsWith(`${mount}/data/`)) out[`${mount}/${c.path.slice(mount.length + 6)}`] = { version, data: (c.body?.data ?? {}) as Record<string, unknown> };
      else if (version === 1 && c.path.startsWith(`${mount}/`)) out[c.path] = { version, data: c.body ?? {} };
    }
  }
  return out;
}

/** The role_id and secret_ids the seed gives an AppRole role at a mount (default "approle"). */
export function seedAppRole(seed: VaultSeed, role: string, mount = 'approle'): { roleId?: string; secretIds: string[] } {
  const base = `auth/${mount}/role/${role}`;
  let roleId: string | undefined;
  const secretIds: string[] = [];
  for (const c of seed.calls) {
    if (c.path === `${base}/role-id` && typeof c.body?.role_id === 'string') roleId = c.body.role_id;
    if (c.path === base && typeof c.body?.role_id === 'string') roleId = c.body.role_id;
    if (c.path === `${base}/custom-secret-id` && typeof c.body?.secret_id === 'string') secretIds.push(c.body.secret_id);
  }
  return { roleId, secretIds };
}

/** Every credential or secret value in the seed: KV data, role_ids, secret_ids, userpass passwords, token ids. */
export function seedSecretValues(seed: VaultSeed): string[] {
  const out: string[] = [];
  for (const { data } of Object.values(seedSecrets(seed))) for (const v of Object.values(data)) if (typeof v === 'string') out.push(v);
  for (const c of seed.calls) {
    for (const k of ['role_id', 'secret_id', 'password', 'id']) if (typeof c.body?.[k] === 'string') out.push(c.body[k] as string);
  }
  return [...new Set(out)];
}
