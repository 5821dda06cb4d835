/**
 * Configuration of the customerio function's privacy routes (seed 001): the Customer.io reporting-webhook signing
 * keys (secrets, in the function's own secret beside the Customer.io keys; a set, so a rotated key and its
 * predecessor both verify during the overlap) and the DynamoDB tables a "forget me" clears. Table names are the
 * ones the cards and mail functions use (same variables, same defaults).
 */
import { EnvReader } from '../../core/config.ts';
import type { Secrets } from '../../secrets/chain.ts';
import type { SecretSpec } from '../../secrets/index.ts';

export const WEBHOOK_KEY_NAMES = ['CIO_WEBHOOK_SIGNING_KEY', 'CIO_WEBHOOK_SIGNING_KEY_PREVIOUS'] as const;

/** The function's secret spec with the webhook keys: the current one required, the previous one while it overlaps. */
export const withWebhookKeys = (spec: SecretSpec): SecretSpec => ({
  ...spec,
  required: [...spec.required, WEBHOOK_KEY_NAMES[0]],
  optional: [...(spec.optional ?? []), WEBHOOK_KEY_NAMES[1], `${WEBHOOK_KEY_NAMES[0]}_ROTATING_UNTIL`],
});

/** The keys a webhook may verify under now (current first); read per request so a rotation needs no cold start. */
export const webhookKeysOf = (secrets: Pick<Secrets, 'get'>): string[] => WEBHOOK_KEY_NAMES.map((n) => secrets.get(n)).filter((k): k is string => Boolean(k));

export interface PrivacyConfig {
  /** Oldest X-CIO-Timestamp accepted, in seconds (also how long signatures are remembered against replays). */
  webhookMaxAgeSeconds: number;
  /** During an announced key rotation, how long a webhook no key verifies waits for the new key (proxy/auth/key-recheck.ts). */
  webhookKeyRecheckMs: number;
  /** How long a stored webhook event is kept (DynamoDB TTL), in days. */
  webhookEventTtlDays: number;
  tables: { extendTokens: string; apiTokens: string; mailDeliveries: string; webhookEvents: string };
}

export function loadPrivacyConfig(env: Record<string, string | undefined>, secrets: Secrets): PrivacyConfig {
  const r = new EnvReader(env);
  if (!secrets.get(WEBHOOK_KEY_NAMES[0])) r.problems.push(`${WEBHOOK_KEY_NAMES[0]} is required (verifies Customer.io reporting webhooks); set it in the environment, the secret store (SECRET_STORE) or the secrets file`);
  const table = (name: string, fallback: string) => {
    const v = r.optional(name, fallback)!;
    // DynamoDB table names: 3-255 of a-z A-Z 0-9 _ . - (CreateTable API reference, TableName).
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(v)) r.problems.push(`${name} must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -), got "${v}"`);
    return v;
  };
  const cfg: PrivacyConfig = {
    webhookMaxAgeSeconds: r.int('CIO_WEBHOOK_MAX_AGE_SECONDS', 300, 1, 86_400),
    webhookKeyRecheckMs: r.int('WEBHOOK_KEY_RECHECK_MS', 3000, 0, 30_000),
    webhookEventTtlDays: r.int('CIO_WEBHOOK_EVENT_TTL_DAYS', 90, 1, 3650),
    tables: {
      extendTokens: table('EXTEND_TOKEN_TABLE', 'gatehouse-extend-tokens'),
      apiTokens: table('API_TOKEN_TABLE', 'gatehouse-api-tokens'),
      mailDeliveries: table('MAIL_DELIVERIES_TABLE', 'gatehouse-mail-deliveries'),
      webhookEvents: table('CIO_WEBHOOK_EVENTS_TABLE', 'gatehouse-customerio-webhook-events'),
    },
  };
  r.done();
  return cfg;
}
