/**
 * The cards function (seed 004): built once per cold start (config, AWS clients, the Extend session cache), then
 * served by the Lambda handler exported here or by the Express server in the local stack. Callers are identified
 * by the `token` header, not the gateway's HTTP signature.
 */
import { createApp, type App } from '../core/app.ts';
import { staticSecrets } from '../secrets/chain.ts';
import { createLambdaHandler } from '../adapters/lambda/handler.ts';
import { ApiTokenStore } from '../routes/cards/api-tokens.ts';
import { cardsAwsClients, type CardsAws } from '../routes/cards/aws.ts';
import { ExtendClient } from '../routes/cards/client.ts';
import { loadCardsConfig } from '../routes/cards/config.ts';
import { ExtendApi } from '../routes/cards/extend-api.ts';
import { cardsRoutes } from '../routes/cards/index.ts';
import { ExtendSession } from '../routes/cards/session.ts';
import { functionRuntime, type RuntimeOptions } from '../core/runtime.ts';

export interface BuildCardsOptions extends RuntimeOptions {
  /** AWS clients to use instead of ones built from the environment. */
  aws?: CardsAws;
}

export async function buildCardsApp(opts: BuildCardsOptions = {}): Promise<App> {
  const { env, log, http, clock, maxBodyBytes, stage } = functionRuntime('cards', opts);
  const cfg = loadCardsConfig(env);
  const aws = opts.aws ?? cardsAwsClients(env, http);
  const api = new ExtendApi(cfg, http);
  const session = new ExtendSession({ cfg, api, ssm: aws.ssm, ddb: aws.ddb, clock, log });
  return createApp({
    routes: cardsRoutes(),
    maxBodyBytes,
    deps: {
      config: { stage, maxBodyBytes, cards: cfg },
      // Extend passwords come per user from SSM at sign-in, not from the start-up secret chain.
      secrets: staticSecrets({}),
      http, clock, log,
      services: { cards: { cfg, extend: new ExtendClient(api, session), tokens: new ApiTokenStore(aws.ddb, cfg.apiTokenTable) } },
    },
  });
}

export const handler = createLambdaHandler(() => buildCardsApp());
