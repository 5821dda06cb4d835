/**
 * The packages service inside the proxy's process (issue 8): opens the database in the background (PGlite under
 * the state folder, or DATABASE_URL), builds the packages app with the proxy's environment and runs the restore
 * worker from the queue through the local SQS event-source mapping — as the Lambda service and worker functions
 * run in AWS. The AWS side (bucket, queue, CloudFront key in SSM) is seeded by the supervisor (wiring.ts).
 */
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { App } from '../../proxy/core/app.ts';
import type { HttpClient } from '../../proxy/core/http-client.ts';
import type { Logger } from '../../proxy/core/log.ts';
import type { Db } from '../../proxy/db/index.ts';
import { buildPackagesApp, reconcileRestores } from '../../proxy/functions/packages.ts';
import { buildRestoreWorker } from '../../proxy/functions/restore-worker.ts';
import { startSqsMapping, type SqsMapping } from '../sqs-mapping/index.ts';
import { openPackagesDatabase, reseedPackagesDatabase } from './packages.ts';

const RECONCILE_EVERY_MS = 5 * 60_000;

export interface PackagesStack {
  /** Build the app with the proxy's environment and start the restore worker's mapping. */
  start(): Promise<App>;
  /**
   * Opens the database on first call: when a packages route or the restore worker first needs it, or right after
   * start-up for `npm start` (so the first packages request finds it ready); the routes wait for it on their own.
   */
  database(): Promise<Db>;
  /** The database back to its seed (the stack's reset, `POST /__admin/reset`). */
  reseed(): Promise<void>;
  close(): Promise<void>;
}

export function packagesService(o: { env: Record<string, string | undefined>; stateDir: string; log: Logger; http?: HttpClient }): PackagesStack {
  const { env, log, http } = o;
  // Never awaited at start: the proxy's port opens now; the first start pays PGlite's initdb in the background.
  let opening: Promise<Db> | undefined;
  const database = () => (opening ??= openPackagesDatabase({ url: env.DATABASE_URL, dataDir: env.PGLITE_DIR ?? join(o.stateDir, 'pglite') })
    .catch((e: unknown) => {
      log.error('packages database failed to open', { error: e as Error });
      opening = undefined;
      throw e;
    }));
  let mapping: SqsMapping | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let closed = false;
  const sqs = new SQSClient({
    endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test' },
  });

  async function startWorker(): Promise<void> {
    // The worker (and so the database) is built on the first batch, as a Lambda's init runs on its first event.
    let worker: ReturnType<typeof buildRestoreWorker> | undefined;
    const handler: Parameters<typeof startSqsMapping>[0]['handler'] = async (event) => (await (worker ??= buildRestoreWorker({ env, log, http, openDb: database })))(event);
    if (closed) return;
    mapping = await startSqsMapping({
      sqs, queueUrl: env.RESTORE_PACKAGE_QUEUE_URL!, handler, batchSize: 10, maximumBatchingWindowMs: 200, region: env.AWS_REGION ?? 'us-east-1',
      onError: (e) => log.warn('restore worker mapping error', { error: e as Error }),
    });
  }

  return {
    database,
    reseed: async () => reseedPackagesDatabase(await database()),
    async start() {
      const app = await buildPackagesApp({ env, log, http, openDb: database });
      // The worker shares the record-mode client too, so its S3 calls land in the upstream fixtures with the rest.
      await startWorker();
      // The scheduled reconcile a deployment runs from EventBridge (proxy/functions/packages.ts, `reconcile`).
      reconciler = setInterval(() => {
        reconcileRestores({ env, log, http, openDb: database }).catch((e: unknown) => log.warn('restore reconcile failed', { error: e as Error }));
      }, RECONCILE_EVERY_MS).unref();
      return app;
    },
    async close() {
      closed = true;
      clearInterval(reconciler);
      await mapping?.stop();
      sqs.destroy();
      await opening?.then((db) => db.close(), () => {});
    },
  };
}
