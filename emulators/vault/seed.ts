/** The seed file's shape (fixtures/vault/seed.json) and a loader that says clearly what is wrong with a bad one. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Policy } from './policy.ts';
import type { RoleSeed } from './auth.ts';
import type { SecretData } from './kv2.ts';

export interface MountSeed {
  version: 1 | 2;
  description?: string;
}

export interface VaultSeed {
  rootToken: string;
  /** Mount path (no slashes) → KV engine version. */
  mounts: Record<string, MountSeed>;
  policies: Record<string, Policy>;
  approle: Record<string, RoleSeed>;
  /** "mount/path" → data; a KV v2 mount stores it as version 1. */
  secrets: Record<string, SecretData>;
}

export const DEFAULT_SEED_FILE = fileURLToPath(new URL('../../fixtures/vault/seed.json', import.meta.url));

export function loadSeed(file: string = DEFAULT_SEED_FILE): VaultSeed {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<VaultSeed>;
  const problems = checkSeed(raw);
  if (problems.length) throw new Error(`invalid Vault seed ${file}: ${problems.join('; ')}`);
  return { rootToken: raw.rootToken ?? 'root', mounts: raw.mounts ?? {}, policies: raw.policies ?? {}, approle: raw.approle ?? {}, secrets: raw.secrets ?? {} };
}

function checkSeed(s: Partial<VaultSeed>): string[] {
  const out: string[] = [];
  if (s === null || typeof s !== 'object') return ['seed must be a JSON object'];
  for (const [name, m] of Object.entries(s.mounts ?? {})) if (m.version !== 1 && m.version !== 2) out.push(`mount "${name}" needs version 1 or 2`);
  for (const [name, r] of Object.entries(s.approle ?? {})) {
    if (typeof r.role_id !== 'string' || !Array.isArray(r.secret_ids)) out.push(`role "${name}" needs role_id and secret_ids`);
  }
  for (const [path, data] of Object.entries(s.secrets ?? {})) {
    if (!Object.keys(s.mounts ?? {}).some((m) => path.startsWith(`${m}/`))) out.push(`secret "${path}" is under no mount`);
    if (data === null || typeof data !== 'object' || Array.isArray(data)) out.push(`secret "${path}" must be an object`);
  }
  return out;
}
