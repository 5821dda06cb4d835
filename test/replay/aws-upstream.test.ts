/**
 * AWS SDK calls through the proxy's single outbound HttpClient (AwsHttpHandler): the official clients against the
 * embedded AWS edge, each exchange seen by `onExchange` as `aws-<service>`, recorded with AWS's secret values
 * redacted, and played back from fixtures/upstream/aws — the cards, mail and packages routes with no AWS edge.
 */
import { expect } from 'chai';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import http, { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadGatewayKeys } from '../../emulators/gateway/index.ts';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { openPackagesDatabase } from '../../emulators/stack/packages.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { buildMailApp } from '../../proxy/functions/mail.ts';
import { buildPackagesApp } from '../../proxy/functions/packages.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { staticSecrets } from '../../proxy/secrets/chain.ts';
import { awsCall } from '../../proxy/core/aws.ts';
import { AwsHttpHandler, awsUpstreamName } from '../../proxy/core/aws-http-handler.ts';
import { ProxyError } from '../../proxy/core/errors.ts';
import { createHttpClient, type Exchange, type HttpClient } from '../../proxy/core/http-client.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { loadCompareRules } from '../../scripts/lib/replay/rules.ts';
import { seededEmails, seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import { UpstreamRecorder, loadUpstreamFixtures, playbackClient, providerOf, type UpstreamInteraction } from '../../scripts/lib/replay/upstream.ts';
import { awsTarget, errorOf, type AwsTarget } from '../helpers/aws.ts';
import { serveApp } from '../helpers/serve.ts';
import { gatewaySigner } from '../helpers/signed.ts';

const redact = () => new Redactor(undefined, seededSecretValues());

describe('AWS SDK clients through the outbound HttpClient', function () {
  this.timeout(20_000);
  let target: AwsTarget;
  let client: HttpClient;
  const seen: Exchange[] = [];
  const recorder = new UpstreamRecorder(redact());
  const cfg = () => ({ endpoint: target.endpoint, region: target.region, credentials: target.credentials, requestHandler: new AwsHttpHandler(client) });
  const id = `t${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const secrets = { password: `pw-${randomBytes(9).toString('base64url')}`, secretString: `{"privateKey":"k-${randomBytes(12).toString('hex')}"}`, accessToken: `at-${randomBytes(12).toString('hex')}` };

  before(async () => {
    target = await awsTarget();
    client = createHttpClient();
    client.onExchange((x) => seen.push(x));
    client.onExchange(recorder.hook);
  });
  after(() => target?.close());
  const names = () => [...new Set(seen.map((x) => x.request.upstream))];

  it('names each call aws-<service> from its SigV4 credential scope', () => {
    const scope = (s: string) => ({ headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/${s}/aws4_request, SignedHeaders=host, Signature=ff` }, hostname: '127.0.0.1', query: {} });
    expect(['s3', 'ssm', 'dynamodb', 'sqs', 'secretsmanager'].map((s) => awsUpstreamName(scope(s)))).to.deep.equal(['aws-s3', 'aws-ssm', 'aws-dynamodb', 'aws-sqs', 'aws-secretsmanager']);
    expect(awsUpstreamName({ headers: { 'X-Amz-Target': 'DynamoDB_20120810.GetItem' }, hostname: 'localhost', query: {} })).to.equal('aws-dynamodb');
    expect(awsUpstreamName({ headers: {}, hostname: 'bucket.s3.eu-west-1.amazonaws.com', query: {} })).to.equal('aws-s3');
    expect(['aws-ssm', 'aws-s3', 'extend', 'customerio-track'].map(providerOf)).to.deep.equal(['aws', 'aws', 'extend', 'customerio']);
  });

  it('S3: puts, heads, lists and gets a binary object whose bytes and CRC32 survive (gzip-encoded bytes stay encoded)', async () => {
    const s3 = new S3Client({ ...cfg(), forcePathStyle: true });
    const bucket = `${id}-bin`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const bytes = Buffer.concat([randomBytes(70_000), Buffer.from([0, 0xff, 0xfe, 0x1f, 0x8b])]);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a b/ü.bin', Body: bytes, ChecksumAlgorithm: 'CRC32' }));
    expect(put.ChecksumCRC32).to.be.a('string');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a b/ü.bin', ChecksumMode: 'ENABLED' }));
    expect(got.ChecksumCRC32).to.equal(put.ChecksumCRC32);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).to.equal(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a b/ü.bin' }));
    expect(head.ContentLength).to.equal(bytes.length);
    // A stream body and a stored Content-Encoding: the client must neither drop the stream nor gunzip the answer.
    const gz = gzipSync(Buffer.from('hello '.repeat(100)));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'note.txt', Body: Readable.from([gz]), ContentLength: gz.length, ContentEncoding: 'gzip', ContentType: 'text/plain' }));
    const note = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'note.txt' }));
    expect(note.ContentEncoding).to.equal('gzip');
    expect(createHash('md5').update(Buffer.from(await note.Body!.transformToByteArray())).digest('hex')).to.equal(createHash('md5').update(gz).digest('hex'));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(list.Contents?.map((o) => o.Key)).to.deep.equal(['a b/ü.bin', 'note.txt']);
    expect(seen.filter((x) => x.request.upstream === 'aws-s3').map((x) => x.request.method)).to.include.members(['PUT', 'GET', 'HEAD']);
  });

  it('DynamoDB, SSM SecureString, SQS and Secrets Manager answer through it', async () => {
    const ddb = new DynamoDBClient(cfg());
    const table = `${id}-sessions`;
    await ddb.send(new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'email', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    await ddb.send(new PutItemCommand({ TableName: table, Item: { email: { S: 'ada@example.com' }, accessToken: { S: secrets.accessToken } } }));
    expect((await ddb.send(new GetItemCommand({ TableName: table, Key: { email: { S: 'ada@example.com' } } }))).Item?.accessToken).to.deep.equal({ S: secrets.accessToken });

    const ssm = new SSMClient(cfg());
    await ssm.send(new PutParameterCommand({ Name: `/${id}/password`, Type: 'SecureString', Value: secrets.password }));
    expect((await ssm.send(new GetParameterCommand({ Name: `/${id}/password`, WithDecryption: true }))).Parameter?.Value).to.equal(secrets.password);

    const sqs = new SQSClient(cfg());
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${id}-jobs` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: '{"nodeId":"N:package:1"}' }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages?.[0]?.Body).to.equal('{"nodeId":"N:package:1"}');

    const sm = new SecretsManagerClient(cfg());
    await sm.send(new CreateSecretCommand({ Name: `${id}-key`, SecretString: secrets.secretString }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: `${id}-key` }))).SecretString).to.equal(secrets.secretString);
    expect(names()).to.include.members(['aws-s3', 'aws-dynamodb', 'aws-ssm', 'aws-sqs', 'aws-secretsmanager']);
  });

  it('writes fixtures/upstream/aws/<group>.json with no secret value AWS returned and no signature', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-aws-rec-'));
    const files = recorder.save('edge', dir);
    expect(files.map((f) => f.slice(dir.length))).to.deep.equal(['/aws/edge.json']);
    const text = readFileSync(files[0], 'utf8');
    for (const s of [secrets.password, secrets.secretString, secrets.accessToken, JSON.stringify(secrets.secretString).slice(1, -1)]) expect(text.includes(s), s.slice(0, 6)).to.equal(false);
    expect(text).to.not.match(/Signature=|amz-sdk-invocation-id|amz-sdk-request|Credential=/i);
    const doc = JSON.parse(text) as { interactions: { upstream: string; request: { headers: Record<string, string>; body?: any }; response: { body?: any } }[] };
    const ssmGet = doc.interactions.find((i) => i.request.headers['x-amz-target'] === 'AmazonSSM.GetParameter')!;
    expect(ssmGet.response.body.Parameter).to.include({ Type: 'SecureString', Value: '[REDACTED]' });
    expect(ssmGet.request.headers.authorization).to.equal('AWS4-HMAC-SHA256 [REDACTED]');
    const put = doc.interactions.find((i) => i.request.headers['x-amz-target'] === 'DynamoDB_20120810.PutItem')!;
    expect(put.request.body.Item.accessToken).to.deep.equal({ S: '[REDACTED]' });
    expect(doc.interactions.find((i) => i.upstream === 'aws-secretsmanager' && i.response.body?.SecretString)!.response.body.SecretString).to.equal('[REDACTED]');
  });

  describe('failures the SDK and awsCall understand', () => {
    let hanging: Listening;
    before(async () => { hanging = await listen(http.createServer(() => { /* never answers */ }), 0); });
    after(() => hanging?.close());
    const slowSsm = (timeoutMs: number) => new SSMClient({ endpoint: hanging.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: new AwsHttpHandler(createHttpClient({ timeoutMs })) });

    it('a timeout is a TimeoutError, which awsCall answers as 502 aws_unavailable naming the upstream', async () => {
      const err = await errorOf(slowSsm(150).send(new GetParameterCommand({ Name: '/x' })));
      expect(err.name).to.equal('TimeoutError');
      const mapped = await errorOf(awsCall('SSM GetParameter', () => slowSsm(150).send(new GetParameterCommand({ Name: '/x' })))) as unknown as ProxyError;
      expect(mapped).to.be.instanceOf(ProxyError);
      expect(mapped).to.include({ status: 502, code: 'aws_unavailable' });
      expect(mapped.details).to.include({ error: 'TimeoutError', upstream: 'aws-ssm' });
    });

    it('an abort signal ends the call at once with AbortError', async () => {
      const ctl = new AbortController();
      setTimeout(() => ctl.abort(), 50);
      const started = Date.now();
      const err = await errorOf(slowSsm(5_000).send(new GetParameterCommand({ Name: '/x' }), { abortSignal: ctl.signal }));
      expect(err.name).to.equal('AbortError');
      expect(Date.now() - started).to.be.below(4_000);
    });
  });
});

describe('AWS calls played back from fixtures/upstream/aws', () => {
  const ssmOn = (http: HttpClient) => new SSMClient({ endpoint: 'http://aws.playback.invalid', region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: new AwsHttpHandler(http) });

  it('answers a recorded call whatever its signature and date, and fails loudly for an unrecorded one', async () => {
    const http = playbackClient(loadUpstreamFixtures('aws'), redact(), loadCompareRules());
    const out = await ssmOn(http).send(new GetParameterCommand({ Name: '/gatehouse/extend/users/ada_at_example.com/password', WithDecryption: true }));
    expect(out.Parameter).to.include({ Type: 'SecureString', Value: '[REDACTED]' });
    const mapped = await errorOf(awsCall('SSM GetParameter', () => ssmOn(http).send(new GetParameterCommand({ Name: '/never/recorded', WithDecryption: true })))) as unknown as ProxyError;
    expect(mapped).to.include({ status: 502, code: 'aws_unavailable' });
    expect(mapped.details).to.include({ upstream: 'aws-ssm' });
    expect(String(mapped.details?.reason)).to.include('could not be reached');
  });

  it('tells operations apart by X-Amz-Target, not only by path', async () => {
    const http = playbackClient(loadUpstreamFixtures('aws'), redact(), loadCompareRules());
    const err = await errorOf(ssmOn(http).send(new PutParameterCommand({ Name: '/gatehouse/extend/users/ada_at_example.com/password', WithDecryption: true } as never)));
    expect(String((err as Error & { cause?: Error }).cause?.message ?? err.message)).to.match(/could not be reached|no recorded fixture/);
  });
});

/**
 * Fixtures hold no keys: a test puts its own in place of the redacted SecureString Value / SecretString, as the
 * Customer.io playback passes placeholder API keys.
 */
function withKey(inner: HttpClient, upstream: string, value: string): HttpClient {
  return {
    onExchange: (hook) => inner.onExchange(hook),
    async send(req) {
      const res = await inner.send(req);
      if (req.upstream !== upstream) return res;
      const text = res.text().replace(/"(Value|SecretString)":"\[REDACTED\]"/, (_, k: string) => `"${k}":${JSON.stringify(value)}`);
      const body = Buffer.from(text);
      return { ...res, body, text: () => text, json: <T>() => JSON.parse(text) as T };
    },
  };
}

const awsFixtures = (): UpstreamInteraction[] => loadUpstreamFixtures('aws');
const target = (i: UpstreamInteraction) => i.request.headers['x-amz-target'] ?? `${i.request.method} ${i.request.path}`;
const NO_EDGE = { AWS_ENDPOINT_URL: 'http://aws.playback.invalid', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

describe('cards, mail and packages routes with AWS played back (no AWS edge, no fakes)', function () {
  this.timeout(30_000);
  const stateDir = mkdtempSync(join(tmpdir(), 'gatehouse-aws-playback-'));
  const keys = loadGatewayKeys({ keyDir: join(stateDir, 'gateway'), env: {} });
  const sign = gatewaySigner(stateDir);
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const sent: string[] = [];
  const playback = (interactions: UpstreamInteraction[]) => {
    const http = playbackClient(interactions, redact(), loadCompareRules(), { emails: seededEmails() });
    http.onExchange((x) => sent.push(`${x.request.upstream} ${x.request.headers?.['x-amz-target'] ?? `${x.request.method} ${new URL(x.request.url).pathname}`} ${x.response?.status ?? 'no fixture'}`));
    return http;
  };
  const call = (base: string, r: { method: string; path: string; query?: string; json?: unknown; email?: string }) => {
    const s = sign(r);
    // node:http, not fetch: the gateway signature covers the Host header, which fetch would replace.
    return new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = request(`${base}${s.path}${s.query ? `?${s.query}` : ''}`, { method: s.method, headers: s.headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      });
      req.on('error', reject);
      req.end(s.body);
    });
  };
  beforeEach(() => { sent.length = 0; });

  it('cards: token lookup, SSM password and the DynamoDB session cache, then a cache hit', async () => {
    const fixtures = awsFixtures();
    const tokenItem = fixtures.find((i) => (i.request.body as { TableName?: string })?.TableName === 'gatehouse-api-tokens')!.response.body as { Item: { createdAt: { S: string } } };
    // The recorded items carry absolute expiries; the clock stands where the recording did.
    const recordedAt = Date.parse(tokenItem.Item.createdAt.S) + 1000;
    const app = await buildCardsApp({
      env: { ...NO_EDGE, EXTEND_API_BASE_URL: 'http://extend.playback.invalid' },
      http: playback([...fixtures, ...loadUpstreamFixtures('extend')]), log: silentLogger(),
      clock: { now: () => recordedAt, sleep: async () => {} },
    });
    const server = await serveApp(app);
    try {
      const first = await fetch(`${server.url}/cards`, { headers: { token: 'any-token-playback-answers-as-recorded' } });
      const cards = await first.json() as { cards: { id: string }[] };
      expect(first.status).to.equal(200);
      expect(cards.cards.length).to.be.greaterThan(0);
      expect(sent).to.deep.equal([
        'aws-dynamodb DynamoDB_20120810.GetItem 200', 'aws-dynamodb DynamoDB_20120810.GetItem 200', 'aws-ssm AmazonSSM.GetParameter 200',
        'extend POST /signin 200', 'aws-dynamodb DynamoDB_20120810.PutItem 200', 'extend GET /virtualcards 200',
      ]);
      sent.length = 0;
      expect((await fetch(`${server.url}/cards/active`, { headers: { token: 'another-token' } })).status).to.equal(200);
      expect(sent.filter((s) => /GetParameter|signin|PutItem/.test(s)), 'the cached session serves it').to.deep.equal([]);
    } finally {
      await server.close();
    }
  });

  it('mail: the CloudFront key from Secrets Manager and the reports listing from S3', async () => {
    const fixtures = awsFixtures();
    const http = withKey(playback(fixtures), 'aws-secretsmanager', JSON.stringify({ keyPairId: 'KPLAYBACK0000', privateKey: pem }));
    const app = await buildMailApp({
      env: { ...NO_EDGE, MAILGUN_DOMAIN: 'mg.gatehouse.local' }, http, log: silentLogger(),
      secrets: staticSecrets({ MAILGUN_API_KEY: 'playback-key', MAILGUN_WEBHOOK_SIGNING_KEY: 'playback-signing-key', PII_SALT: 'playback-pii-salt', API_GATEWAY_PUBLIC_KEY: keys.signingPublicKeyPem }),
    });
    expect(sent).to.deep.equal(['aws-secretsmanager secretsmanager.GetSecretValue 200']);
    const server = await serveApp(app);
    try {
      const res = await call(server.url, { method: 'GET', path: '/reports' });
      expect(res.status).to.equal(200);
      expect(res.body.folders).to.include('reports/DN-1001/');
      expect(sent.at(-1)).to.equal('aws-s3 GET /gatehouse-package-assets/ 200');
      const miss = await call(server.url, { method: 'GET', path: '/reports', query: 'prefix=reports%2FDN-9999%2F' });
      expect(miss.status, 'an unrecorded listing fails loudly').to.be.within(500, 502);
      expect(sent.at(-1)).to.equal('aws-s3 GET /gatehouse-package-assets/ no fixture');
    } finally {
      await server.close();
    }
  });

  it('packages: the CloudFront key from SSM, a presigned URL, and a restore queued on SQS', async () => {
    const fixtures = awsFixtures();
    const batches = fixtures.filter((i) => i.request.headers['x-amz-target'] === 'AmazonSQS.SendMessageBatch');
    const queueUrl = (batches[0].request.body as { QueueUrl: string }).QueueUrl;
    const db = await openPackagesDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'gatehouse-aws-playback-pg-')) });
    const app = await buildPackagesApp({
      env: {
        ...NO_EDGE, VIEWER_ASSETS_BUCKET: 'gatehouse-package-assets', ENV: 'test', PENNSIEVE_DOMAIN: 'playback.invalid',
        CLOUDFRONT_DISTRIBUTION_DOMAIN: 'd111111abcdef8.cloudfront.net', CLOUDFRONT_KEY_ID: 'KPLAYBACK0000',
        CLOUDFRONT_PRIVATE_KEY_SSM_PARAM: '/gatehouse/packages/cloudfront/private-key', RESTORE_PACKAGE_QUEUE_URL: queueUrl, API_GATEWAY_PUBLIC_KEY: keys.signingPublicKeyPem,
      },
      http: withKey(playback(fixtures), 'aws-ssm', pem), log: silentLogger(), openDb: async () => db,
    });
    const server = await serveApp(app);
    try {
      const presigned = await call(server.url, { method: 'GET', path: '/packages/presign/s3', query: 'dataset_id=N%3Adataset%3A123&package_id=N%3Apackage%3A456&redirect=false', email: 'linus@example.com' });
      expect(presigned.status).to.equal(200);
      expect(presigned.body.url).to.match(/^http:\/\/aws\.playback\.invalid\/gatehouse-package-assets\/.+X-Amz-Signature=/);
      sent.length = 0;
      // As the packages capture restores (scripts/lib/replay/scenarios.ts): the editor, one package and an unknown id.
      const res = await call(server.url, { method: 'POST', path: '/packages/restore', query: 'dataset_id=N%3Adataset%3A123', json: { nodeIds: ['N:package:461', 'N:package:999'] }, email: 'grace@example.com' });
      expect(res.body).to.deep.equal({ success: ['N:package:461'], failures: [{ id: 'N:package:999', error: 'not found' }] });
      expect(sent).to.deep.equal(batches.map((b) => `aws-sqs ${target(b)} 200`));
    } finally {
      await server.close();
      await db.close();
    }
  });
});
