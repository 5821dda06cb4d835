/**
 * The mail function's AWS calls, from its own code with clients built as buildMailApp builds them
 * (awsClientConfig; S3 path-style): delivery states in DynamoDB (proxy/routes/mail/deliveries.ts), the CloudFront
 * key in Secrets Manager (links.ts) and the reports listing in S3 (routes/reports/store.ts).
 * Wire shapes: DynamoDB API reference (PutItem, UpdateItem, Query), Secrets Manager API reference
 * (GetSecretValue), S3 API reference (ListObjectsV2: GET /{Bucket}?list-type=2, ListBucketResult XML; HeadObject:
 * HEAD /{Bucket}/{Key}, Content-Length and ETag).
 */
import { createPrivateKey } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MatchersV3 as M, XmlBuilder } from '@pact-foundation/pact';
import { awsClientConfig } from '../../../proxy/core/aws.ts';
import { dynamoDeliveries } from '../../../proxy/routes/mail/deliveries.ts';
import { loadCloudFrontKey } from '../../../proxy/routes/mail/links.ts';
import { s3ReportStore } from '../../../proxy/routes/reports/store.ts';
import type { AwsFlow } from './run.ts';
import { bucketPath, listingRules, S3_NS, S3_TIME, s3Time } from './s3-xml.ts';
import { AWS_STATES as S, EXAMPLES as X } from './states.ts';
import { awsEnv, ddbNumber, ddbString, jsonAnswer, jsonCall, s3Call, xmlAnswer } from './wire.ts';

const ddb = (op: string) => jsonCall('dynamodb', `DynamoDB_20120810.${op}`, '1.0');
const deliveries = (endpoint: string) =>
  dynamoDeliveries(DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig(awsEnv(endpoint))), { marshallOptions: { removeUndefinedValues: true } }), X.deliveriesTable);
const reports = (endpoint: string) => s3ReportStore(new S3Client({ ...awsClientConfig(awsEnv(endpoint)), forcePathStyle: true }), X.reportsBucket);

const AT = 1735689600;
const deliveryKey = { messageId: ddbString(X.messageId), recipient: ddbString(X.email) };

/**
 * A fake Ed25519 key from a fixed, public seed: loadCloudFrontKey checks that the secret parses as a private key,
 * and a pact example must not change between runs. It signs nothing and protects nothing.
 */
const FAKE_KEY_SEED = Buffer.from('fake-contract-key-not-a-secret!!');
export const FAKE_PRIVATE_KEY = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), FAKE_KEY_SEED]), format: 'der', type: 'pkcs8' })
  .export({ format: 'pem', type: 'pkcs8' }).toString();
export const FAKE_KEY_PAIR_ID = 'KFAKECONTRACTKEY';
export const FAKE_SECRET_STRING = JSON.stringify({ keyPairId: FAKE_KEY_PAIR_ID, privateKey: FAKE_PRIVATE_KEY });

/** One `<Contents>` of a listing (S3 API reference, Object). */
const contents = (key: string) => (c: any) => {
  c.appendElement('Key', {} as never, M.regex('^\\S+$', key));
  c.appendElement('LastModified', {} as never, s3Time());
  c.appendElement('ETag', {} as never, M.like('"9b2cf535f27731c974343645a3985328"'));
  c.appendElement('Size', {} as never, M.regex('^\\d+$', '1024'));
  c.appendElement('StorageClass', {} as never, M.like('STANDARD'));
};

const monthListing = new XmlBuilder('1.0', 'UTF-8', 'ListBucketResult').build((r) => {
  r.setAttributes({ xmlns: S3_NS } as never);
  r.appendElement('Name', {} as never, M.like(X.reportsBucket));
  r.appendElement('Prefix', {} as never, M.like(X.reportsMonth));
  r.appendElement('IsTruncated', {} as never, 'false');
  r.eachLike('Contents', {} as never, contents(`${X.reportsMonth}payout-summary.pdf`));
});

const folderListing = new XmlBuilder('1.0', 'UTF-8', 'ListBucketResult').build((r) => {
  r.setAttributes({ xmlns: S3_NS } as never);
  r.appendElement('Name', {} as never, M.like(X.reportsBucket));
  r.appendElement('Prefix', {} as never, M.like(X.reportsFolder));
  r.appendElement('IsTruncated', {} as never, 'false');
  r.eachLike('CommonPrefixes', {} as never, (c) => c.appendElement('Prefix', {} as never, M.regex('^\\S+/$', `${X.reportsFolder}2025/`)));
});

