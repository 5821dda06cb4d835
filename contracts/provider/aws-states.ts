/**
 * The AWS pact's provider states, put in place through the AWS SDK against the edge (as fixtures/aws/seed.json is
 * applied): each state creates the table, parameter, secret or bucket its interaction reads, after a reset.
 */
import { CreateBucketCommand, DeleteObjectCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { hashApiToken } from '../../proxy/routes/cards/api-tokens.ts';
import { FAKE_SECRET_STRING } from '../consumer/aws/mail.ts';
import { FAKE_PEM_PARAMETER } from '../consumer/aws/packages.ts';
import { AWS_STATES as S, EXAMPLES as X, SEND_RECORD as R } from '../consumer/aws/states.ts';
import type { StateHandlers } from './verify.ts';

export interface EdgeClients { ddb: DynamoDBClient; ssm: SSMClient; sm: SecretsManagerClient; s3: S3Client; sqs: SQSClient }

export function edgeClients(cfg: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } }): EdgeClients {
  return {
    ddb: new DynamoDBClient(cfg), ssm: new SSMClient(cfg), sm: new SecretsManagerClient(cfg), sqs: new SQSClient(cfg), // No checksum on upload: a stored checksum adds <ChecksumAlgorithm> to listings, which the reports never upload with.
    s3: new S3Client({ ...cfg, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' }) };
}

const s = (v: string): AttributeValue => ({ S: v });
const n = (v: number): AttributeValue => ({ N: String(v) });

async function table(c: EdgeClients, name: string, hash: string, range?: string): Promise<void> {
  const keys = [{ AttributeName: hash, KeyType: 'HASH' as const }, ...(range ? [{ AttributeName: range, KeyType: 'RANGE' as const }] : [])];
  await c.ddb.send(new CreateTableCommand({
    TableName: name, BillingMode: 'PAY_PER_REQUEST', KeySchema: keys,
    AttributeDefinitions: keys.map((k) => ({ AttributeName: k.AttributeName, AttributeType: 'S' as const })),
  }));
}

/** The versioned viewer-assets bucket holding the restore example's file (fixtures/packages/s3.json). */
async function assetsWithFile(c: EdgeClients): Promise<void> {
  await c.s3.send(new CreateBucketCommand({ Bucket: X.assetsBucket }));
  await c.s3.send(new PutBucketVersioningCommand({ Bucket: X.assetsBucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await c.s3.send(new PutObjectCommand({ Bucket: X.assetsBucket, Key: X.restoreFile, Body: 'old notes\n', ContentType: 'text/plain' }));
}

const put = (c: EdgeClients, name: string, item: Record<string, AttributeValue>) => c.ddb.send(new PutItemCommand({ TableName: name, Item: item }));

export function awsStateHandlers(c: EdgeClients): StateHandlers {
  const deliveries = () => table(c, X.deliveriesTable, 'messageId', 'recipient');
  const sessions = () => table(c, X.sessionTable, 'email');
  const tokens = () => table(c, X.apiTokenTable, 'tokenHash');
  const sendRecords = () => table(c, X.idempotencyTable, 'key');
  const sendRecord = () => ({ key: s(R.key), fingerprint: s(R.fingerprint), owner: s(R.owner), batchSize: n(1000), sent: { M: {} }, createdAt: n(R.createdAt), expiresAt: n(R.expiresAt) });
  const none = async () => undefined;
  return {
    [S.apiTokenTable]: () => tokens().then(none),
    [S.apiTokenStored]: async () => {
      await tokens();
      await put(c, X.apiTokenTable, { tokenHash: s(hashApiToken(X.apiToken)), email: s(X.email), createdAt: s('2025-01-01T00:00:00.000Z'), revoked: { BOOL: false } });
      return undefined;
    },
    [S.sessionTable]: () => sessions().then(none),
    [S.sessionCached]: async () => {
      await sessions();
      await put(c, X.sessionTable, { email: s(X.email), accessToken: s('fake-extend-access-token'), refreshToken: s('fake-extend-refresh-token'), issuedAt: s('2025-01-01T00:00:00.000Z'), expiresAt: n(4102444800) });
      return undefined;
    },
    [S.extendPassword]: async () => {
      await c.ssm.send(new PutParameterCommand({ Name: X.passwordParameter, Type: 'SecureString', Value: 'fake-extend-password-for-contracts', Overwrite: true }));
      return undefined;
    },
    [S.deliveriesTable]: () => deliveries().then(none),
    [S.deliveriesStored]: async () => {
      await deliveries();
      await put(c, X.deliveriesTable, { messageId: s(X.messageId), recipient: s(X.email), status: s('accepted'), at: n(1735689600) });
      return undefined;
    },
    [S.idempotencyTable]: () => sendRecords().then(none),
    // Far-future expiry: the record must be live whatever the clock says when the pact is verified.
    [S.sendRecordHeld]: async () => {
      await sendRecords();
      await put(c, X.idempotencyTable, { ...sendRecord(), status: s('in_progress'), leaseUntil: n(0) });
      return undefined;
    },
    [S.sendRecordDone]: async () => {
      await sendRecords();
      await put(c, X.idempotencyTable, { ...sendRecord(), status: s('done'), leaseUntil: n(0), sent: { M: { 0: s(R.messageId) } }, answer: s(R.answer) });
      return undefined;
    },
    [S.cloudfrontSecret]: async () => {
      await c.sm.send(new CreateSecretCommand({ Name: X.cloudfrontSecret, SecretString: FAKE_SECRET_STRING }));
      return undefined;
    },
    [S.cloudfrontParameter]: async () => {
      await c.ssm.send(new PutParameterCommand({ Name: X.cloudfrontParameter, Type: 'SecureString', Value: FAKE_PEM_PARAMETER, Overwrite: true }));
      return undefined;
    },
    // The example's QueueUrl names the consumer's host; the queue is found by account and name in its path.
    [S.restoreQueue]: async () => {
      await c.sqs.send(new CreateQueueCommand({ QueueName: X.restoreQueue }));
      return undefined;
    },
    // A DELETE without a version id in a versioned bucket leaves a delete marker as the latest version (S3 user
    // guide, "Deleting object versions"); its id is handed to the pact's DeleteObject.
    [S.fileBehindDeleteMarker]: async () => {
      await assetsWithFile(c);
      const marker = await c.s3.send(new DeleteObjectCommand({ Bucket: X.assetsBucket, Key: X.restoreFile }));
      if (!marker.DeleteMarker || !marker.VersionId) throw new Error('the edge left no delete marker with a version id');
      return { deleteMarkerVersionId: marker.VersionId };
    },
    [S.assetsLive]: () => assetsWithFile(c).then(none),
    [S.webhookEventsTable]: () => table(c, X.webhookEventsTable, 'eventId').then(none),
    [S.personalData]: async () => {
      await Promise.all([sessions(), tokens(), deliveries(), table(c, X.webhookEventsTable, 'eventId')]);
      await put(c, X.webhookEventsTable, { eventId: s(X.webhookEventId), objectType: s('email'), metric: s('delivered'), timestamp: n(1754049600), customer: s(X.email) });
      return undefined;
    },
    [S.reportsStored]: async () => {
      await c.s3.send(new CreateBucketCommand({ Bucket: X.reportsBucket }));
      for (const key of [`${X.reportsMonth}payout-summary.pdf`]) {
        await c.s3.send(new PutObjectCommand({ Bucket: X.reportsBucket, Key: key, Body: 'fake report', ContentType: 'application/pdf' }));
      }
      return undefined;
    },
  };
}
