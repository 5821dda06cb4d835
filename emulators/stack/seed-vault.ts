/**
 * Seeds an external Vault (the docker compose path) with the stack's local secrets from the same fixture the fake
 * Vault loads, idempotently: a secret that already exists is left as it is, so a developer's own values are never
 * overwritten. Only KV v2 mounts are written (a dev server mounts KV v2 at `secret/`).
 */
import { readFile } from 'node:fs/promises';

interface VaultFixture {
  mounts: Record<string, { version: number }>;
  secrets: Record<string, Record<string, string>>;
}

export async function seedVault(addr: string, token: string, seedFile = 'fixtures/vault/seed.json'): Promise<string[]> {
  const seed = JSON.parse(await readFile(seedFile, 'utf8')) as VaultFixture;
  const base = addr.replace(/\/+$/, '');
  const written: string[] = [];
  for (const [full, data] of Object.entries(seed.secrets)) {
    const [mount, ...rest] = full.split('/');
    if (seed.mounts[mount]?.version !== 2) continue;
    const url = `${base}/v1/${mount}/data/${rest.join('/')}`;
    const existing = await fetch(url, { headers: { 'x-vault-token': token } });
    if (existing.status === 200) continue;
    const res = await fetch(url, { method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
    if (!res.ok) throw new Error(`seeding Vault ${full} failed with HTTP ${res.status}`);
    written.push(full);
  }
  return written;
}
