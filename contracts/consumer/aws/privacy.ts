/**
 * The customerio function's privacy calls, from its own code (proxy/routes/customerio/webhook-events.ts,
 * personal-data.ts) with a DynamoDB client built as privacyServices builds it: a Customer.io reporting event stored
 * once, and a "forget me" — the Extend session deleted by key, the other tables scanned for the person and each item
 * found deleted on condition that it still names them. Wire shapes: DynamoDB API reference (PutItem, Scan,
 * DeleteItem with ReturnValues and ConditionExpression).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MatchersV3 as M } from '@pact-foundation/pact';
import { awsClientConfig } from '../../../proxy/core/aws.ts';
import { PersonalData } from '../../../proxy/routes/customerio/personal-data.ts';
import { WebhookEvents } from '../../../proxy/routes/customerio/webhook-events.ts';
import type { AwsFlow, AwsInteraction } from './run.ts';
import { AWS_STATES as S, EXAMPLES as X } from './states.ts';
import { awsEnv, ddbNumber, ddbString, jsonAnswer, jsonCall } from './wire.ts';

const ddb = (op: string) => jsonCall('dynamodb', `DynamoDB_20120810.${op}`, '1.0');
const ddbOk = (json: unknown, reads?: string): Pick<AwsInteraction, 'status' | 'responseHeaders' | 'json' | 'reads'> => ({ status: 200, responseHeaders: jsonAnswer('1.0'), json, reads });
const doc = (endpoint: string) => DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig(awsEnv(endpoint))), { marshallOptions: { removeUndefinedValues: true } });
const TABLES = { extendTokens: X.sessionTable, apiTokens: X.apiTokenTable, mailDeliveries: X.deliveriesTable, webhookEvents: X.webhookEventsTable };
const AT = 1754049600;
// Pact's JSON paths cannot name keys such as ":v": the value map is matched by type as a whole.
const person = () => M.like({ ':v': { S: X.email } });

/** A Scan of one table for the items naming the person, projecting only their keys. */
const scan = (table: string, attribute: string, keys: string[], items: unknown[]): AwsInteraction => ({
  given: [S.personalData], uponReceiving: `a Scan of ${table} for a person's items`, method: 'POST', path: '/', headers: ddb('Scan'),
  body: {
    TableName: M.like(table), ProjectionExpression: keys.map((_, i) => `#k${i}`).join(', '), FilterExpression: '#a = :v',
    ExpressionAttributeNames: { '#a': attribute, ...Object.fromEntries(keys.map((k, i) => [`#k${i}`, k])) }, ExpressionAttributeValues: person(),
  },
  ...ddbOk({ Items: items, Count: items.length, ScannedCount: items.length }, 'Items'),
});

export const privacyFlows: AwsFlow[] = [
  {
    title: 'WebhookEvents.record stores a Customer.io reporting event once, by its event id (PutItem, attribute_not_exists)',
    interactions: [{
      given: [S.webhookEventsTable], uponReceiving: 'a conditional PutItem of a Customer.io webhook event', method: 'POST', path: '/', headers: ddb('PutItem'),
      body: {
        TableName: M.like(X.webhookEventsTable),
        Item: {
          eventId: ddbString(X.webhookEventId), objectType: ddbString('email'), metric: ddbString('delivered'), timestamp: ddbNumber(AT),
          deliveryId: ddbString('RPILAgUBcRhIBqSfeiIwdIYJKxTY'), customer: ddbString(X.email), receivedAt: ddbNumber(AT), expiresAt: ddbNumber(AT + 90 * 86_400),
        },
        ConditionExpression: 'attribute_not_exists(eventId)',
      },
      ...ddbOk({}),
    }],
    run: (endpoint) => new WebhookEvents(doc(endpoint), X.webhookEventsTable, 90).record(
      { eventId: X.webhookEventId, objectType: 'email', metric: 'delivered', timestamp: AT, deliveryId: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', customer: X.email }, AT * 1000),
    expected: true,
  },
  {
    title: 'PersonalData.forget removes every item naming the person (DeleteItem by key; Scan, then DeleteItem on condition)',
    interactions: [
      {
        given: [S.personalData], uponReceiving: 'a DeleteItem of a person\'s Extend session by key', method: 'POST', path: '/', headers: ddb('DeleteItem'),
        body: { TableName: M.like(X.sessionTable), Key: { email: ddbString(X.email) }, ReturnValues: 'ALL_OLD' },
        ...ddbOk({}),
      },
      scan(X.apiTokenTable, 'email', ['tokenHash'], []),
      scan(X.deliveriesTable, 'recipient', ['messageId', 'recipient'], []),
      scan(X.webhookEventsTable, 'customer', ['eventId'], [{ eventId: { S: X.webhookEventId } }]),
      {
        given: [S.personalData], uponReceiving: 'a DeleteItem of an item on condition that it still names the person', method: 'POST', path: '/', headers: ddb('DeleteItem'),
        body: {
          TableName: M.like(X.webhookEventsTable), Key: M.like({ eventId: { S: X.webhookEventId } }),
          ConditionExpression: '#a = :v', ExpressionAttributeNames: { '#a': M.regex('^(email|recipient|customer)$', 'customer') }, ExpressionAttributeValues: person(),
        },
        ...ddbOk({}),
      },
    ],
    run: (endpoint) => new PersonalData(doc(endpoint), TABLES).forget(X.email),
    expected: { removed: { [X.sessionTable]: 0, [X.apiTokenTable]: 0, [X.deliveriesTable]: 0, [X.webhookEventsTable]: 1 }, failed: {} },
  },
];
