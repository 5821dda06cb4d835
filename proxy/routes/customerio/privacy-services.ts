/** The privacy routes' services, built once per cold start by the customerio function. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig } from '../../core/aws.ts';
import type { HttpClient } from '../../core/http-client.ts';
import { memoryReplayCache } from '../../auth/mailgun-webhook.ts';
import type { Secrets } from '../../secrets/chain.ts';
import type { PrivacyServices } from './deps.ts';
import { PersonalData } from './personal-data.ts';
import { loadPrivacyConfig, webhookKeysOf } from './privacy-config.ts';
import { WebhookEvents } from './webhook-events.ts';

export function privacyServices(env: Record<string, string | undefined>, secrets: Secrets, http: HttpClient): PrivacyServices {
  const cfg = loadPrivacyConfig(env, secrets);
  const ddb = DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig(env, http)), { marshallOptions: { removeUndefinedValues: true } });
  return {
    cfg,
    webhookKeys: () => webhookKeysOf(secrets),
    data: new PersonalData(ddb, cfg.tables),
    events: new WebhookEvents(ddb, cfg.tables.webhookEvents, cfg.webhookEventTtlDays),
    replays: memoryReplayCache(),
  };
}
