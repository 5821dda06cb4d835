/** The gateway's signing-key admin API (admin.ts) over HTTP, for the stack's seeding and the rotation script. */
import { fetchKeptAlive } from '../../proxy/core/keep-alive.ts';

export interface PublicSigningKey {
  keyId: string;
  publicKeyPem: string;
  active: boolean;
}

export function gatewayKeyAdmin(gatewayUrl: string) {
  const base = `${gatewayUrl.replace(/\/+$/, '')}/__admin/signing-keys`;
  const call = async <T>(method: string, path = ''): Promise<T> => {
    const res = await fetchKeptAlive(base + path, { method });
    const body = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new Error(`gateway ${method} /__admin/signing-keys${path} answered ${res.status}${body.error ? `: ${body.error}` : ''}`);
    return body;
  };
  return {
    list: async () => (await call<{ keys: PublicSigningKey[] }>('GET')).keys,
    create: () => call<PublicSigningKey>('POST'),
    activate: (keyId: string) => call<unknown>('POST', `/${encodeURIComponent(keyId)}/activate`),
    retire: (keyId: string) => call<unknown>('DELETE', `/${encodeURIComponent(keyId)}`),
  };
}

/** keyId → public PEM of every key the gateway holds: the set the proxy must accept (API_GATEWAY_PUBLIC_KEYS). */
export async function gatewayPublicKeySet(gatewayUrl: string): Promise<Record<string, string>> {
  return Object.fromEntries((await gatewayKeyAdmin(gatewayUrl).list()).map((k) => [k.keyId, k.publicKeyPem]));
}
