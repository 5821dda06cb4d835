/**
 * What every Lambda function builds first at cold start, the same way: its environment, logger, outbound HTTP
 * client, clock and request-body limit. Tests and the local stack pass their own; Lambda uses the defaults.
 * Whatever client is passed in, the function gets it behind the PII sanitiser (pii-client.ts): no function, and
 * no route, can send a third party a body the sanitiser has not seen.
 */
import { EnvReader } from './config.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';
import { createLogger, type Logger } from './log.ts';
import { loadPiiConfig, PiiSanitiser } from './pii.ts';
import { withPiiSanitiser } from './pii-client.ts';
import { systemClock, type Clock } from './types.ts';

export interface RuntimeOptions {
  env?: Record<string, string | undefined>;
  http?: HttpClient;
  clock?: Clock;
  log?: Logger;
}

export interface FunctionRuntime {
  env: Record<string, string | undefined>;
  http: HttpClient;
  clock: Clock;
  log: Logger;
  maxBodyBytes: number;
  stage: string;
  /** The sanitiser behind `http`; a function that loads PII_SALT from the secret chain hands it over with `useSalt`. */
  pii: PiiSanitiser;
}

export function functionRuntime(name: string, opts: RuntimeOptions, defaultMaxBodyBytes = 1024 * 1024): FunctionRuntime {
  const env = opts.env ?? process.env;
  const r = new EnvReader(env);
  // API Gateway caps payloads at 10 MB and Lambda at 6 MB; a function's own limit sits below both.
  const maxBodyBytes = r.int('MAX_BODY_BYTES', defaultMaxBodyBytes, 1024, 6 * 1024 * 1024);
  r.done();
  const log = opts.log ?? createLogger({ name });
  const pii = new PiiSanitiser(loadPiiConfig(env), env.PII_SALT);
  return {
    env,
    http: withPiiSanitiser(opts.http ?? createHttpClient(), pii, log),
    clock: opts.clock ?? systemClock,
    log,
    pii,
    maxBodyBytes,
    stage: env.STAGE ?? 'local',
  };
}
