/**
 * The company API gateway in front of the proxy: verifies the mobile app's optional JWT, replaces any
 * client-sent identity or signature with its own, signs the request (draft-cavage HTTP Signatures) and forwards
 * it. Built on the shared emulator frame, so it has the same /__admin API and journal as every fake.
 */
import { createEmulator, listen } from '../shared/emulator.ts';
import { jsonShape } from '../shared/http-guard.ts';
import { refusalAdmin, signingKeyAdmin } from './admin.ts';
import { loadGatewayKeys } from './keys.ts';
import { gatewayError, gatewayRoutes } from './routes.ts';
import { GatewayState } from './state.ts';
import { DEFAULT_STEPS, type Step } from './steps.ts';

export { signRequest, digestHeader, GATEWAY_KEY_ID, GATEWAY_REQUEST_ID_HEADER, type RequestToSign, type SignOptions } from './sign.ts';
export { loadGatewayKeys, DEFAULT_KEY_DIR, SigningKeyRing, type GatewayKeys, type SigningKey } from './keys.ts';
export { JWT_ISSUER, JWT_AUDIENCE, GatewayState } from './state.ts';
export { DEFAULT_STEPS, type Step, type Exchange, type EarlyReply } from './steps.ts';
export type { GatewayRefusal, RefusedBy } from './refusals.ts';

export const DEFAULT_GATEWAY_PORT = 8080;

export interface GatewayOptions {
  port?: number;
  host?: string;
  /** The proxy's base URL. */
  upstream: string;
  keyDir?: string;
  /** The request pipeline (default DEFAULT_STEPS); later features insert their own steps. */
  steps?: Step[];
}

export interface Gateway {
  url: string;
  port: number;
  /** PEM of the key that signs forwarded requests now (one of the proxy's API_GATEWAY_PUBLIC_KEYS). */
  readonly publicKeyPem: string;
  /** Every signing key's public half by keyId: the set the proxy must accept. */
  publicKeys(): Record<string, string>;
  mintToken(email: string, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const state = new GatewayState(loadGatewayKeys({ keyDir: opts.keyDir }), new URL(opts.upstream));
  const { app, errorShape } = createEmulator({
    name: 'gateway',
    snapshot: () => state.snapshot(),
    reset: () => state.reset(),
    faultBody: gatewayError,
    errorShape: jsonShape((p) => gatewayError(p.status)),
    admin: (router) => {
      signingKeyAdmin(router, state.keys.signing);
      refusalAdmin(router, state.refusals);
    },
    routes: gatewayRoutes(state, opts.steps ?? DEFAULT_STEPS),
  });
  const server = await listen(app, opts.port ?? DEFAULT_GATEWAY_PORT, { host: opts.host, errors: errorShape });
  return {
    url: server.url,
    port: server.port,
    get publicKeyPem() {
      return state.keys.signing.active().publicKeyPem;
    },
    publicKeys: () => Object.fromEntries(state.keys.signing.list().map((k) => [k.keyId, k.publicKeyPem])),
    mintToken: (email, ttlSeconds) => state.mintToken(email, ttlSeconds),
    close: server.close,
  };
}