const monthRules = listingRules('ListBucketResult', [
  ['Key', '^\\S+$', 'Contents'], ['LastModified', S3_TIME, 'Contents'],
  ['ETag', '^".*"$', 'Contents'], ['Size', '^\\d+$', 'Contents'], ['StorageClass', '^[A-Z_]+$', 'Contents'],
]);
const folderRules = listingRules('ListBucketResult', [['Prefix', '^\\S+/$', 'CommonPrefixes']]);

const listPath = bucketPath(X.reportsBucket);
const prefix = (example: string) => M.regex('^\\S*$', example);

export const mailFlows: AwsFlow[] = [
  {
    title: 'dynamoDeliveries.recordAccepted stores an accepted recipient unless a webhook was first (PutItem, attribute_not_exists)',
    interactions: [{
      given: [S.deliveriesTable], uponReceiving: 'a conditional PutItem of an accepted delivery', method: 'POST', path: '/', headers: ddb('PutItem'),
      body: { TableName: M.like(X.deliveriesTable), Item: { ...deliveryKey, status: { S: 'accepted' }, at: ddbNumber(AT) }, ConditionExpression: 'attribute_not_exists(messageId)' },
      status: 200, responseHeaders: jsonAnswer('1.0'), json: {},
    }],
    run: (endpoint) => deliveries(endpoint).recordAccepted(X.messageId, [X.email], AT),
    expected: undefined,
  },
  {
    title: 'dynamoDeliveries.record moves a delivery outcome forward, never back (UpdateItem with a rank and time condition)',
    interactions: [{
      given: [S.deliveriesStored], uponReceiving: 'a conditional UpdateItem of a delivery\'s outcome', method: 'POST', path: '/', headers: ddb('UpdateItem'),
      body: {
        TableName: M.like(X.deliveriesTable), Key: deliveryKey,
        UpdateExpression: 'SET #s = :s, #rank = :rank, #at = :at, severity = :sev, reason = :r, eventId = :id',
        ConditionExpression: 'attribute_not_exists(#rank) OR #rank < :rank OR (#rank = :rank AND #at <= :at)',
        ExpressionAttributeNames: { '#s': 'status', '#rank': 'rank', '#at': 'at' },
        // By type as a whole: Pact's JSON paths cannot name keys such as ":sev" one by one.
        ExpressionAttributeValues: M.like({ ':s': { S: 'failed' }, ':rank': { N: '3' }, ':at': { N: String(AT + 60) }, ':sev': { S: 'permanent' }, ':r': { S: 'bounce' }, ':id': { S: 'fake-event-id' } }),
      },
      status: 200, responseHeaders: jsonAnswer('1.0'), json: {},
    }],
    run: (endpoint) => deliveries(endpoint).record({ messageId: X.messageId, recipient: X.email, outcome: 'permanent_fail', at: AT + 60, reason: 'bounce', eventId: 'fake-event-id' }),
    expected: true,
  },
  {
    title: 'dynamoDeliveries.record keeps the first time of an engagement event beside the outcome (UpdateItem of its own attribute)',
    interactions: [{
      given: [S.deliveriesStored], uponReceiving: 'a conditional UpdateItem of a delivery\'s first open', method: 'POST', path: '/', headers: ddb('UpdateItem'),
      body: {
        TableName: M.like(X.deliveriesTable), Key: deliveryKey,
        UpdateExpression: 'SET #e = :at',
        ConditionExpression: 'attribute_not_exists(#e) OR #e > :at',
        ExpressionAttributeNames: { '#e': M.regex('^(opened|clicked|unsubscribed|complained)$', 'opened') },
        ExpressionAttributeValues: M.like({ ':at': { N: String(AT + 120) } }),
      },
      status: 200, responseHeaders: jsonAnswer('1.0'), json: {},
    }],
    run: (endpoint) => deliveries(endpoint).record({ messageId: X.messageId, recipient: X.email, engagement: 'opened', at: AT + 120 }),
    expected: true,
  },
  {
    title: 'dynamoDeliveries.forMessage reads a message\'s deliveries (Query on the hash key)',
    interactions: [{
      given: [S.deliveriesStored], uponReceiving: 'a Query of a message\'s deliveries', method: 'POST', path: '/', headers: ddb('Query'),
      body: { TableName: M.like(X.deliveriesTable), KeyConditionExpression: 'messageId = :m', ExpressionAttributeValues: M.like({ ':m': { S: X.messageId } }) },
      status: 200, responseHeaders: jsonAnswer('1.0'),
      json: { Items: M.eachLike({ ...deliveryKey, status: { S: M.regex('^(accepted|delivered|failed|opened|clicked|complained|unsubscribed)$', 'accepted') }, at: ddbNumber(AT) }), Count: M.integer(1) }, reads: 'Items',
    }],
    run: (endpoint) => deliveries(endpoint).forMessage(X.messageId),
    expected: [{ messageId: X.messageId, recipient: X.email, outcome: 'accepted', at: AT, engagement: {} }],
  },
  {
    title: 'loadCloudFrontKey reads the key pair from Secrets Manager at cold start (GetSecretValue)',
    interactions: [{
      given: [S.cloudfrontSecret], uponReceiving: 'a GetSecretValue of the CloudFront key', method: 'POST', path: '/',
      headers: jsonCall('secretsmanager', 'secretsmanager.GetSecretValue', '1.1'), body: { SecretId: M.like(X.cloudfrontSecret) },
      status: 200, responseHeaders: jsonAnswer('1.1'),
      json: { Name: M.like(X.cloudfrontSecret), SecretString: M.like(FAKE_SECRET_STRING), VersionId: M.like('00000000-0000-4000-8000-000000000000') }, reads: 'SecretString',
    }],
    run: async (endpoint) => {
      const sm = new SecretsManagerClient(awsClientConfig(awsEnv(endpoint)));
      try { return await loadCloudFrontKey(sm, X.cloudfrontSecret); } finally { sm.destroy(); }
    },
    expected: { keyPairId: FAKE_KEY_PAIR_ID, privateKey: FAKE_PRIVATE_KEY, versionId: '00000000-0000-4000-8000-000000000000' },
  },
  {
    title: 's3ReportStore.objects lists a month\'s reports (ListObjectsV2 by prefix)',
    interactions: [{
      given: [S.reportsStored], uponReceiving: 'a ListObjectsV2 of a month folder', method: 'GET', path: listPath,
      query: { 'list-type': '2', prefix: prefix(X.reportsMonth) }, headers: s3Call(),
      status: 200, responseHeaders: xmlAnswer(), xml: monthListing, xmlRules: monthRules,
    }],
    run: (endpoint) => reports(endpoint).objects(X.reportsMonth),
    expected: [{ key: `${X.reportsMonth}payout-summary.pdf`, size: 1024, lastModified: '2025-07-01T00:00:00.000Z' }],
  },
  {
    title: 's3ReportStore.requireFile checks a report exists before a download URL is handed out (HeadObject)',
    interactions: [{
      given: [S.reportsStored], uponReceiving: 'a HeadObject of one report', method: 'HEAD',
      path: M.regex('^/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/reports/\\S+$', `/${X.reportsBucket}/${X.reportsMonth}payout-summary.pdf`), headers: s3Call(),
      status: 200, responseHeaders: { 'content-length': M.regex('^\\d+$', '1024'), etag: M.regex('^".*"$', '"9b2cf535f27731c974343645a3985328"') },
    }],
    run: (endpoint) => reports(endpoint).requireFile(`${X.reportsMonth}payout-summary.pdf`),
    expected: undefined,
  },
  {
    title: 's3ReportStore.browse lists one page of a folder (ListObjectsV2 with delimiter and page size)',
    interactions: [{
      given: [S.reportsStored], uponReceiving: 'a ListObjectsV2 page of a folder\'s sub-folders', method: 'GET', path: listPath,
      query: { 'list-type': '2', prefix: prefix(X.reportsFolder), delimiter: '/', 'max-keys': M.regex('^\\d+$', '50') }, headers: s3Call(),
      status: 200, responseHeaders: xmlAnswer(), xml: folderListing, xmlRules: folderRules,
    }],
    run: (endpoint) => reports(endpoint).browse(X.reportsFolder, 50),
    expected: { folders: [`${X.reportsFolder}2025/`], files: [], nextToken: undefined },
  },
];
