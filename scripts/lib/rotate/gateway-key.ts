/**
 * Rotating the gateway's signing key without refusing a request. The proxy accepts every key in its key set
 * (`API_GATEWAY_PUBLIC_KEYS` in the secret store, by keyId) and re-reads the set on a TTL and when a request names
 * a keyId it does not hold; the gateway signs with one key of its ring. So:
 *   1. the gateway creates the next key (not signing yet);
 *   2. its public half is added to the key set in the store (a new version; the old key stays);
 *   3. wait until every proxy has re-read the set (`propagationMs`: their refresh interval plus margin — and a
 *      proxy that has not yet re-read it does so on the first request signed with the new keyId);
 *   4. the gateway signs with the new key;
 *   5. wait until no request signed with the old key can still be in flight (`drainMs`);
 *   6. the old key is removed from the key set (proxies drop it at their next re-read);
 *   7. the gateway deletes the old private key.
 * Stopping anywhere leaves a working state: steps 1–3 only add, 4 switches to a key every proxy accepts.
 */
import { gatewayKeyAdmin } from '../../../emulators/gateway/admin-client.ts';
import { GATEWAY_KEY_SET, parseGatewayKeySet } from '../../../proxy/secrets/gateway-keys.ts';
import type { SecretStoreWriter, StoredDocument } from '../../../proxy/secrets/store-writer.ts';
import { runSteps, sleep, type RotationReporter } from './events.ts';

export interface GatewayKeyRotation {
  gatewayUrl: string;
  store: SecretStoreWriter;
  /** Where the key set lives in the store (Vault path or Secrets Manager secret id). */
  location: string;
  propagationMs: number;
  drainMs: number;
  report: RotationReporter;
  wait?: (ms: number) => Promise<void>;
}

export async function rotateGatewayKey(o: GatewayKeyRotation): Promise<{ oldKeyId: string; newKeyId: string }> {
  const gateway = gatewayKeyAdmin(o.gatewayUrl);
  const wait = o.wait ?? sleep;
  const where = o.store.where(o.location);
  let oldKeyId = '';
  let next = { keyId: '', publicKeyPem: '' };
  await runSteps('key:gateway-signing', o.report, [
    ['create the next signing key at the gateway', async () => {
      const active = (await gateway.list()).find((k) => k.active);
      if (!active) throw new Error('the gateway reports no active signing key');
      oldKeyId = active.keyId;
      next = await gateway.create();
      return { oldKeyId, newKeyId: next.keyId };
    }],
    [`add it to ${GATEWAY_KEY_SET} in ${where}`, async () => {
      const doc = await o.store.read(o.location);
      // No set stored yet (proxies on a single API_GATEWAY_PUBLIC_KEY): start it with every key the gateway holds,
      // so the key signing now stays accepted by proxies that switch to reading the set.
      const current = doc?.data[GATEWAY_KEY_SET] === undefined ? Object.fromEntries((await gateway.list()).filter((k) => k.keyId !== next.keyId).map((k) => [k.keyId, k.publicKeyPem])) : keySetOf(doc);
      const set = { ...current, [next.keyId]: next.publicKeyPem };
      const written = await o.store.write(o.location, { ...doc?.data, [GATEWAY_KEY_SET]: set }, doc);
      return { keyIds: Object.keys(set), version: written.version };
    }],
    ['wait for every proxy to re-read the key set', async () => {
      await wait(o.propagationMs);
      return { waitedMs: o.propagationMs };
    }],
    ['sign with the new key', async () => {
      await gateway.activate(next.keyId);
      return { activeKeyId: next.keyId };
    }],
    ['wait for requests signed with the old key to drain', async () => {
      await wait(o.drainMs);
      return { waitedMs: o.drainMs };
    }],
    [`remove the old key from ${GATEWAY_KEY_SET} in ${where}`, async () => {
      const doc = await o.store.read(o.location);
      const { [oldKeyId]: _old, ...rest } = keySetOf(doc);
      if (!rest[next.keyId]) throw new Error(`the key set no longer holds ${next.keyId}; not removing ${oldKeyId}`);
      const written = await o.store.write(o.location, { ...doc?.data, [GATEWAY_KEY_SET]: rest }, doc);
      return { keyIds: Object.keys(rest), version: written.version };
    }],
    ['delete the old private key at the gateway', async () => {
      await gateway.retire(oldKeyId);
      return { retiredKeyId: oldKeyId };
    }],
  ]);
  return { oldKeyId, newKeyId: next.keyId };
}

/** The set as stored: an object (as the stack writes it) or its JSON text (as an operator may paste it). */
function keySetOf(doc: StoredDocument | undefined): Record<string, string> {
  const v = doc?.data[GATEWAY_KEY_SET];
  if (v === undefined) return {};
  return parseGatewayKeySet(typeof v === 'string' ? v : JSON.stringify(v));
}
