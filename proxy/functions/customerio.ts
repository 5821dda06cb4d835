/**
 * The Customer.io proxy function: built once per cold start (secrets, config, clients), then served by the
 * Lambda handler exported here or by the Express server in the local stack. Same code, two runtimes.
 */
import { createApp, type App } from '../core/app.ts';
import { createLambdaHandler } from '../adapters/lambda/handler.ts';
import { signatureMiddleware } from '../auth/signature-middleware.ts';
import { loadStandardSecrets } from '../secrets/index.ts';
import type { Secrets } from '../secrets/chain.ts';
import { customerioClient } from '../routes/customerio/client.ts';
import { CIO_SECRET_NAMES, loadCustomerioConfig } from '../routes/customerio/config.ts';
import { customerioRoutes } from '../routes/customerio/index.ts';
import { functionRuntime, type RuntimeOptions } from '../core/runtime.ts';

export interface BuildOptions extends RuntimeOptions {
  /** Skip the chain (tests that hand in fixed secrets). */
  secrets?: Secrets;
}

export async function buildCustomerioApp(opts: BuildOptions = {}): Promise<App> {
  const { env, log, http, clock, maxBodyBytes, stage, pii } = functionRuntime('customerio', opts);
  const secrets = opts.secrets ?? (await loadStandardSecrets(env, CIO_SECRET_NAMES, http, log));
  log.addSecretValues(secrets.values());
  const cfg = loadCustomerioConfig(env, secrets);
  pii.useSalt(cfg.piiSalt);
  const auth = signatureMiddleware({ publicKeys: cfg.gatewayPublicKey, maxSkewSeconds: cfg.signatureMaxSkewSeconds });
  return createApp({
    routes: customerioRoutes(auth),
    maxBodyBytes,
    deps: {
      config: { stage, maxBodyBytes, customerio: cfg },
      secrets, http, clock, log,
      services: { customerio: { cio: customerioClient(cfg, http), cfg } },
    },
  });
}

export const handler = createLambdaHandler(() => buildCustomerioApp());
