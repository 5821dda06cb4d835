/**
 * The packages service inside the local stack (issue 8): prepares AWS (bucket, queue, CloudFront key in SSM),
 * opens the database in the background (PGlite under the state folder, or DATABASE_URL), and once the proxy's
 * environment is known builds the packages app and runs the restore worker from the queue through the local
 * SQS event-source mapping — as the Lambda service and worker functions run in AWS.
 */
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { App } from '../../proxy/core/app.ts';
import type { HttpClient } from '../../proxy/core/http-client.ts';
import type { Logger } from '../../proxy/core/log.ts';
import type { Db } from '../../proxy/db/index.ts';
import { buildPackagesApp } from '../../proxy/functions/packages.ts';
import { buildRestoreWorker } from '../../proxy/functions/restore-worker.ts';
import { startSqsMapping, type SqsMapping } from '../sqs-mapping/index.ts';
import { openPackagesDatabase, packagesEnv, preparePackagesAws, putCloudFrontKey, type AwsTargetConfig } from './packages.ts';

export interface PackagesStackOptions {
  env: Record<string, string | undefined>;
  stateDir: string;
  aws: AwsTargetConfig;
  cloudfront: { keyPairId: string; privateKeyPem(): string; distribution: { domainName: string } };
  log: Logger;
}

export interface PackagesStack {
  /** Variables the packages functions need (the developer's own values win). */
  env: Record<string, string>;
  /** Build the app with the proxy's environment and start the restore worker's mapping. */
  start(proxyEnv: Record<string, string | undefined>, http?: HttpClient): Promise<App>;
  /**
   * Opens the database on first call: when a packages route or the restore worker first needs it, or right after
   * start-up for `npm start` (so the first packages request finds it ready); the routes wait for it on their own.
   */
  database(): Promise<Db>;
  mapping(): SqsMapping | undefined;
  close(): Promise<void>;
}

export async function preparePackages(o: PackagesStackOptions): Promise<PackagesStack> {
  const { env, log } = o;
  const setup = await preparePackagesAws(o.aws);
  await putCloudFrontKey(o.aws, o.cloudfront.privateKeyPem());
  // Never awaited here: the stack's ports open now; the first start pays PGlite's initdb in the background.
  let opening: Promise<Db> | undefined;
  const database = () => (opening ??= openPackagesDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DIR ?? join(o.stateDir, 'pglite') })
    .catch((e: unknown) => {
      log.error('packages database failed to open', { error: e as Error });
      opening = undefined;
      throw e;
    }));
  const defaults = packagesEnv({ awsUrl: o.aws.endpoint, queueUrl: setup.queueUrl, cloudfrontDomain: o.cloudfront.distribution.domainName, cloudfrontKeyId: o.cloudfront.keyPairId });
  const merged = Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, env[k] ?? v]));
  let mapping: SqsMapping | undefined;
  let closed = false;
  const sqs = new SQSClient({ endpoint: o.aws.endpoint, region: o.aws.region, credentials: o.aws.credentials });

  async function startWorker(proxyEnv: Record<string, string | undefined>, http?: HttpClient): Promise<void> {
    // The worker (and so the database) is built on the first batch, as a Lambda's init runs on its first event.
    let worker: ReturnType<typeof buildRestoreWorker> | undefined;
    const handler: Parameters<typeof startSqsMapping>[0]['handler'] = async (event) => (await (worker ??= buildRestoreWorker({ env: proxyEnv, log, http, openDb: database })))(event);
    if (closed) return;
    mapping = await startSqsMapping({
      sqs, queueUrl: merged.RESTORE_PACKAGE_QUEUE_URL, handler, batchSize: 10, maximumBatchingWindowMs: 200, region: o.aws.region,
      onError: (e) => log.warn('restore worker mapping error', { error: e as Error }),
    });
  }

  return {
    env: merged,
    database,
    mapping: () => mapping,
    async start(proxyEnv, http) {
      const app = await buildPackagesApp({ env: proxyEnv, log, http, openDb: database });
      // The worker shares the record-mode client too, so its S3 calls land in the upstream fixtures with the rest.
      await startWorker(proxyEnv, http);
      return app;
    },
    async close() {
      closed = true;
      await mapping?.stop();
      sqs.destroy();
      await opening?.then((db) => db.close(), () => {});
    },
  };
}
