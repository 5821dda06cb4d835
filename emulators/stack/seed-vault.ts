/**
 * Seeds an external Vault (the docker compose path) with the stack's local secrets from the same fixture the fake
 * Vault replays, idempotently: a secret that already exists is left as it is, so a developer's own values are never
 * overwritten. Only KV v2 secrets are written (a dev server mounts KV v2 at `secret/`); the seed's mounts, policies
 * and AppRole are for the fake (a dev server's root token needs none of them).
 */
import { loadSeed, seedSecrets } from '../vault/seed.ts';

export async function seedVault(addr: string, token: string, seedFile = 'fixtures/vault/seed.json'): Promise<string[]> {
  const secrets = seedSecrets(loadSeed(seedFile));
  const base = addr.replace(/\/+$/, '');
  const written: string[] = [];
  for (const [full, { version, data }] of Object.entries(secrets)) {
    if (version !== 2) continue;
    const [mount, ...rest] = full.split('/');
    const url = `${base}/v1/${mount}/data/${rest.join('/')}`;
    const existing = await fetch(url, { headers: { 'x-vault-token': token } });
    if (existing.status === 200) continue;
    const res = await fetch(url, { method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' }, body: JSON.stringify({ data }) });
    if (!res.ok) throw new Error(`seeding Vault ${full} failed with HTTP ${res.status}`);
    written.push(full);
  }
  return written;
}
