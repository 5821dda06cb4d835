/** Small calls into the fakes' admin and wire APIs that provider states use to put data in place. */
import { loadSeed } from '../../emulators/customerio/seed.ts';

export async function adminReset(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/__admin/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`reset of ${baseUrl} failed: HTTP ${res.status}`);
}

/** The fake Customer.io's workspace credentials (fixtures/customerio/seed.json: local, fake values). */
export function customerioWorkspace() {
  return loadSeed().workspace;
}

/** Changes an attribute through the fake's Track API, which records an `attribute_change` activity. */
export async function recordCustomerioActivity(baseUrl: string, email: string): Promise<void> {
  const ws = customerioWorkspace();
  const res = await fetch(`${baseUrl}/api/v1/customers/${encodeURIComponent(email)}`, {
    method: 'PUT',
    headers: { authorization: 'Basic ' + Buffer.from(`${ws.siteId}:${ws.trackApiKey}`).toString('base64'), 'content-type': 'application/json' },
    body: JSON.stringify({ plan: `contract-${Date.now()}` }),
  });
  if (!res.ok) throw new Error(`could not record activity for ${email}: HTTP ${res.status}`);
}

/** Fails the state when the fake's seed lacks what an interaction relies on. */
export function requireCustomerioSeed(check: (seed: ReturnType<typeof loadSeed>) => boolean, what: string): void {
  if (!check(loadSeed())) throw new Error(`fixtures/customerio/seed.json must contain ${what}`);
}
