/**
 * Loopback benchmark (not a test): GET-object throughput of our S3 through the edge vs s3rver (and moto_server
 * when on PATH), and DynamoDB GetItem through the edge vs dynalite listening directly. A bounded number of
 * requests at fixed concurrency over keep-alive sockets; prints each rate, the ratios and the command.
 *   npx tsx scripts/bench-aws.ts [requests=4000] [concurrency=16]
 * Each figure is the median of 3 alternating rounds.
 * Targets: S3 through the edge ≥ 10× s3rver; the edge adds ≤ 10 % to DynamoDB GetItem.
 */
import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { DynamoDBClient, CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startAwsEdge } from '../emulators/aws/edge.ts';

const require = createRequire(import.meta.url);
const REQUESTS = Number(process.argv[2] ?? 4000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const ROUNDS = 3;
const region = 'us-east-1';
const BODY = Buffer.alloc(4096, 'x');

interface Target { method: 'GET' | 'POST'; url: URL; headers?: Record<string, string>; body?: string }

/**
 * The load generator runs in a worker thread so the servers keep the main thread (and a core) to themselves:
 * a client sharing their event loop would cap every server at the client's speed and hide the difference.
 */
const LOAD = `
const http = require('node:http');
const { parentPort, workerData: t } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: t.concurrency });
const one = () => new Promise((resolve, reject) => {
  const req = http.request(t.url, { method: t.method, agent, headers: t.headers }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(t.url + ' answered ' + res.statusCode))));
  });
  req.on('error', reject);
  req.end(t.body);
});
(async () => {
  for (let i = 0; i < 200; i++) await one();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: t.concurrency }, async () => { while (next++ < t.requests) await one(); }));
  parentPort.postMessage(t.requests / (Number(process.hrtime.bigint() - started) / 1e9));
  agent.destroy();
})().catch((e) => parentPort.postMessage({ error: e.message }));
`;

/** Requests per second for REQUESTS calls, CONCURRENCY at a time over keep-alive sockets, from a worker thread. */
function rate(t: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOAD, { eval: true, workerData: { ...t, url: t.url.href, requests: REQUESTS, concurrency: CONCURRENCY } });
    w.once('message', (m: number | { error: string }) => {
      void w.terminate();
      typeof m === 'number' ? resolve(m) : reject(new Error(m.error));
    });
    w.once('error', reject);
  });
}

/** Median of ROUNDS alternating runs of each target, so background load hits both sides alike. */
async function compare(a: Target, b: Target): Promise<[number, number]> {
  const ra: number[] = [], rb: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ra.push(await rate(a));
    rb.push(await rate(b));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  return [median(ra), median(rb)];
}

/** Create a bucket with one object and return a presigned GET for it (every server verifies or ignores it alike). */
async function presignedObject(endpoint: string, creds: { accessKeyId: string; secretAccessKey: string }): Promise<URL> {
  const s3 = new S3Client({ endpoint, region, credentials: creds, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'object.bin', Body: BODY }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'bench', Key: 'object.bin' }), { expiresIn: 3600 });
  s3.destroy();
  return new URL(url);
}

async function getItemTarget(endpoint: string): Promise<Target> {
  const ddb = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await ddb.send(new CreateTableCommand({
    TableName: 'bench', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
  }));
  await new Promise((r) => setTimeout(r, 50));
  await ddb.send(new PutItemCommand({ TableName: 'bench', Item: { pk: { S: 'user#1' }, token: { S: 'x'.repeat(256) } } }));
  ddb.destroy();
  const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
  // dynalite (directly or behind the edge) checks the signature's shape only, so one header serves every call.
  return {
    method: 'POST',
    url: new URL(endpoint),
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
    },
    body: JSON.stringify({ TableName: 'bench', Key: { pk: { S: 'user#1' } } }),
  };
}

async function startMoto(): Promise<{ endpoint: string; proc: ChildProcess } | string> {
  if (spawnSync('sh', ['-c', 'command -v moto_server']).status !== 0) return 'moto_server is not on PATH';
  const port = 5000 + Math.floor(Math.random() * 900);
  const proc = spawn('moto_server', ['-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (await fetch(`${endpoint}/moto-api/`).then(() => true, () => false)) return { endpoint, proc };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  return 'moto_server did not start within 10 s';
}

const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;

async function main(): Promise<void> {
  console.log(`command: npx tsx scripts/bench-aws.ts ${REQUESTS} ${CONCURRENCY}   (node ${process.version}, ${REQUESTS} requests, concurrency ${CONCURRENCY}, ${BODY.length}-byte object)`);
  const edge = await startAwsEdge({ port: 0, region, credentials: { test: 'test' } });
  const dir = mkdtempSync(join(tmpdir(), 'bench-s3rver-'));
  const S3rver = require('s3rver') as new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
  const dynalite = (require('dynalite') as (o: object) => http.Server)({ createTableMs: 0 });
  try {
    const { port: s3rverPort } = await s3rver.run();
    await new Promise<void>((r) => dynalite.listen(0, '127.0.0.1', () => r()));
    const dynalitePort = (dynalite.address() as { port: number }).port;

    const [ours, theirs] = await compare(
      { method: 'GET', url: await presignedObject(edge.url, { accessKeyId: 'test', secretAccessKey: 'test' }) },
      { method: 'GET', url: await presignedObject(`http://127.0.0.1:${s3rverPort}`, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }) },
    );
    console.log(`S3 GetObject   edge ${fmt(ours)}   s3rver ${fmt(theirs)}   ratio ${(ours / theirs).toFixed(1)}×  (target ≥ 10×)`);

    const moto = await startMoto();
    if (typeof moto === 'string') console.log(`S3 GetObject   moto_server skipped: ${moto}`);
    else {
      try {
        const motoRate = await rate({ method: 'GET', url: await presignedObject(moto.endpoint, { accessKeyId: 'test', secretAccessKey: 'test' }) });
        console.log(`S3 GetObject   moto_server ${fmt(motoRate)}   edge/moto ${(ours / motoRate).toFixed(1)}×`);
      } finally {
        moto.proc.kill();
      }
    }

    const [viaEdge, direct] = await compare(await getItemTarget(edge.url), await getItemTarget(`http://127.0.0.1:${dynalitePort}`));
    const overhead = (direct / viaEdge - 1) * 100;
    console.log(`DynamoDB GetItem   edge ${fmt(viaEdge)}   dynalite direct ${fmt(direct)}   edge overhead ${overhead.toFixed(1)} %  (target ≤ 10 %)`);
  } finally {
    await edge.close();
    await s3rver.close().catch(() => {});
    dynalite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
