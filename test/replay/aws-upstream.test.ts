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
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { awsCall } from '../../proxy/core/aws.ts';
import { AwsHttpHandler, awsUpstreamName } from '../../proxy/core/aws-http-handler.ts';
import { ProxyError } from '../../proxy/core/errors.ts';
import { createHttpClient, type Exchange, type HttpClient } from '../../proxy/core/http-client.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { loadCompareRules } from '../../scripts/lib/replay/rules.ts';
import { seededSecretValues } from '../../scripts/lib/replay/seeds.ts';
import { UpstreamRecorder, loadUpstreamFixtures, playbackClient, providerOf } from '../../scripts/lib/replay/upstream.ts';
import { awsTarget, errorOf, type AwsTarget } from '../helpers/aws.ts';

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
    expect(text).to.not.match(/Signature=|x-amz-date|amz-sdk-invocation-id|Credential=/i);
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

export { request, generateKeyPairSync };
