/**
 * The local SQS event-source mapping against the embedded edge's SQS, driving the real restore worker on a
 * seeded PGlite copy: batches as Lambda builds them, a partly failing batch (only the failure comes back), a
 * poison message landing in the DLQ after maxReceiveCount, and a redelivered message changing nothing twice.
 */
import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { startAwsEdge, type AwsEdge } from '../../emulators/aws/edge.ts';
import { openPackagesDatabase, preparePackagesAws, type PackagesAwsSetup } from '../../emulators/stack/packages.ts';
import { startSqsMapping, type SqsEvent, type SqsMapping } from '../../emulators/sqs-mapping/index.ts';
import { buildRestoreWorker } from '../../proxy/functions/restore-worker.ts';
import { packagesAwsClients } from '../../proxy/routes/packages/aws.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import type { Db } from '../../proxy/db/index.ts';

const job = (packageId: number, nodeId: string, datasetId = 123) => JSON.stringify({ organizationId: 1, datasetId, packageId, nodeId, userId: 2 });

describe('SQS event-source mapping → restore worker', function () {
  this.timeout(30_000);
  let edge: AwsEdge;
  let setup: PackagesAwsSetup;
  let sqs: SQSClient;
  let s3: S3Client;
  let db: Db;
  let mapping: SqsMapping | undefined;
  const events: SqsEvent[] = [];

  before(async () => {
    edge = await startAwsEdge({ port: 0 });
    const target = { endpoint: edge.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
    setup = await preparePackagesAws(target, { visibilityTimeout: 1, maxReceiveCount: 2, queueName: 'restore-test' });
    sqs = new SQSClient(target);
    s3 = new S3Client({ ...target, forcePathStyle: true });
    db = await openPackagesDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'gatehouse-pg-')) });
  });
  afterEach(async () => {
    await mapping?.stop();
    mapping = undefined;
  });
  after(async () => {
    await db?.close();
    await edge?.close();
  });

  async function run(batchSize = 10, windowMs = 300) {
    const env = { VIEWER_ASSETS_BUCKET: setup.bucket, AWS_ENDPOINT_URL: edge.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
    const worker = await buildRestoreWorker({ env, log: silentLogger(), aws: packagesAwsClients(env), openDb: async () => db });
    mapping = await startSqsMapping({ sqs, queueUrl: setup.queueUrl, batchSize, maximumBatchingWindowMs: windowMs, waitTimeSeconds: 0, handler: async (e) => (events.push(e), worker(e)) });
    return mapping;
  }
  const send = (body: string) => sqs.send(new SendMessageCommand({ QueueUrl: setup.queueUrl, MessageBody: body }));
  const state = async (id: number) => (await db.query<{ state: string }>('SELECT state FROM "1".packages WHERE id = $1', [id]))[0].state;
  const markers = async (key: string) => ((await s3.send(new ListObjectVersionsCommand({ Bucket: setup.bucket, Prefix: key }))).DeleteMarkers ?? []).filter((m) => m.IsLatest).length;
  const depth = async (url: string) => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
  };
  const until = async (check: () => Promise<boolean>) => {
    const end = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('delivers Lambda-shaped records in one batch within the window and restores the package', async () => {
    await db.query('UPDATE "1".packages SET state = \'RESTORING\' WHERE id IN (460, 461)');
    await send(job(460, 'N:package:460'));
    await send(job(461, 'N:package:461'));
    const m = await run();
    await until(async () => (await state(460)) === 'READY' && (await state(461)) === 'READY');
    const [first] = events;
    expect(first.Records).to.have.length(2);
    const r = first.Records[0];
    expect(r.eventSource).to.equal('aws:sqs');
    expect(r.eventSourceARN).to.match(/^arn:aws:sqs:us-east-1:\d{12}:restore-test$/);
    expect(r.attributes.ApproximateReceiveCount).to.equal('1');
    expect(r.receiptHandle).to.be.a('string').and.not.empty;
    expect(await markers('O1/D123/P460/')).to.equal(0);
    expect(m.stats().deleted).to.equal(2);
    expect(await depth(setup.queueUrl)).to.equal(0);
  });

  it('changes nothing when a message is redelivered', async () => {
    const before = (await s3.send(new ListObjectVersionsCommand({ Bucket: setup.bucket, Prefix: 'O1/D123/P460/' }))).Versions?.length;
    await send(job(460, 'N:package:460'));
    const m = await run();
    await until(async () => m.stats().deleted === 1);
    expect(await state(460)).to.equal('READY');
    expect((await s3.send(new ListObjectVersionsCommand({ Bucket: setup.bucket, Prefix: 'O1/D123/P460/' }))).Versions?.length).to.equal(before);
  });

  it('deletes the successes of a partly failing batch and moves the poison message to the DLQ after maxReceiveCount', async () => {
    await db.query('UPDATE "1".packages SET state = \'RESTORING\' WHERE id IN (462, 490)');
    await send(job(462, 'N:package:462'));
    await send(job(490, 'N:package:490')); // its bucket does not exist: fails every time
    await send('{not json');
    const m = await run();
    await until(async () => (await depth(setup.dlqUrl)) === 2);
    expect(await state(462)).to.equal('READY');
    expect(await state(490)).to.equal('RESTORING');
    expect(m.stats().failed).to.be.at.least(4);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: setup.dlqUrl, MaxNumberOfMessages: 10 }));
    expect(dead.Messages!.map((x) => x.Body).sort()).to.deep.equal([job(490, 'N:package:490'), '{not json'].sort());
    expect(await depth(setup.queueUrl)).to.equal(0);
  });

  it('respects the batch size', async () => {
    events.length = 0;
    await db.query('UPDATE "1".packages SET state = \'RESTORING\' WHERE id IN (471, 473)');
    await send(job(471, 'N:package:471'));
    await send(job(473, 'N:package:473'));
    await run(1, 0);
    await until(async () => (await state(471)) === 'READY' && (await state(473)) === 'READY');
    expect(events.every((e) => e.Records.length === 1)).to.equal(true);
  });
});
