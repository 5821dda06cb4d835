/**
 * Requests as the gateway would deliver them to the proxy, signed with the gateway's key — for tests that call
 * the proxy (or a Lambda handler) directly, without the gateway in front.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { GATEWAY_REQUEST_ID_HEADER, loadGatewayKeys, signRequest } from '../../emulators/gateway/index.ts';
import { IDENTITY_HEADER } from '../../proxy/auth/signature-middleware.ts';
import type { PlainRequest } from './events.ts';

export function gatewaySigner(stateDir: string) {
  const { signingPrivateKeyPem, signingKeyId } = loadGatewayKeys({ keyDir: join(stateDir, 'gateway'), env: {} });
  return (r: { method: string; path: string; query?: string; json?: unknown; email?: string }): PlainRequest => {
    const body = r.json === undefined ? undefined : JSON.stringify(r.json);
    // A request id of its own, as the gateway signs one: two identical calls are two requests, not a replay.
    const headers: Record<string, string> = { host: 'api.gatehouse.test', [GATEWAY_REQUEST_ID_HEADER]: randomUUID(), ...(body ? { 'content-type': 'application/json' } : {}) };
    if (r.email) headers[IDENTITY_HEADER] = r.email;
    const added = signRequest({ method: r.method, path: r.path, rawQuery: r.query, headers, body }, signingPrivateKeyPem, { keyId: signingKeyId });
    return { method: r.method, path: r.path, query: r.query, headers: { ...headers, ...added }, body };
  };
}

export interface RawReply {
  status: number;
  headers: Headers;
  body: any;
}

/** Send a request as is over node:http, not fetch: the gateway signs the Host header, which fetch would replace. */
export function sendRaw(base: string, r: { method: string; path: string; query?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + r.path + (r.query ? `?${r.query}` : ''), { method: r.method, headers: r.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const headers = new Headers(Object.entries(res.headers).map(([k, v]) => [k, String(v)]) as [string, string][]);
        let body: unknown = text;
        try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON: the text */ }
        resolve({ status: res.statusCode!, headers, body });
      });
    });
    req.on('error', reject);
    req.end(r.body);
  });
}
