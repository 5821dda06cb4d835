/**
 * What every Lambda function builds first at cold start, the same way: its environment, logger, outbound HTTP
 * client, clock and request-body limit. Tests and the local stack pass their own; Lambda uses the defaults.
 */
import { EnvReader } from './config.ts';
import { createHttpClient, type HttpClient } from './http-client.ts';
import { createLogger, type Logger } from './log.ts';
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
}

export function functionRuntime(name: string, opts: RuntimeOptions, defaultMaxBodyBytes = 1024 * 1024): FunctionRuntime {
  const env = opts.env ?? process.env;
  const r = new EnvReader(env);
  // API Gateway caps payloads at 10 MB and Lambda at 6 MB; a function's own limit sits below both.
  const maxBodyBytes = r.int('MAX_BODY_BYTES', defaultMaxBodyBytes, 1024, 6 * 1024 * 1024);
  r.done();
  return {
    env,
    http: opts.http ?? createHttpClient(),
    clock: opts.clock ?? systemClock,
    log: opts.log ?? createLogger({ name }),
    maxBodyBytes,
    stage: env.STAGE ?? 'local',
  };
}
