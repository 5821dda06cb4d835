/**
 * Verifying the mobile pact against a deployed Gatehouse (PACT_PROVIDER_URL, the gateway's public URL). Nothing
 * can be seeded there, so data states assume the environment's test user (ada@example.com) already has what the
 * states name; the signed-in state uses PACT_JWT (a valid token for that user) and the cards states PACT_API_TOKEN.
 * The expired-token state keeps the pact's example token, which no real gateway accepts. The mail states need the
 * CRM's gateway key (PACT_API_KEY) and the domain's Mailgun webhook signing key (PACT_MAILGUN_SIGNING_KEY); without
 * both, the mail interactions fail with "this target does not serve the mail routes". The Customer.io webhook
 * states need the workspace's reporting-webhook signing key (PACT_CIO_WEBHOOK_SIGNING_KEY); note that the bounce and
 * subscription interactions suppress the test user at that workspace.
 */
import { FAKE_JWT } from '../consumer/matchers.ts';
import type { GatehouseTarget } from './gatehouse-proxy.ts';

export function deployedTarget(env: Record<string, string | undefined>): GatehouseTarget {
  const url = env.PACT_PROVIDER_URL;
  if (!url) throw new Error('set PACT_PROVIDER_URL to the deployed gateway URL, e.g. PACT_PROVIDER_URL=https://api.example.com npm run pact:verify');
  if (!env.PACT_JWT) throw new Error('set PACT_JWT to a valid JWT for ada@example.com on that deployment');
  return {
    gatewayUrl: url.replace(/\/+$/, ''),
    mintToken: async (_email, ttl) => (ttl !== undefined && ttl < 0 ? FAKE_JWT : env.PACT_JWT!),
    proxyEnv: { CIO_ALLOWED_BROADCAST_IDS: env.PACT_ALLOWED_BROADCAST_IDS ?? '7' },
    resetFakes: async () => {},
    recordActivity: async () => {},
    mail: env.PACT_API_KEY && env.PACT_MAILGUN_SIGNING_KEY ? { apiKey: env.PACT_API_KEY, webhookSigningKey: env.PACT_MAILGUN_SIGNING_KEY } : undefined,
    customerioWebhookKey: env.PACT_CIO_WEBHOOK_SIGNING_KEY,
  };
}
