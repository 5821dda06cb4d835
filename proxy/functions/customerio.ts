/**
 * The Customer.io proxy function: built once per cold start (secrets, config, clients), then served by the
 * Lambda handler exported here or by the Express server in the local stack. Same code, two runtimes.
 */
import { createApp, type App } from '../core/app.ts';
import { createLambdaHandler } from '../adapters/lambda/handler.ts';
import { signatureMiddleware } from '../auth/signature-middleware.ts';
import { loadStandardSecrets } from '../secrets/index.ts';
import type { Secrets } from '../secrets/chain.ts';
import { gatewayKeySet } from '../secrets/gateway-keys.ts';
import { customerioClient, liveCustomerioKeys } from '../routes/customerio/client.ts';
import { cioSecretSpec, loadCustomerioConfig } from '../routes/customerio/config.ts';
import { customerioRoutes } from '../routes/customerio/index.ts';
import { withWebhookKeys } from '../routes/customerio/privacy-config.ts';
import { privacyServices } from '../routes/customerio/privacy-services.ts';
import { functionRuntime, type RuntimeOptions } from '../core/runtime.ts';

export interface BuildOptions extends RuntimeOptions {
  /** Skip the chain (tests that hand in fixed secrets). */
  secrets?: Secrets;
}

export async function buildCustomerioApp(opts: BuildOptions = {}): Promise<App> {
  const { env, log, http, clock, maxBodyBytes, stage, pii } = functionRuntime('customerio', opts);
  const secrets = opts.secrets ?? (await loadStandardSecrets(env, withWebhookKeys(cioSecretSpec(env)), http, log));
  log.addSecretValues(secrets.values());
  const cfg = loadCustomerioConfig(env, secrets);
  pii.useSalt(cfg.piiSalt);
  // The privacy routes live here because they need this function's Track credentials (suppress, delete) and the
  // Customer.io webhook signing key; the tables a "forget me" clears only need DynamoDB Scan and DeleteItem, a
  // narrower grant than handing the Customer.io keys to the cards or mail function.
  const privacy = privacyServices(env, secrets, http);
  const auth = signatureMiddleware({ publicKeys: gatewayKeySet(secrets, log), maxSkewSeconds: cfg.signatureMaxSkewSeconds });
  return createApp({
    routes: customerioRoutes(auth),
    maxBodyBytes,
    deps: {
      config: { stage, maxBodyBytes, customerio: cfg, privacy: privacy.cfg },
      secrets, http, clock, log,
      services: { customerio: { cio: customerioClient(cfg, http, liveCustomerioKeys(secrets, cfg)), cfg }, privacy },
    },
  });
}

export const handler = createLambdaHandler(() => buildCustomerioApp());
