/**
 * Every DynamoDB operation the edge serves, one SDK v3 command each (the low-level client, so each test names
 * the operation it sends); runs against any AWS_ENDPOINT_URL.
 */
import { expect } from 'chai';
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, ListTablesCommand, UpdateTableCommand, DeleteTableCommand,
  PutItemCommand, GetItemCommand, UpdateItemCommand, DeleteItemCommand, QueryCommand, ScanCommand, BatchGetItemCommand,
  BatchWriteItemCommand, TagResourceCommand, UntagResourceCommand, ListTagsOfResourceCommand, waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('DynamoDB operations through the AWS edge', () => {
  let target: AwsTarget;
  let ddb: DynamoDBClient;
  const table = `ops-${Date.now().toString(36)}`;
  let arn: string;
  const key = (pk: string) => ({ pk: { S: pk } });

  before(async () => {
    target = await awsTarget();
    ddb = new DynamoDBClient(sdkConfig(target));
    const created = await ddb.send(new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    arn = created.TableDescription!.TableArn!;
    await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: table });
  });
  after(async () => {
    ddb.destroy();
    await target.close();
  });

  it('CreateTable refuses a table that exists; DescribeTable and ListTables see it', async () => {
    const again = await errorOf(ddb.send(new CreateTableCommand({
      TableName: table, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST',
    })));
    expect(again.name).to.equal('ResourceInUseException');
    const described = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table!;
    expect(described).to.include({ TableName: table, TableStatus: 'ACTIVE' });
    expect(described.KeySchema).to.deep.equal([{ AttributeName: 'pk', KeyType: 'HASH' }]);
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).to.include(table);
  });

  it('PutItem, GetItem, UpdateItem (with a failed condition) and DeleteItem', async () => {
    await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key('a'), n: { N: '1' } } }));
    expect((await ddb.send(new GetItemCommand({ TableName: table, Key: key('a') }))).Item).to.deep.equal({ pk: { S: 'a' }, n: { N: '1' } });
    const up = await ddb.send(new UpdateItemCommand({ TableName: table, Key: key('a'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'UPDATED_NEW' }));
    expect(up.Attributes).to.deep.equal({ n: { N: '2' } });
    const conditional = await errorOf(ddb.send(new UpdateItemCommand({ TableName: table, Key: key('a'), UpdateExpression: 'SET n = :z', ConditionExpression: 'n = :nine', ExpressionAttributeValues: { ':z': { N: '0' }, ':nine': { N: '9' } } })));
    expect(conditional.name).to.equal('ConditionalCheckFailedException');
    const deleted = await ddb.send(new DeleteItemCommand({ TableName: table, Key: key('a'), ReturnValues: 'ALL_OLD' }));
    expect(deleted.Attributes!.n).to.deep.equal({ N: '2' });
    expect((await ddb.send(new GetItemCommand({ TableName: table, Key: key('a') }))).Item).to.equal(undefined);
  });

  it('BatchWriteItem and BatchGetItem move several items in one call; Query and Scan read them', async () => {
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: ['b1', 'b2', 'b3'].map((pk) => ({ PutRequest: { Item: { ...key(pk), kind: { S: 'batch' } } } })) } }));
    const got = await ddb.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: [key('b1'), key('b3'), key('zz')] } } }));
    expect(got.Responses![table].map((i) => i.pk.S)).to.have.members(['b1', 'b3']);
    const q = await ddb.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'b2' } } }));
    expect(q.Items!.map((i) => i.pk.S)).to.deep.equal(['b2']);
    const scan = await ddb.send(new ScanCommand({ TableName: table, FilterExpression: 'kind = :k', ExpressionAttributeValues: { ':k': { S: 'batch' } } }));
    expect(scan.Count).to.equal(3);
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [table]: ['b1', 'b2', 'b3'].map((pk) => ({ DeleteRequest: { Key: key(pk) } })) } }));
    expect((await ddb.send(new ScanCommand({ TableName: table }))).Count).to.equal(0);
  });

  it('TagResource, ListTagsOfResource and UntagResource on the table ARN', async () => {
    await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'cards' }, { Key: 'env', Value: 'dev' }] }));
    const tags = async () => (await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags ?? [];
    expect(await tags()).to.have.deep.members([{ Key: 'team', Value: 'cards' }, { Key: 'env', Value: 'dev' }]);
    await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    expect(await tags()).to.deep.equal([{ Key: 'env', Value: 'dev' }]);
  });

  it('UpdateTable changes provisioned throughput; DeleteTable removes the table', async () => {
    const name = `${table}-tmp`;
    await ddb.send(new CreateTableCommand({ TableName: name, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }));
    await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
    await ddb.send(new UpdateTableCommand({ TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 2 } }));
    await waitUntilTableExists({ client: ddb, maxWaitTime: 10, minDelay: 1 }, { TableName: name });
    const throughput = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table!.ProvisionedThroughput!;
    expect(throughput).to.include({ ReadCapacityUnits: 5, WriteCapacityUnits: 2 });
    const deleted = await ddb.send(new DeleteTableCommand({ TableName: name }));
    expect(deleted.TableDescription!.TableName).to.equal(name);
    for (let i = 0; i < 50; i++) {
      const e = await ddb.send(new DescribeTableCommand({ TableName: name })).then(() => undefined, (err: Error) => err);
      if (e) return void expect(e.name).to.equal('ResourceNotFoundException');
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('table still exists');
  });
});
