/**
 * Requests as the gateway would deliver them to the proxy, signed with the gateway's key — for tests that call
 * the proxy (or a Lambda handler) directly, without the gateway in front.
 */
import { join } from 'node:path';
import { loadGatewayKeys, signRequest } from '../../emulators/gateway/index.ts';
import { IDENTITY_HEADER } from '../../proxy/auth/signature-middleware.ts';
import type { PlainRequest } from './events.ts';

export function gatewaySigner(stateDir: string) {
  const { signingPrivateKeyPem, signingKeyId } = loadGatewayKeys({ keyDir: join(stateDir, 'gateway'), env: {} });
  return (r: { method: string; path: string; query?: string; json?: unknown; email?: string }): PlainRequest => {
    const body = r.json === undefined ? undefined : JSON.stringify(r.json);
    const headers: Record<string, string> = { host: 'api.gatehouse.test', ...(body ? { 'content-type': 'application/json' } : {}) };
    if (r.email) headers[IDENTITY_HEADER] = r.email;
    const added = signRequest({ method: r.method, path: r.path, rawQuery: r.query, headers, body }, signingPrivateKeyPem, { keyId: signingKeyId });
    return { method: r.method, path: r.path, query: r.query, headers: { ...headers, ...added }, body };
  };
}
