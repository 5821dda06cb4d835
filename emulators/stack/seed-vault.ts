/**
 * Seeds an external Vault (the docker compose path) with the stack's local secrets, idempotently: a secret that
 * already exists is left as it is, so a developer's own values are never overwritten.
 */
import { readFile } from 'node:fs/promises';

export async function seedVault(addr: string, token: string, seedFile = 'fixtures/vault/seed.json'): Promise<void> {
  const seed = JSON.parse(await readFile(seedFile, 'utf8')) as { kv2?: Record<string, Record<string, Record<string, string>>> };
  const base = addr.replace(/\/+$/, '');
  for (const [mount, secrets] of Object.entries(seed.kv2 ?? {})) {
    for (const [path, data] of Object.entries(secrets)) {
      const url = `${base}/v1/${mount}/data/${path}`;
      const existing = await fetch(url, { headers: { 'x-vault-token': token } });
      if (existing.status === 200) continue;
      const res = await fetch(url, { method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
      if (!res.ok) throw new Error(`seeding Vault ${mount}/${path} failed with HTTP ${res.status}`);
    }
  }
}
