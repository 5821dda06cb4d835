/**
 * The Customer.io proxy function: built once per cold start (secrets, config, clients), then served by the
 * Lambda handler exported here or by the Express server in the local stack. Same code, two runtimes.
 */
import { createApp, type App } from '../core/app.ts';
import { createHttpClient, type HttpClient } from '../core/http-client.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { systemClock, type Clock } from '../core/types.ts';
import { EnvReader } from '../core/config.ts';
import { createLambdaHandler } from '../adapters/lambda/handler.ts';
import { signatureMiddleware } from '../auth/signature-middleware.ts';
import { loadStandardSecrets } from '../secrets/index.ts';
import type { Secrets } from '../secrets/chain.ts';
import { customerioClient } from '../routes/customerio/client.ts';
import { CIO_SECRET_NAMES, loadCustomerioConfig } from '../routes/customerio/config.ts';
import { customerioRoutes } from '../routes/customerio/index.ts';

export interface BuildOptions {
  env?: Record<string, string | undefined>;
  http?: HttpClient;
  clock?: Clock;
  log?: Logger;
  /** Skip the chain (tests that hand in fixed secrets). */
  secrets?: Secrets;
}

export async function buildCustomerioApp(opts: BuildOptions = {}): Promise<App> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ name: 'customerio' });
  const http = opts.http ?? createHttpClient();
  const clock = opts.clock ?? systemClock;
  const secrets = opts.secrets ?? (await loadStandardSecrets(env, CIO_SECRET_NAMES, http, log));
  log.addSecretValues(secrets.values());
  const cfg = loadCustomerioConfig(env, secrets);
  const r = new EnvReader(env);
  const maxBodyBytes = r.int('MAX_BODY_BYTES', 1024 * 1024, 1024, 6 * 1024 * 1024);
  r.done();
  const auth = signatureMiddleware({ publicKeys: cfg.gatewayPublicKey, maxSkewSeconds: cfg.signatureMaxSkewSeconds });
  return createApp({
    routes: customerioRoutes(auth),
    maxBodyBytes,
    deps: {
      config: { stage: env.STAGE ?? 'local', maxBodyBytes, customerio: cfg },
      secrets, http, clock, log,
      services: { customerio: { cio: customerioClient(cfg, http), cfg } },
    },
  });
}

export const handler = createLambdaHandler(() => buildCustomerioApp());
