/**
 * kill -9 at chosen points of a restore (issue 13, finding 4): the packages function and the restore worker run in
 * a child process over a PGlite directory and the test's AWS edge; the child kills itself with SIGKILL at a named
 * point (GATEHOUSE_CRASH_AT, proxy/core/crash-point.ts), is started again on the same directory, and every package
 * the database acknowledged must end READY — or DELETED with its failure reported by GET /packages/restore — with
 * its S3 objects in step, and the client's retry must be told the truth. The scenarios run in order on one
 * database, each on packages of its own: the process that recovers one is armed for the next.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startAwsEdge, type AwsEdge } from '../../emulators/aws/edge.ts';
import { signRequest } from '../../emulators/gateway/sign.ts';
import { preparePackagesAws, putCloudFrontKey, type PackagesAwsSetup } from '../../emulators/stack/packages.ts';
import { packagesEnv } from '../../emulators/stack/packages-env.ts';
import { sendRaw, type RawReply } from '../helpers/signed.ts';

const D123 = 'N:dataset:123';
const keys = () => generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

interface Child { url: string; proc: ChildProcess; lines: Interface; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }
type Status = { state: string; restore: { status: string; attempts: number; error: string | null } | null };

describe('restore survives kill -9 at any point', function () {
  this.timeout(90_000);
  let edge: AwsEdge;
  let s3: S3Client;
  let sqs: SQSClient;
  const gateway = keys();
  const target = () => ({ endpoint: edge.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  let queues = 0;

  before(async () => {
    edge = await startAwsEdge({ port: 0 });
    s3 = new S3Client({ ...target(), forcePathStyle: true });
    sqs = new SQSClient(target());
    await putCloudFrontKey(target(), keys().privateKey);
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await edge?.close();
  });

  /** A fresh database (a copy of the seeded template) and a queue that redelivers after 1 s. */
  async function world(): Promise<{ dir: string; setup: PackagesAwsSetup }> {
    const setup = await preparePackagesAws(target(), { visibilityTimeout: 1, maxReceiveCount: 10, queueName: `restore-crash-${++queues}` });
    return { dir: mkdtempSync(join(tmpdir(), 'gatehouse-crash-')), setup };
  }

  function start(w: { dir: string; setup: PackagesAwsSetup }, extra: Record<string, string> = {}): Promise<Child> {
    const env = {
      ...process.env,
      ...packagesEnv({ awsUrl: edge.url, queueUrl: w.setup.queueUrl, cloudfrontDomain: 'd111111abcdef8.cloudfront.net', cloudfrontKeyId: 'KCRASHTEST' }),
      AWS_ENDPOINT_URL: edge.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
      API_GATEWAY_PUBLIC_KEY: gateway.publicKey, PGLITE_DIR: w.dir, RESTORE_MAX_ATTEMPTS: '2', ...extra,
      // The secret chain: the key above from the environment, no Vault, and never the machine's extension file.
      VAULT_SECRET_FILE: join(w.dir, 'no-secrets-file.json'),
    };
    for (const name of ['GATEHOUSE_CRASH_AT', 'VAULT_ADDR', 'VAULT_TOKEN', 'API_GATEWAY_PUBLIC_KEYS']) delete (env as Record<string, string | undefined>)[name];
    const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'restore-child.ts')], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
    const lines = createInterface({ input: proc.stdout! });
    return new Promise((resolve, reject) => {
      lines.once('line', (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, proc, lines, exited }));
      exited.then((e) => reject(new Error(`the child exited before serving (${e.signal ?? e.code})`)));
    });
  }

  async function arm(c: Child, point: string): Promise<void> {
    const armed = new Promise((resolve) => c.lines.once('line', resolve));
    c.proc.stdin!.write(`${JSON.stringify({ crashAt: point })}\n`);
    await armed;
  }

  async function stop(c: Child | undefined): Promise<void> {
    if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
    c.proc.kill('SIGTERM');
    await c.exited;
  }

  const signed = (method: string, path: string, query: string, json?: unknown) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    // As the gateway signs: with a request id of its own, so two identical calls are not one replayed request.
    const headers: Record<string, string> = { host: 'packages.test', 'x-user-email': 'ada@example.com', 'x-gateway-request-id': randomUUID(), ...(body ? { 'content-type': 'application/json' } : {}) };
    return { method, path, query, headers: { ...headers, ...signRequest({ method, path, rawQuery: query, headers, body }, gateway.privateKey) }, body };
  };
  const restore = (c: Child, nodeIds: string[]): Promise<RawReply> => sendRaw(c.url, signed('POST', '/packages/restore', `dataset_id=${encodeURIComponent(D123)}`, { nodeIds }));
  const status = async (c: Child, id: string): Promise<Status> => (await sendRaw(c.url, signed('GET', '/packages/restore', `dataset_id=${encodeURIComponent(D123)}&package_id=${encodeURIComponent(id)}`))).body;

  /** The invariant: each package READY, or DELETED with a failed restore on record; polled until it holds. */
  async function settled(c: Child, ids: string[], ms = 30_000): Promise<Record<string, Status>> {
    let last: Record<string, Status> = {};
    for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      last = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await status(c, id)] as const)));
      if (Object.values(last).every((s) => s.state === 'READY' || (s.state === 'DELETED' && s.restore?.status === 'failed'))) return last;
    }
    throw new Error(`not settled: ${JSON.stringify(last)}`);
  }

  const fileOf = async (bucket: string, key: string) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();

  describe('a crash at each point, recovered by the next start', () => {
    let w: { dir: string; setup: PackagesAwsSetup };
    let live: Child | undefined;
    before(async () => {
      w = await world();
      live = await start(w);
    });
    after(() => stop(live));

    const scenarios = [
      { point: 'restore.after-db-write', ids: ['N:package:460'], file: ['O1/D123/P460/old-scan.txt', 'old scan\n'] },
      { point: 'restore.after-queue', ids: ['N:package:461'], file: ['O1/D123/P461/old-notes.txt', 'old notes\n'] },
      { point: 'restore.before-answer', ids: ['N:collection:470', 'N:package:471', 'N:collection:472', 'N:package:473'], file: ['O1/D123/P473/old-subfolder-file.txt', 'in a deleted subfolder\n'] },
      { point: 'restore-worker.after-s3', ids: ['N:package:462'], file: ['O1/D123/P462/old-table.csv', 'a,b\n1,2\n'] },
    ];
    for (const { point, ids, file } of scenarios) {
      it(`recovers a restore killed at ${point}`, async () => {
        const doomed = live!;
        await arm(doomed, point);
        const answer = await restore(doomed, [ids[0]]).then((r) => r, (e: Error) => e);
        const { signal } = await doomed.exited;
        expect(signal, `the child must die at ${point}`).to.equal('SIGKILL');
        if (point.startsWith('restore-worker')) expect((answer as RawReply).status, 'the route answered before the worker died').to.equal(200);
        else expect(answer, 'the client got no answer').to.be.instanceOf(Error);

        live = await start(w);
        // Acknowledged by the database: restored by the new process without anyone asking again.
        const states = await settled(live, ids);
        for (const id of ids) expect(states[id].state, id).to.equal('READY');
        expect(await fileOf(w.setup.bucket, file[0])).to.equal(file[1]);
        // The client that got no answer retries, and is told the truth: done (or still running), not a second job.
        const retry = await restore(live, [ids[0]]);
        expect(retry.body.success).to.deep.equal([]);
        expect(retry.body.failures[0].error).to.be.oneOf(['package is not deleted (state READY)', 'restore already in progress']);
      });
    }

    it('gives a restore that can never succeed back as DELETED with its failure, after its last attempt', async () => {
      // N:package:490's file is in a bucket that does not exist: every attempt fails (RESTORE_MAX_ATTEMPTS=2).
      expect((await restore(live!, ['N:package:490'])).body.success).to.deep.equal(['N:package:490']);
      const states = await settled(live!, ['N:package:490']);
      expect(states['N:package:490'].state).to.equal('DELETED');
      expect(states['N:package:490'].restore).to.deep.include({ status: 'failed', attempts: 2 });
      expect(states['N:package:490'].restore!.error).to.match(/^restore failed after 2 attempts/);
    });
  });

  it('says "in progress" only while the job lives: a job whose message was lost is queued again once its lease ends', async () => {
    const w = await world();
    const idle = await start(w, { CRASH_CHILD_NO_WORKER: '1', RESTORE_LEASE_SECONDS: '2' });
    let worker: Child | undefined;
    try {
      expect((await restore(idle, ['N:package:461'])).body.success).to.deep.equal(['N:package:461']);
      expect((await restore(idle, ['N:package:461'])).body.failures).to.deep.equal([{ id: 'N:package:461', error: 'restore already in progress' }]);
      idle.proc.kill('SIGKILL');
      await idle.exited;
      // The message is lost (purged); the database still says queued until the lease ends, then the next cold
      // start's relay queues it again.
      await sqs.send(new PurgeQueueCommand({ QueueUrl: w.setup.queueUrl }));
      await new Promise((r) => setTimeout(r, 2100));
      worker = await start(w, { RESTORE_LEASE_SECONDS: '2' });
      const states = await settled(worker, ['N:package:461']);
      expect(states['N:package:461'].state).to.equal('READY');
      expect(states['N:package:461'].restore).to.deep.include({ status: 'done' });
    } finally {
      await stop(idle);
      await stop(worker);
    }
  });
});
