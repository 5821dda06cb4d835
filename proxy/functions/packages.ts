/**
 * The packages function (seed 003): built once per cold start (config, AWS clients, the CloudFront key from SSM,
 * the database connection started in the background), then served by the Lambda handler exported here or by the
 * Express server in the local stack. In Lambda the database is `pg` against DATABASE_URL (RDS Proxy); PGlite is
 * only ever loaded on the local path and is not part of the bundle.
 */
import { createApp, type App } from '../core/app.ts';
import { createHttpClient, type HttpClient } from '../core/http-client.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { systemClock, type Clock } from '../core/types.ts';
import { ConfigError, EnvReader } from '../core/config.ts';
import { ProxyError } from '../core/errors.ts';
import { gatewayKeyProblems, gatewayKeySet } from '../secrets/gateway-keys.ts';
import { loadStandardSecrets } from '../secrets/index.ts';
import { createLambdaHandler } from '../adapters/lambda/handler.ts';
import { signatureMiddleware } from '../auth/signature-middleware.ts';
import { openDatabase, type Db } from '../db/index.ts';
import { loadCloudFrontPrivateKey, packagesAwsClients, type PackagesAws } from '../routes/packages/aws.ts';
import { loadPackagesConfig } from '../routes/packages/config.ts';
import type { PackagesServices } from '../routes/packages/deps.ts';
import { packagesRoutes } from '../routes/packages/index.ts';
import { relayDeps } from '../routes/packages/restore.ts';
import { relayRestores, type RelayReport } from '../routes/packages/restore-relay.ts';

export interface BuildPackagesOptions {
  env?: Record<string, string | undefined>;
  http?: HttpClient;
  clock?: Clock;
  log?: Logger;
  aws?: PackagesAws;
  /** Open the database some other way (the local stack shares one PGlite between the app and the worker). */
  openDb?: () => Promise<Db>;
  /** Queue the restore outbox's leftovers at cold start (default true). */
  relayAtStart?: boolean;
}

export async function buildPackagesApp(opts: BuildPackagesOptions = {}): Promise<App> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ name: 'packages' });
  const http = opts.http ?? createHttpClient();
  const clock = opts.clock ?? systemClock;
  const cfg = loadPackagesConfig(env);
  const r = new EnvReader(env);
  const maxBodyBytes = r.int('MAX_BODY_BYTES', 64 * 1024, 1024, 6 * 1024 * 1024);
  r.done();
  // The gateway's key set is the only secret from the chain (the CloudFront key comes from SSM below).
  const secrets = await loadStandardSecrets(env, { required: [], gatewayKeys: true }, http, log);
  const keyProblems = gatewayKeyProblems(secrets);
  if (keyProblems.length) throw new ConfigError(keyProblems);
  const aws = opts.aws ?? packagesAwsClients(env, http);
  const cloudfrontPrivateKey = await loadCloudFrontPrivateKey(aws.ssm, cfg.cloudfrontPrivateKeySsmParam);
  log.addSecretValues([cloudfrontPrivateKey]);
  const services: PackagesServices = { cfg, db: lazyDb(opts.openDb ?? (() => openDatabase({ url: cfg.databaseUrl, dataDir: cfg.pgliteDir })), log), s3: aws.s3, sqs: aws.sqs, cloudfrontPrivateKey };
  // Cold start: queue what an earlier container committed and did not queue (or whose lease ran out). Not
  // awaited: the first request need not wait, and a failure is retried by the next restore or the schedule.
  if (opts.relayAtStart !== false) {
    services.db().then((db) => relayRestores(relayDeps(services, db, log))).catch((e: unknown) => log.warn('restore relay at cold start failed', { error: e as Error }));
  }
  const auth = signatureMiddleware({ publicKeys: gatewayKeySet(secrets, log), maxSkewSeconds: cfg.signatureMaxSkewSeconds });
  return createApp({
    routes: packagesRoutes(auth),
    maxBodyBytes,
    deps: {
      config: { stage: env.STAGE ?? 'local', maxBodyBytes, packages: cfg },
      secrets,
      http, clock, log,
      services: { packages: services },
    },
  });
}

/**
 * Opened at once but not awaited, so the port serves while the database starts; routes wait for it. A failed
 * opening answers 503 and is retried by the next request rather than cached.
 */
function lazyDb(open: () => Promise<Db>, log: Logger): () => Promise<Db> {
  let current = open();
  current.catch(() => {});
  return () => current.catch((e: unknown) => {
    log.error('database unavailable', { error: e as Error });
    current = open();
    current.catch(() => {});
    throw new ProxyError(503, 'database_unavailable', 'the database is not reachable; retry shortly', undefined, { 'retry-after': '1' });
  });
}

export const handler = createLambdaHandler(() => buildPackagesApp());

/**
 * The restore reconciler, for a schedule (an EventBridge rule, e.g. rate(5 minutes), invoking this export of the
 * same bundle): queues pending and lease-expired jobs and adopts packages left RESTORING with no job at all, so a
 * lost restore is recovered even when no one restores or cold-starts anything.
 */
export async function reconcileRestores(opts: BuildPackagesOptions = {}): Promise<RelayReport> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? createLogger({ name: 'packages-reconcile' });
  const cfg = loadPackagesConfig(env);
  const aws = opts.aws ?? packagesAwsClients(env, opts.http);
  const db = await (opts.openDb ?? (() => openDatabase({ url: cfg.databaseUrl, dataDir: cfg.pgliteDir })))();
  const report = await relayRestores({ db, sqs: aws.sqs, queueUrl: cfg.restoreQueueUrl, leaseSeconds: cfg.restoreLeaseSeconds, log }, { adoptOrphans: true });
  log.info('restore reconcile', { ...report });
  return report;
}

let reconcileDb: Promise<Db> | undefined;
export const reconcile = async (): Promise<RelayReport> => {
  const cfg = loadPackagesConfig(process.env);
  // One connection per container, kept between scheduled runs as the app keeps its own.
  reconcileDb ??= openDatabase({ url: cfg.databaseUrl, dataDir: cfg.pgliteDir }).catch((e) => { reconcileDb = undefined; throw e; });
  return reconcileRestores({ openDb: () => reconcileDb! });
};
