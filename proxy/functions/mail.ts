/**
 * The mail function (seed 002's DN_Send_Mail): `/send-mail`, Mailgun webhooks and report browsing. Built once
 * per cold start: secrets from the chain, the CloudFront signing key from Secrets Manager, AWS clients, and one
 * circuit breaker for Mailgun that lives as long as the container.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createApp, type App } from '../core/app.ts';
import { awsClientConfig } from '../core/aws.ts';
import { CircuitBreaker } from '../core/breaker.ts';
import type { RetryPolicy } from '../core/retry.ts';
import { createLambdaHandler } from '../adapters/lambda/handler.ts';
import { signatureMiddleware } from '../auth/signature-middleware.ts';
import { memoryReplayCache } from '../auth/mailgun-webhook.ts';
import { loadStandardSecrets } from '../secrets/index.ts';
import type { Secrets } from '../secrets/chain.ts';
import { gatewayKeySet } from '../secrets/gateway-keys.ts';
import { loadMailConfig, mailSecretSpec } from '../routes/mail/config.ts';
import { mailRoutes } from '../routes/mail/index.ts';
import { createLinkSigner, loadCloudFrontKey } from '../routes/mail/links.ts';
import { mailgunSender } from '../routes/mail/mailgun.ts';
import { dynamoDeliveries } from '../routes/mail/deliveries.ts';
import { dynamoSendRecords } from '../routes/mail/send-records.ts';
import type { MailServices } from '../routes/mail/deps.ts';
import { reportRoutes } from '../routes/reports/index.ts';
import { s3ReportStore } from '../routes/reports/store.ts';
import { functionRuntime, type RuntimeOptions } from '../core/runtime.ts';

export interface BuildOptions extends RuntimeOptions {
  secrets?: Secrets;
  retry?: RetryPolicy;
}

export async function buildMailApp(opts: BuildOptions = {}): Promise<App> {
  const { env, log, http, clock, maxBodyBytes, stage, pii } = functionRuntime('mail', opts);
  const secrets = opts.secrets ?? (await loadStandardSecrets(env, mailSecretSpec(env), http, log));
  log.addSecretValues(secrets.values());
  const cfg = loadMailConfig(env, secrets);
  pii.useSalt(cfg.piiSalt);

  const aws = awsClientConfig(env, http);
  const sm = new SecretsManagerClient(aws);
  const key = await loadCloudFrontKey(sm, cfg.cloudfrontKeySecretId).finally(() => sm.destroy());
  log.addSecretValues([key.privateKey]);
  log.info('cloudfront signing key loaded', { keyPairId: key.keyPairId, secretVersion: key.versionId });
  const s3 = new S3Client({ ...aws, forcePathStyle: true });
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(aws), { marshallOptions: { removeUndefinedValues: true } });
  const breaker = new CircuitBreaker({ name: 'Mailgun', failureThreshold: cfg.breakerFailureThreshold, coolDownMs: cfg.breakerCoolDownMs, clock });
  const services: MailServices = {
    cfg,
    mailgun: mailgunSender({ cfg, http, clock, breaker, log, retry: opts.retry }),
    links: createLinkSigner(key, cfg.cloudfrontBaseUrl, cfg.linkTtlDays, clock),
    deliveries: dynamoDeliveries(doc, cfg.deliveriesTable),
    records: dynamoSendRecords(doc, cfg.idempotencyTable, () => clock.now()),
    reports: s3ReportStore(s3, cfg.reportsBucket),
    replays: memoryReplayCache(),
  };
  const auth = signatureMiddleware({ publicKeys: gatewayKeySet(secrets, log), maxSkewSeconds: cfg.signatureMaxSkewSeconds });
  return createApp({
    routes: [...mailRoutes(auth), ...reportRoutes(auth)],
    maxBodyBytes,
    deps: { config: { stage, maxBodyBytes, mail: cfg }, secrets, http, clock, log, services: { mail: services } },
  });
}

export const handler = createLambdaHandler(() => buildMailApp());
