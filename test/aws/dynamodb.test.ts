import { expect } from 'chai';
import {
  DynamoDBClient, CreateTableCommand, DeleteTableCommand, DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('DynamoDB (dynalite) through the AWS edge', () => {
  let target: AwsTarget;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  const table = `tokens-${Date.now().toString(36)}`;

  before(async () => {
    target = await awsTarget();
    ddb = new DynamoDBClient(sdkConfig(target));
    doc = DynamoDBDocumentClient.from(ddb);
    await ddb.send(new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: table });
  });
  after(async () => {
    ddb.destroy();
    await target.close();
  });

  it('puts, gets, updates, queries and deletes an item', async () => {
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'user#1', sk: 'token', token: 'abc', n: 1 } }));
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'user#1', sk: 'token' } }))).Item).to.deep.equal({ pk: 'user#1', sk: 'token', token: 'abc', n: 1 });
    const up = await doc.send(new UpdateCommand({
      TableName: table, Key: { pk: 'user#1', sk: 'token' }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_NEW',
    }));
    expect(up.Attributes!.n).to.equal(2);
    const q = await doc.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'user#1' } }));
    expect(q.Items).to.have.length(1);
    await doc.send(new DeleteCommand({ TableName: table, Key: { pk: 'user#1', sk: 'token' } }));
    expect((await doc.send(new GetCommand({ TableName: table, Key: { pk: 'user#1', sk: 'token' } }))).Item).to.equal(undefined);
  });

  it('answers ResourceNotFoundException for a missing table', async () => {
    const e = await errorOf(doc.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'x', sk: 'y' } })));
    expect(e.name).to.equal('ResourceNotFoundException');
  });

  it('describes TTL as DISABLED, enables it on an attribute, and refuses to enable it twice', async () => {
    const before = await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(before.TimeToLiveDescription).to.deep.equal({ TimeToLiveStatus: 'DISABLED' });
    const up = await ddb.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
    expect(up.TimeToLiveSpecification).to.deep.equal({ Enabled: true, AttributeName: 'expiresAt' });
    const after = await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }));
    expect(after.TimeToLiveDescription).to.include({ AttributeName: 'expiresAt' });
    expect(after.TimeToLiveDescription!.TimeToLiveStatus).to.be.oneOf(['ENABLED', 'ENABLING']);
    const twice = await errorOf(ddb.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } })));
    expect(twice.name).to.equal('ValidationException');
  });

  it('keeps items past their TTL: readers must check expiry themselves, as DynamoDB deletes lazily', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'user#2', sk: 'token', expiresAt: past } }));
    const got = await doc.send(new GetCommand({ TableName: table, Key: { pk: 'user#2', sk: 'token' } }));
    expect(got.Item!.expiresAt).to.equal(past);
  });

  it('answers TTL calls on a missing table with ResourceNotFoundException', async () => {
    expect((await errorOf(ddb.send(new DescribeTimeToLiveCommand({ TableName: 'absent-table' })))).name).to.equal('ResourceNotFoundException');
    const e = await errorOf(ddb.send(new UpdateTimeToLiveCommand({ TableName: 'absent-table', TimeToLiveSpecification: { Enabled: true, AttributeName: 'x' } })));
    expect(e.name).to.equal('ResourceNotFoundException');
  });

  it('forgets TTL when a table is deleted and re-created', async function () {
    if (!target.embedded) return this.skip();
    const t = `${table}-again`;
    const create = () => ddb.send(new CreateTableCommand({
      TableName: t, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
    }));
    await create();
    await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: t });
    await ddb.send(new UpdateTimeToLiveCommand({ TableName: t, TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } }));
    await ddb.send(new DeleteTableCommand({ TableName: t }));
    await new Promise((r) => setTimeout(r, 20));
    await create();
    const d = await ddb.send(new DescribeTimeToLiveCommand({ TableName: t }));
    expect(d.TimeToLiveDescription!.TimeToLiveStatus).to.equal('DISABLED');
  });
});
