/**
 * The cross-service wiring the supervisor does at first start and redoes after a restart (services.ts names which
 * service needs which). Runs in the supervisor's process, which it keeps light: the AWS SDK seeds from the AWS
 * edge's own process.
 */
import type { StackSecretSources } from './seed-secrets.ts';
import { packagesEnv } from './packages-env.ts';
import { stackCorsOrigins } from './cors-origins.ts';
import { proxyEnvironment } from './proxy-env.ts';
import { awsTarget, mailDomainOf, vaultUrl, type CloudFrontInfo, type MailgunInfo, type StackContext } from './services.ts';

/** The AWS fixtures (aws-seed.ts): seeded by the embedded edge's own process, or from here into an external AWS. */
export async function seedAwsForStack(ctx: StackContext): Promise<void> {
  const target = { ...awsTarget(ctx), corsOrigins: stackCorsOrigins(ctx) };
  const { queueUrl } = ctx.reports.aws
    ? (await ctx.call('aws', 'seed', target)) as { queueUrl: string }
    : await (await import('./aws-seed.ts')).seedStackAws(target);
  ctx.restoreQueueUrl = queueUrl;
}

/** The CloudFront edge's private key in SSM (packages) and Secrets Manager (mail), the same two ways. */
export async function storeCloudFrontKeyForStack(ctx: StackContext): Promise<void> {
  const cloudfront = ctx.reports.cloudfront!.info as unknown as CloudFrontInfo;
  const args = { target: awsTarget(ctx), key: { keyPairId: cloudfront.keyPairId, privateKeyPem: cloudfront.privateKeyPem } };
  if (ctx.reports.aws) await ctx.call('aws', 'cloudfrontKey', args);
  else await (await import('./aws-seed.ts')).storeCloudFrontKey(args);
}

/**
 * The stack's secrets in both stores (seed-secrets.ts), written by the AWS edge's process (it has the SDK) or from
 * here into an external AWS; an external Vault first gets the fixture's secrets it lacks.
 */
export async function storeStackSecrets(ctx: StackContext): Promise<void> {
  const vaultToken = ctx.reports.vault ? 'root' : ctx.env.VAULT_TOKEN ?? 'root';
  if (!ctx.reports.vault) await (await import('./seed-vault.ts')).seedVault(vaultUrl(ctx), vaultToken);
  const mailgun = ctx.reports.mailgun!.info as unknown as MailgunInfo;
  const domain = mailDomainOf(ctx);
  const sources: StackSecretSources = {
    gatewayUrl: ctx.reports.gateway!.urls.gateway,
    vault: { url: vaultUrl(ctx), token: vaultToken },
    aws: awsTarget(ctx),
    // The fake Mailgun's keys (fixtures/mailgun/seed.json) reach the mail function through the store.
    mail: { MAILGUN_API_KEY: mailgun.apiKey, MAILGUN_WEBHOOK_SIGNING_KEY: mailgun.domains.find((d) => d.name === domain)?.webhookSigningKey ?? '' },
  };
  if (ctx.reports.aws) await ctx.call('aws', 'secrets', sources);
  else await (await import('./seed-secrets.ts')).seedStackSecrets(sources);
}

export async function registerMailgunWebhooks(ctx: StackContext): Promise<void> {
  const url = `${ctx.reports.gateway!.urls.gateway}/webhooks/mailgun`;
  await ctx.call('mailgun', 'webhooks', { domain: mailDomainOf(ctx), url, ids: ['delivered', 'permanent_fail', 'temporary_fail'] });
}

/** Customer.io's reporting webhooks to the gateway's `/webhooks/customerio` (customerio-webhooks.ts). */
export async function registerCustomerioWebhooks(ctx: StackContext): Promise<void> {
  await ctx.call('customerio', 'webhooks', { gatewayUrl: ctx.reports.gateway!.urls.gateway });
}

/** The proxy's apps, built with the environment of the stack as it is now. */
export async function buildProxy(ctx: StackContext): Promise<void> {
  const cloudfront = ctx.reports.cloudfront!.info as unknown as CloudFrontInfo;
  const defaults = packagesEnv({ awsUrl: awsTarget(ctx).endpoint, queueUrl: ctx.restoreQueueUrl!, cloudfrontDomain: cloudfront.domainName, cloudfrontKeyId: cloudfront.keyPairId });
  ctx.packagesEnv = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, ctx.env[k] ?? v]));
  // The configured origins and the console's: the S3 proxy and the reports routes (the mail function) read the list.
  ctx.packagesEnv.PROXY_CORS_ALLOWED_ORIGINS = stackCorsOrigins(ctx).join(',');
  ctx.proxyEnv = proxyEnvironment(ctx);
  const built = (await ctx.call('proxy', 'build', { env: ctx.proxyEnv })) as { routes: number };
  ctx.reports.proxy!.info = { routes: built.routes };
}
