/**
 * Child process of the restore crash tests: the packages function (its app on a free port) and the restore worker
 * (fed by the local SQS mapping) over one PGlite directory, against the parent's AWS edge — the two Lambdas of
 * seed 003 in one process, which the parent kills with SIGKILL (or which kills itself at GATEHOUSE_CRASH_AT) and
 * starts again on the same directory. Prints one line `{"url": …}` when it serves. A line `{"crashAt": NAME}` on
 * stdin arms a crash point from then on (answered `{"armed": NAME}`), so one start serves as the recovered process
 * of one scenario and the doomed one of the next. CRASH_CHILD_NO_WORKER=1 leaves the worker out (its jobs stay
 * on the queue).
 */
import { createInterface } from 'node:readline';
import { SQSClient } from '@aws-sdk/client-sqs';
import { listen } from '../../emulators/shared/emulator.ts';
import { openPackagesDatabase } from '../../emulators/stack/packages.ts';
import { startSqsMapping } from '../../emulators/sqs-mapping/index.ts';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { buildPackagesApp } from '../../proxy/functions/packages.ts';
import { buildRestoreWorker } from '../../proxy/functions/restore-worker.ts';

const env = process.env;
const log = silentLogger();
const db = openPackagesDatabase({ dataDir: env.PGLITE_DIR! });
const openDb = () => db;
const app = await buildPackagesApp({ env, log, openDb });
const server = await listen(expressAdapter(app), 0);
if (env.CRASH_CHILD_NO_WORKER !== '1') {
  const worker = await buildRestoreWorker({ env, log, openDb });
  const sqs = new SQSClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } });
  await startSqsMapping({ sqs, queueUrl: env.RESTORE_PACKAGE_QUEUE_URL!, handler: worker, batchSize: 10, waitTimeSeconds: 0 });
}
await db;
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
createInterface({ input: process.stdin }).on('line', (line) => {
  const { crashAt } = JSON.parse(line) as { crashAt: string };
  process.env.GATEHOUSE_CRASH_AT = crashAt;
  process.stdout.write(`${JSON.stringify({ armed: crashAt })}\n`);
});
// A plain stop (SIGTERM) closes the database, so the next start does not need PGlite's crash recovery.
process.once('SIGTERM', async () => {
  await (await db).close().catch(() => {});
  process.exit(0);
});
