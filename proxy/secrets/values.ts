/**
 * A store's value as the chain's string: strings as they are; an object or list (a key set kept as JSON in Vault's
 * UI or a Secrets Manager secret) as its JSON text, so `API_GATEWAY_PUBLIC_KEYS` can be stored as an object.
 */
export function storeValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object') return JSON.stringify(v);
  return undefined;
}

/** The wanted names from a store's documents, read in order: the first document holding a name wins. */
export function pickNames(documents: Record<string, unknown>[], wanted: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of wanted) {
    const hit = documents.find((d) => d[n] !== undefined);
    const v = hit && storeValue(hit[n]);
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** Read every document at once; a failure is the first failing one in order (so messages do not depend on timing). */
export async function readAll<T, R>(items: T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const settled = await Promise.allSettled(items.map(read));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
