/**
 * The environment the stack's proxy functions are built with: where each fake listens and how to authenticate to
 * it. The developer's own variables win over every default here.
 */
import { join } from 'node:path';
import { awsTarget, mailDomainOf, vaultUrl, type CloudFrontInfo, type StackContext } from './services.ts';

/** The fake Vault's AppRole for the proxy (fixtures/vault/seed.json, role `gatehouse-proxy`). */
const LOCAL_APPROLE = { roleId: '6d0c7f3e-local-gatehouse-role-id', secretId: '5f1e2a9b-local-gatehouse-secret-id' };

export function proxyEnvironment(ctx: StackContext): Record<string, string | undefined> {
  const { env } = ctx;
  const urls = (name: keyof StackContext['reports'], listener: string = name) => ctx.reports[name]?.urls[listener] ?? '';
  const cloudfront = ctx.reports.cloudfront!.info as unknown as CloudFrontInfo;
  const aws = awsTarget(ctx);
  const mailDomain = mailDomainOf(ctx);
  // Against the fake, the proxy logs in with the least-privileged AppRole (as a deployed Lambda would); an external
  // dev Vault has no AppRole, so there (or when the developer sets one) a token is used.
  const vaultAuth = !ctx.reports.vault || env.VAULT_TOKEN
    ? { VAULT_TOKEN: env.VAULT_TOKEN ?? 'root' }
    : { VAULT_ROLE_ID: env.VAULT_ROLE_ID ?? LOCAL_APPROLE.roleId, VAULT_SECRET_ID: env.VAULT_SECRET_ID ?? LOCAL_APPROLE.secretId };
  return {
    STAGE: 'local',
    ...env,
    VAULT_ADDR: vaultUrl(ctx),
    ...vaultAuth,
    VAULT_SECRET_PATH: env.VAULT_SECRET_PATH ?? 'gatehouse/customerio',
    // The stack never reads a Lambda-extension secrets file from the developer's /tmp.
    VAULT_SECRET_FILE: env.VAULT_SECRET_FILE ?? join(ctx.stateDir, 'no-secrets-file.json'),
    CIO_TRACK_API_BASE_URL: env.CIO_TRACK_API_BASE_URL ?? `${urls('customerio')}/api/v1/`,
    CIO_APP_API_BASE_URL: env.CIO_APP_API_BASE_URL ?? `${urls('customerio')}/v1/`,
    CIO_ALLOWED_BROADCAST_IDS: env.CIO_ALLOWED_BROADCAST_IDS ?? '7',
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: aws.region,
    AWS_ACCESS_KEY_ID: aws.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: aws.credentials.secretAccessKey,
    MAILGUN_API_BASE_URL: env.MAILGUN_API_BASE_URL ?? urls('mailgun'),
    MAILGUN_DOMAIN: mailDomain,
    // The fake shows a message's events as soon as it takes it, so an unknown send settles once the slowest
    // injected answer could have landed (not Mailgun's half hour).
    MAIL_OUTCOME_SETTLE_SECONDS: env.MAIL_OUTCOME_SETTLE_SECONDS ?? '30',
    CLOUDFRONT_BASE_URL: env.CLOUDFRONT_BASE_URL ?? urls('cloudfront'),
    REPORTS_BUCKET: env.REPORTS_BUCKET ?? cloudfront.bucket,
    EXTEND_API_BASE_URL: env.EXTEND_API_BASE_URL ?? urls('extend'),
    ...ctx.packagesEnv,
  };
}
