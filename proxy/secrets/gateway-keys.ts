/**
 * The gateway's public signing keys as the proxy holds them: a set by draft-cavage `keyId`, so a rotation can add
 * the next key before the gateway signs with it and remove the old one after. Kept in the secret store (not a
 * secret, but its integrity is the proxy's whole trust) as `API_GATEWAY_PUBLIC_KEYS`, a JSON object keyId → PEM;
 * the single-PEM `API_GATEWAY_PUBLIC_KEY` of seed 000 is still accepted (for any keyId) when no set is given.
 * Looked up per request from the live secrets, and re-read from the store when a request names a keyId the set
 * does not hold — so a proxy picks a new key up without a restart, in whatever process or container it runs.
 */
import type { Logger } from '../core/log.ts';
import { publicKeyFrom, type KeySet } from '../auth/http-signature.ts';
import type { Secrets } from './chain.ts';

export const GATEWAY_KEY_SET = 'API_GATEWAY_PUBLIC_KEYS';
export const GATEWAY_KEY_SINGLE = 'API_GATEWAY_PUBLIC_KEY';
/** Either one: a requirement with alternatives. */
export const GATEWAY_KEY_NAMES = [GATEWAY_KEY_SET, GATEWAY_KEY_SINGLE] as const;

const KEY_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** keyId → PEM from the set's JSON text; throws a message naming the problem (keyIds are public, PEMs are too). */
export function parseGatewayKeySet(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${GATEWAY_KEY_SET} is not JSON (expected {"<keyId>": "<PEM>", …})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${GATEWAY_KEY_SET} must be a JSON object {"<keyId>": "<PEM>", …}`);
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length === 0) throw new Error(`${GATEWAY_KEY_SET} holds no key`);
  const out: Record<string, string> = {};
  for (const [keyId, pem] of entries) {
    if (!KEY_ID.test(keyId)) throw new Error(`${GATEWAY_KEY_SET}: keyId "${keyId.slice(0, 40)}" is not 1–128 of A-Z a-z 0-9 . _ : -`);
    if (typeof pem !== 'string') throw new Error(`${GATEWAY_KEY_SET}: the key of "${keyId}" is not a PEM string`);
    try {
      publicKeyFrom(pem);
    } catch {
      throw new Error(`${GATEWAY_KEY_SET}: the key of "${keyId}" is not a public key PEM`);
    }
    out[keyId] = pem;
  }
  return out;
}

/** What is wrong with the gateway keys the secrets hold (for a config loader's problem list); [] when usable. */
export function gatewayKeyProblems(secrets: Secrets): string[] {
  const set = secrets.get(GATEWAY_KEY_SET);
  const single = secrets.get(GATEWAY_KEY_SINGLE);
  if (set === undefined && single === undefined) return [`${GATEWAY_KEY_SET} or ${GATEWAY_KEY_SINGLE} is required (verifies the gateway's HTTP signatures)`];
  try {
    if (set !== undefined) parseGatewayKeySet(set);
    else publicKeyFrom(single!);
    return [];
  } catch (e) {
    return [set !== undefined ? (e as Error).message : `${GATEWAY_KEY_SINGLE} is not a public key PEM`];
  }
}

/**
 * The live key set. A set that stops parsing after a refresh (a bad write to the store) is not taken: the last
 * good one stays in force and the problem is logged once per bad text.
 */
export function gatewayKeySet(secrets: Secrets, log?: Logger): KeySet {
  let parsedFrom: string | undefined;
  let table: Record<string, string> | undefined;
  let reported: string | undefined;
  return {
    lookup(keyId) {
      const text = secrets.get(GATEWAY_KEY_SET);
      if (text === undefined && table === undefined) return secrets.get(GATEWAY_KEY_SINGLE);
      if (text !== undefined && text !== parsedFrom && text !== reported) {
        try {
          table = parseGatewayKeySet(text);
          parsedFrom = text;
        } catch (e) {
          log?.error('gateway key set not taken; the previous one stays in force', { error: (e as Error).message });
          reported = text;
        }
      }
      return table && Object.hasOwn(table, keyId) ? table[keyId] : undefined;
    },
    refresh: (reason) => secrets.refresh(reason),
  };
}
