/**
 * The /send-mail idempotency records' DynamoDB calls (proxy/routes/mail/send-records.ts), from the store itself:
 * the conditional create, the consistent read, and every owner-conditioned update a send makes on the way.
 * Wire shapes: DynamoDB API reference (PutItem, GetItem, UpdateItem, DeleteItem; ConditionExpression).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { awsClientConfig } from '../../../proxy/core/aws.ts';
import { dynamoSendRecords, type SendRecord } from '../../../proxy/routes/mail/send-records.ts';
import type { AwsFlow, AwsInteraction } from './run.ts';
import { AWS_STATES as S, EXAMPLES as X, SEND_RECORD as R } from './states.ts';
import { awsEnv, ddbNumber, jsonAnswer, jsonCall } from './wire.ts';

const ddb = (op: string) => jsonCall('dynamodb', `DynamoDB_20120810.${op}`, '1.0');
const records = (endpoint: string) => dynamoSendRecords(
  DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig(awsEnv(endpoint))), { marshallOptions: { removeUndefinedValues: true } }), X.idempotencyTable, () => R.now);

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const HEX64 = '^[0-9a-f]{64}$';
const key = { key: { S: M.regex(HEX64, R.key) } };
/** The record as a flow's code holds it: in progress, owned by the state's owner. */
const held = (): SendRecord => ({ key: R.key, fingerprint: R.fingerprint, status: 'in_progress', owner: R.owner, leaseUntil: 0, batchSize: 1000, sent: {}, createdAt: R.createdAt, expiresAt: R.expiresAt });
const owned = { ConditionExpression: '#o = :me' };

function update(uponReceiving: string, given: string, body: Record<string, unknown>): AwsInteraction {
  return { given: [given], uponReceiving, method: 'POST', path: '/', headers: ddb('UpdateItem'), body: { TableName: M.like(X.idempotencyTable), Key: key, ...body }, status: 200, responseHeaders: jsonAnswer('1.0'), json: {} };
}

