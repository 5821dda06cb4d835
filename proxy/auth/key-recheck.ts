/**
 * A webhook no key verifies may be the first one signed with a key its sender switched to a moment ago (Mailgun
 * and Customer.io sign with a regenerated key at once), before this container re-read its secret store. So the
 * store is re-read once and the signature verified again (the chain bounds how often forged signatures can make it
 * read: SECRET_REFRESH_MIN_INTERVAL_MS).
 *
 * That one re-read can start before the rotation wrote the new key (it writes right after regenerating). So while
 * a rotation is announced in the store (`<KEY>_ROTATING_UNTIL`, written by the rotation script before it
 * regenerates the key), a webhook no key verifies waits for further re-reads, each one that started after the last
 * check, until it verifies or `holdMs` has passed. Outside a rotation nothing waits: a forged webhook costs one
 * rate-limited re-read, never a held connection.
 */
import type { Secrets } from '../secrets/chain.ts';

export async function verifyAcrossRereads<V>(
  verify: () => V,
  unknownKey: (verdict: V) => boolean,
  secrets: Pick<Secrets, 'refresh' | 'refreshable'>,
  o: { holdMs: number; reason: string; now?: () => number },
): Promise<V> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.holdMs;
  let verdict = verify();
  if (!unknownKey(verdict) || !secrets.refreshable) return verdict;
  do {
    await secrets.refresh(o.reason);
    verdict = verify();
  } while (unknownKey(verdict) && now() < deadline);
  return verdict;
}

/** Whether a rotation of `keyName` is announced in the secrets now (`<keyName>_ROTATING_UNTIL`, epoch seconds). */
export function rotationAnnounced(secrets: Pick<Secrets, 'get'>, keyName: string, nowMs: number): boolean {
  const until = Number(secrets.get(`${keyName}_ROTATING_UNTIL`));
  return Number.isFinite(until) && until * 1000 > nowMs;
}
