/**
 * Credentials for replaying against the local stack: JWTs signed with the gateway's local key (its key directory),
 * API tokens created in the stack's token table (only the hash is stored, as `npm run create-token` does), and the
 * first enabled gateway API key from fixtures/gateway/api-keys.json, and the webhook signing keys the stack verifies
 * with (seeds.ts). Each is made once per identity.
 */
import { join } from 'node:path';
import { GatewayState, loadGatewayKeys } from '../../../emulators/gateway/index.ts';
import { loadApiKeys } from '../../../emulators/gateway/api-keys.ts';
import { ApiTokenStore } from '../../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../../proxy/routes/cards/aws.ts';
import { loadCardsConfig } from '../../../proxy/routes/cards/config.ts';
import type { Credentials } from './identity.ts';
import { webhookSigningKeys } from './seeds.ts';

export interface LocalCredentialOptions {
  /** The stack's state directory (its gateway keys live in `<stateDir>/gateway`). */
  stateDir: string;
  /** The AWS endpoint holding the API-token table; without it, `token` headers are sent as recorded. */
  awsEndpoint?: string;
  /** Where a developer's own webhook signing keys are read from (default process.env). */
  env?: Record<string, string | undefined>;
}

const once = <T>(make: (email: string) => Promise<T>) => {
  const cache = new Map<string, Promise<T>>();
  return (email: string) => {
    let p = cache.get(email);
    if (!p) cache.set(email, (p = make(email)));
    return p;
  };
};

/** The API-token table (cards' `token` header) behind an AWS endpoint, with the local stack's test credentials. */
export function apiTokenStore(awsEndpoint: string): ApiTokenStore {
  const env = { AWS_ENDPOINT_URL: awsEndpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };
  return new ApiTokenStore(cardsAwsClients(env).ddb, loadCardsConfig(env).apiTokenTable);
}

export function localCredentials(opts: LocalCredentialOptions): Credentials {
  const gateway = new GatewayState(loadGatewayKeys({ keyDir: join(opts.stateDir, 'gateway'), env: {} }), new URL('http://unused.invalid'));
  const apiKey = loadApiKeys().apiKeys.find((k) => k.enabled && k.usagePlanId === 'crm-standard')?.value;
  const fresh = once((email) => gateway.mintToken(email));
  // Expired a minute ago: the gateway refuses it as it refused the capture's.
  const expired = once((email) => gateway.mintToken(email, -60));
  const creds: Credentials = { bearer: (email, o) => (o?.expired ? expired(email) : fresh(email)), apiKey, webhookKeys: webhookSigningKeys(opts.env) };
  if (opts.awsEndpoint) {
    const store = apiTokenStore(opts.awsEndpoint);
    creds.apiToken = once(async (email) => (await store.create(email, Date.now(), 3600)).token);
  }
  return creds;
}
