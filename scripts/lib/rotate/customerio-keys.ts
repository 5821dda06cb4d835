/**
 * Rotating the Customer.io keys the proxy uses (the Track API pair CIO_SITE_ID + CIO_API_KEY, the App API key
 * CIO_APP_API_KEY) without a cold start or a refused request:
 *   1. a new key is created in Customer.io (Settings → API Credentials; the old one keeps working);
 *   2. it is written to the proxy's secret as a new version (the other names are kept);
 *   3. wait until every proxy has re-read the secret (their refresh interval plus margin);
 *   4. the old key is deleted in Customer.io.
 * A proxy that still holds the old key when it is deleted gets a 401, re-reads the secret once and retries with the
 * new key (proxy/routes/customerio/client.ts), so step 3 is about avoiding that extra round trip, not a refusal.
 * Customer.io has no public API for its credentials: against the local fake the admin API creates and deletes keys;
 * against the real one the new key comes from the operator (stdin) and the deletion is theirs to do.
 */
import { appKeyId } from '../../../emulators/customerio/api-keys.ts';
import { CIO_KEY_NAMES } from '../../../proxy/routes/customerio/config.ts';
import type { SecretStoreWriter } from '../../../proxy/secrets/store-writer.ts';
import { runSteps, sleep, type RotationReporter } from './events.ts';

export type CioKeyName = (typeof CIO_KEY_NAMES)[number];
export type CioKeys = Partial<Record<CioKeyName, string>>;

/** Where new keys come from and how old ones go: the local fake's admin API, or the operator. */
export interface CustomerioKeyIssuer {
  create(which: 'track' | 'app'): Promise<CioKeys>;
  /** Delete the old key; undefined: the operator does it (the step says so). */
  remove?(which: 'track' | 'app', old: CioKeys): Promise<void>;
}

export interface CustomerioKeyRotation {
  store: SecretStoreWriter;
  location: string;
  which: ('track' | 'app')[];
  issuer: CustomerioKeyIssuer;
  propagationMs: number;
  report: RotationReporter;
  /** Told every key value this rotation handles (new and old), so the reporter's logger can mask them. */
  handled?: (values: string[]) => void;
  wait?: (ms: number) => Promise<void>;
}

const NAMES = { track: ['CIO_SITE_ID', 'CIO_API_KEY'], app: ['CIO_APP_API_KEY'] } as const satisfies Record<string, readonly CioKeyName[]>;

export async function rotateCustomerioKeys(o: CustomerioKeyRotation): Promise<CioKeys> {
  const names = o.which.flatMap((w) => NAMES[w]);
  const resource = `secret:${names.join(',')}`;
  const where = o.store.where(o.location);
  let old: CioKeys = {};
  const fresh: CioKeys = {};
  await runSteps(resource, o.report, [
    ...o.which.map((w): [string, () => Promise<Record<string, unknown>>] => [`create a new ${w === 'track' ? 'Tracking API key (Site ID + API key)' : 'App API key'} in Customer.io`, async () => {
      const got = await o.issuer.create(w);
      o.handled?.(Object.values(got).filter((v): v is string => !!v));
      for (const n of NAMES[w]) if (!got[n]) throw new Error(`the new ${w} key has no ${n}`);
      Object.assign(fresh, got);
      // The Site ID is not a secret (it names the workspace's key pair); keys are named, never shown.
      return w === 'track' ? { siteId: got.CIO_SITE_ID } : {};
    }]),
    [`write them to ${where} as a new version`, async () => {
      const doc = await o.store.read(o.location);
      if (!doc) throw new Error(`${where} does not exist; the proxy reads its Customer.io keys there`);
      old = Object.fromEntries(names.map((n) => [n, doc.data[n]]).filter(([, v]) => typeof v === 'string'));
      o.handled?.(Object.values(old).filter((v): v is string => !!v));
      const written = await o.store.write(o.location, { ...doc.data, ...fresh }, doc);
      return { names, version: written.version };
    }],
    ['wait for every proxy to re-read the secret', async () => {
      await (o.wait ?? sleep)(o.propagationMs);
      return { waitedMs: o.propagationMs };
    }],
    ...o.which.map((w): [string, () => Promise<Record<string, unknown>>] => [`delete the old ${w === 'track' ? 'Tracking' : 'App'} API key in Customer.io`, async () => {
      if (!o.issuer.remove) return { operator: `delete it in Customer.io (Settings → API Credentials)${w === 'track' ? `: site ${old.CIO_SITE_ID}` : ''}; proxies that still use it re-read the secret on its first 401` };
      await o.issuer.remove(w, old);
      return w === 'track' ? { siteId: old.CIO_SITE_ID } : {};
    }]),
  ]);
  return fresh;
}

/** The local fake Customer.io's stand-in for Settings → API Credentials (emulators/customerio/admin.ts). */
export function fakeCustomerioIssuer(baseUrl: string): CustomerioKeyIssuer {
  const admin = `${baseUrl.replace(/\/+$/, '')}/__admin/api-keys`;
  const call = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(admin + path, { method });
    if (!res.ok) throw new Error(`fake Customer.io ${method} /__admin/api-keys${path} answered ${res.status}`);
    return (await res.json()) as T;
  };
  return {
    async create(which) {
      if (which === 'track') {
        const k = await call<{ siteId: string; apiKey: string }>('POST', '/track');
        return { CIO_SITE_ID: k.siteId, CIO_API_KEY: k.apiKey };
      }
      return { CIO_APP_API_KEY: (await call<{ key: string }>('POST', '/app')).key };
    },
    async remove(which, old) {
      if (which === 'track' && old.CIO_SITE_ID) await call('DELETE', `/track/${encodeURIComponent(old.CIO_SITE_ID)}`);
      if (which === 'app' && old.CIO_APP_API_KEY) await call('DELETE', `/app/${appKeyId(old.CIO_APP_API_KEY)}`);
    },
  };
}

/** The operator's new keys, as JSON on stdin ({"CIO_SITE_ID": …, "CIO_API_KEY": …, "CIO_APP_API_KEY": …}). */
export function operatorIssuer(input: string): CustomerioKeyIssuer {
  let given: CioKeys;
  try {
    given = JSON.parse(input) as CioKeys;
  } catch {
    throw new Error('stdin must be a JSON object of the new keys, e.g. {"CIO_SITE_ID": "…", "CIO_API_KEY": "…"}');
  }
  return {
    async create(which) {
      return Object.fromEntries(NAMES[which].map((n) => [n, given[n]]));
    },
  };
}