export const mailIdempotencyFlows: AwsFlow[] = [
  {
    title: 'sendRecords.create claims a key unless a live record holds it (PutItem, attribute_not_exists or expired)',
    interactions: [{
      given: [S.idempotencyTable], uponReceiving: 'a conditional PutItem of a new send record', method: 'POST', path: '/', headers: ddb('PutItem'),
      body: {
        TableName: M.like(X.idempotencyTable),
        Item: {
          ...key, fingerprint: { S: M.regex(HEX64, R.fingerprint) }, leaseUntil: ddbNumber(R.now + 65_000), batchSize: ddbNumber(1000), createdAt: ddbNumber(R.createdAt),
          expiresAt: ddbNumber(R.expiresAt), owner: { S: M.regex(UUID, R.owner) }, status: { S: 'in_progress' }, sent: { M: {} },
        },
        ConditionExpression: 'attribute_not_exists(#k) OR expiresAt < :now', ExpressionAttributeNames: { '#k': 'key' }, ExpressionAttributeValues: { ':now': ddbNumber(Math.floor(R.now / 1000)) },
      },
      status: 200, responseHeaders: jsonAnswer('1.0'), json: {},
    }],
    run: async (endpoint) => {
      const r = await records(endpoint).create({ key: R.key, fingerprint: R.fingerprint, leaseUntil: R.now + 65_000, batchSize: 1000, createdAt: R.createdAt, expiresAt: R.expiresAt });
      return r && { ...r, owner: UUID_SHAPE.test(r.owner) };
    },
    expected: { key: R.key, fingerprint: R.fingerprint, leaseUntil: R.now + 65_000, batchSize: 1000, createdAt: R.createdAt, expiresAt: R.expiresAt, owner: true, status: 'in_progress', sent: {} },
  },
  {
    title: 'sendRecords.get reads a key\'s record with a consistent read (GetItem) and returns its stored answer',
    interactions: [{
      given: [S.sendRecordDone], uponReceiving: 'a consistent GetItem of a send record', method: 'POST', path: '/', headers: ddb('GetItem'),
      body: { TableName: M.like(X.idempotencyTable), Key: key, ConsistentRead: true },
      status: 200, responseHeaders: jsonAnswer('1.0'), reads: 'Item',
      json: { Item: {
        ...key, fingerprint: { S: M.like(R.fingerprint) }, status: { S: 'done' }, owner: { S: M.like(R.owner) }, leaseUntil: ddbNumber(0), batchSize: ddbNumber(1000),
        sent: { M: { 0: { S: M.like(R.messageId) } } }, answer: { S: M.like(R.answer) }, createdAt: ddbNumber(R.createdAt), expiresAt: ddbNumber(R.expiresAt),
      } },
    }],
    run: (endpoint) => records(endpoint).get(R.key),
    expected: { ...held(), status: 'done', sent: { 0: R.messageId }, answer: R.answer },
  },
  {
    title: 'sendRecords.takeOver becomes the owner of a record whose owner let go (UpdateItem on the old owner)',
    interactions: [update('a conditional UpdateItem taking a send record over', S.sendRecordHeld, {
      UpdateExpression: 'SET #o = :new, leaseUntil = :lease', ConditionExpression: '#o = :old AND #s = :progress', ExpressionAttributeNames: { '#o': 'owner', '#s': 'status' },
      ExpressionAttributeValues: M.like({ ':new': { S: R.owner }, ':old': { S: R.owner }, ':lease': { N: String(R.now + 65_000) }, ':progress': { S: 'in_progress' } }),
    })],
    run: async (endpoint) => {
      const r = await records(endpoint).takeOver(held(), R.now + 65_000);
      return r && { leaseUntil: r.leaseUntil, newOwner: r.owner !== R.owner };
    },
    expected: { leaseUntil: R.now + 65_000, newOwner: true },
  },
  {
    title: 'sendRecords.startAttempt notes the batch being sent and when, as the owner (UpdateItem)',
    interactions: [update('an UpdateItem starting a batch attempt', S.sendRecordHeld, {
      UpdateExpression: 'SET attemptBatch = :b, attemptAt = :at, leaseUntil = :lease', ...owned, ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: M.like({ ':me': { S: R.owner }, ':b': { N: '0' }, ':at': { N: String(R.now) }, ':lease': { N: String(R.now + 65_000) } }),
    })],
    run: (endpoint) => records(endpoint).startAttempt(held(), 0, R.now, R.now + 65_000),
    expected: undefined,
  },
  {
    title: 'sendRecords.recordSent stores a batch\'s message id and clears the attempt, as the owner (UpdateItem)',
    interactions: [update('an UpdateItem recording a sent batch', S.sendRecordHeld, {
      UpdateExpression: 'SET sent.#b = :id REMOVE attemptBatch, attemptAt', ...owned, ExpressionAttributeNames: { '#o': 'owner', '#b': M.regex('^\\d+$', '0') },
      ExpressionAttributeValues: M.like({ ':me': { S: R.owner }, ':id': { S: R.messageId } }),
    })],
    run: (endpoint) => records(endpoint).recordSent(held(), 0, R.messageId),
    expected: undefined,
  },
  {
    title: 'sendRecords.release lets anyone take over at once, keeping or clearing the attempt (UpdateItem)',
    interactions: [
      update('an UpdateItem releasing a send record with its attempt kept', S.sendRecordHeld, {
        UpdateExpression: 'SET leaseUntil = :zero', ...owned, ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: M.like({ ':me': { S: R.owner }, ':zero': { N: '0' } }),
      }),
      update('an UpdateItem releasing a send record with its attempt cleared', S.sendRecordHeld, {
        UpdateExpression: 'SET leaseUntil = :zero REMOVE attemptBatch, attemptAt', ...owned, ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: M.like({ ':me': { S: R.owner }, ':zero': { N: '0' } }),
      }),
    ],
    run: async (endpoint) => {
      await records(endpoint).release(held());
      await records(endpoint).release(held(), { clearAttempt: true });
    },
    expected: undefined,
  },
  {
    title: 'sendRecords.remove forgets a key nothing was sent under, as the owner (DeleteItem)',
    interactions: [{
      given: [S.sendRecordHeld], uponReceiving: 'a conditional DeleteItem of a send record', method: 'POST', path: '/', headers: ddb('DeleteItem'),
      body: { TableName: M.like(X.idempotencyTable), Key: key, ...owned, ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: M.like({ ':me': { S: R.owner } }) },
      status: 200, responseHeaders: jsonAnswer('1.0'), json: {},
    }],
    run: (endpoint) => records(endpoint).remove(held()),
    expected: undefined,
  },
  {
    title: 'sendRecords.complete stores the first answer as JSON text, as the owner (UpdateItem)',
    interactions: [update('an UpdateItem completing a send record with its answer', S.sendRecordHeld, {
      UpdateExpression: 'SET #s = :done, answer = :a, leaseUntil = :zero REMOVE attemptBatch, attemptAt', ...owned, ExpressionAttributeNames: { '#o': 'owner', '#s': 'status' },
      // Member by member (the answer is JSON text, whose braces a whole-object pattern cannot skip).
      ExpressionAttributeValues: { ':me': { S: M.like(R.owner) }, ':done': { S: 'done' }, ':a': { S: M.like(R.answer) }, ':zero': { N: '0' } },
    })],
    run: (endpoint) => records(endpoint).complete(held(), JSON.parse(R.answer)),
    expected: undefined,
  },
];

const UUID_SHAPE = new RegExp(UUID);
