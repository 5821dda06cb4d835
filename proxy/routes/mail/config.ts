/**
 * Mail configuration (seed 002). Mailgun's API key and webhook signing key are secrets from the secret chain;
 * the CloudFront signing key is not configured here at all: it is read from Secrets Manager at cold start.
 */
import { EnvReader } from '../../core/config.ts';
import type { Secrets } from '../../secrets/chain.ts';
import { gatewayKeyProblems } from '../../secrets/gateway-keys.ts';
import type { SecretSpec } from '../../secrets/index.ts';

/** The webhook signing keys: the current one, and its predecessor while a rotation overlaps (rotate:mailgun-webhook-key). */
export const MAILGUN_WEBHOOK_KEY_NAMES = ['MAILGUN_WEBHOOK_SIGNING_KEY', 'MAILGUN_WEBHOOK_SIGNING_KEY_PREVIOUS'] as const;

/** The keys a webhook may verify under now; read per request, so a rotation needs no cold start. */
export const mailgunWebhookKeysOf = (secrets: Pick<Secrets, 'get'>): string[] =>
  MAILGUN_WEBHOOK_KEY_NAMES.map((n) => secrets.get(n)).filter((k): k is string => Boolean(k));

/** Where the mail function's secrets live in each store. */
export const mailSecretSpec = (env: Record<string, string | undefined>): SecretSpec => ({
  required: ['MAILGUN_API_KEY', 'MAILGUN_WEBHOOK_SIGNING_KEY', 'PII_SALT'],
  optional: ['MAILGUN_WEBHOOK_SIGNING_KEY_PREVIOUS', 'MAILGUN_WEBHOOK_SIGNING_KEY_ROTATING_UNTIL'],
  vaultPath: env.MAIL_VAULT_SECRET_PATH || 'gatehouse/mail',
  secretsManager: { id: env.MAIL_SECRET_ID || 'gatehouse-mail-credentials' },
  gatewayKeys: true,
});

export interface MailConfig {
  mailgunBaseUrl: string;
  mailgunDomain: string;
  mailgunApiKey: string;
  webhookSigningKey: string;
  /** Salt of `<field>_hash` values (proxy/core/pii.ts). */
  piiSalt: string;
  signatureMaxSkewSeconds: number;
  /** Oldest webhook timestamp accepted, in seconds. */
  webhookMaxAgeSeconds: number;
  /** During an announced rotation, how long a webhook no key verifies waits for the store to bring the new key (proxy/auth/key-recheck.ts). */
  webhookKeyRecheckMs: number;
  reportsBucket: string;
  /** Every report key starts with this (no leading slash, ends with "/"). */
  reportsPrefix: string;
  /** Browser origins that may call the reports routes (PROXY_CORS_ALLOWED_ORIGINS, as the S3 proxy's). */
  corsAllowedOrigins: string[];
  /** Scheme and host the signed links point at (the CloudFront distribution). */
  cloudfrontBaseUrl: string;
  /** Secrets Manager secret holding `{"keyPairId": …, "privateKey": PEM}`. */
  cloudfrontKeySecretId: string;
  linkTtlDays: number;
  deliveriesTable: string;
  /** DynamoDB table of /send-mail idempotency records (key `key`, TTL `expiresAt`). */
  idempotencyTable: string;
  /**
   * How long after an attempt with an unknown outcome Mailgun may still accept it and show it in its events; only
   * after this is "no such event" taken as "not sent". Mailgun's guidance for event polling: half an hour.
   */
  outcomeSettleSeconds: number;
  /** How long a key derived from the request (no Idempotency-Key sent) makes an identical send a retry. */
  derivedKeyWindowSeconds: number;
  /** Recipients per Mailgun batch call (Mailgun's limit is 1,000). */
  batchSize: number;
  upstreamTimeoutMs: number;
  breakerFailureThreshold: number;
  breakerCoolDownMs: number;
}

export function loadMailConfig(env: Record<string, string | undefined>, secrets: Secrets): MailConfig {
  const r = new EnvReader(env);
  const secret = (name: string, why: string) => {
    const v = secrets.get(name);
    if (!v) r.problems.push(`${name} is required (${why}); set it in the environment, the secret store (SECRET_STORE) or the secrets file`);
    return v ?? '';
  };
  const prefix = r.optional('REPORTS_PREFIX', 'reports/')!.replace(/^\/+/, '');
  const cfg: MailConfig = {
    // Mailgun's US API base (documentation.mailgun.com "Base URL"); the EU one is https://api.eu.mailgun.net.
    mailgunBaseUrl: r.url('MAILGUN_API_BASE_URL', 'https://api.mailgun.net')!.replace(/\/+$/, ''),
    mailgunDomain: r.required('MAILGUN_DOMAIN', 'the sending domain'),
    mailgunApiKey: secret('MAILGUN_API_KEY', 'Mailgun Basic auth api:<key>'),
    webhookSigningKey: secret('MAILGUN_WEBHOOK_SIGNING_KEY', 'verifies Mailgun webhooks'),
    piiSalt: secret('PII_SALT', 'salt of hashed personal data such as phone_hash'),
    signatureMaxSkewSeconds: r.int('SIGNATURE_MAX_SKEW_SECONDS', 300, 1, 3600),
    webhookMaxAgeSeconds: r.int('MAILGUN_WEBHOOK_MAX_AGE_SECONDS', 300, 1, 86_400),
    webhookKeyRecheckMs: r.int('WEBHOOK_KEY_RECHECK_MS', 3000, 0, 30_000),
    reportsBucket: r.optional('REPORTS_BUCKET', 'gatehouse-package-assets')!,
    reportsPrefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    corsAllowedOrigins: r.list('PROXY_CORS_ALLOWED_ORIGINS'),
    cloudfrontBaseUrl: r.url('CLOUDFRONT_BASE_URL', 'https://d111111abcdef8.cloudfront.net')!.replace(/\/+$/, ''),
    cloudfrontKeySecretId: r.optional('CLOUDFRONT_KEY_SECRET_ID', 'cloudfront-private-key')!,
    linkTtlDays: r.int('REPORT_LINK_TTL_DAYS', 25, 1, 365),
    deliveriesTable: r.optional('MAIL_DELIVERIES_TABLE', 'gatehouse-mail-deliveries')!,
    idempotencyTable: r.optional('MAIL_IDEMPOTENCY_TABLE', 'gatehouse-mail-idempotency')!,
    // documentation.mailgun.com "Event Polling": pages are trustworthy once older than a threshold, "e.g. half an hour".
    outcomeSettleSeconds: r.int('MAIL_OUTCOME_SETTLE_SECONDS', 1800, 1, 86_400),
    derivedKeyWindowSeconds: r.int('MAIL_DERIVED_KEY_WINDOW_SECONDS', 3600, 60, 86_400),
    batchSize: r.int('MAILGUN_BATCH_SIZE', 1000, 1, 1000),
    upstreamTimeoutMs: r.int('UPSTREAM_TIMEOUT_MS', 10_000, 100, 60_000),
    breakerFailureThreshold: r.int('MAILGUN_BREAKER_THRESHOLD', 5, 1, 100),
    breakerCoolDownMs: r.int('MAILGUN_BREAKER_COOLDOWN_MS', 30_000, 100, 3_600_000),
  };
  r.problems.push(...gatewayKeyProblems(secrets));
  r.done();
  return cfg;
}
