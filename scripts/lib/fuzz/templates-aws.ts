/**
 * Starting requests for each service behind the AWS edge, as the SDK sends them. Writes and deletes touch only
 * fuzz-owned names (bucket, table, queue, secret, parameter path made by `prepareAws`), so a mutated method or
 * body can never remove what the other surfaces rely on; reads also look at the stack's own data.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { request, type RequestModel } from './request.ts';

export type AwsService = 's3' | 'ssm' | 'sqs' | 'dynamodb' | 'secretsmanager';
import type { Make } from './templates-fakes.ts';

export const FUZZ = { bucket: 'gatehouse-fuzz', table: 'gatehouse-fuzz', queue: 'gatehouse-fuzz', secret: 'fuzz/secret', parameter: '/fuzz/param' };

/** What the JSON services' requests look like on the wire (target header and JSON version per service). */
const JSON_PROTOCOL: Record<Exclude<AwsService, 's3'>, { prefix: string; contentType: string }> = {
  ssm: { prefix: 'AmazonSSM.', contentType: 'application/x-amz-json-1.1' },
  sqs: { prefix: 'AmazonSQS.', contentType: 'application/x-amz-json-1.0' },
  dynamodb: { prefix: 'DynamoDB_20120810.', contentType: 'application/x-amz-json-1.0' },
  secretsmanager: { prefix: 'secretsmanager.', contentType: 'application/x-amz-json-1.1' },
};

const call = (service: Exclude<AwsService, 's3'>, op: string, input: unknown): Make => () => {
  const p = JSON_PROTOCOL[service];
  return request('POST', '/', { headers: { 'x-amz-target': `${p.prefix}${op}`, 'content-type': p.contentType }, json: input });
};

export function awsTemplates(service: AwsService, queueUrl: string): Make[] {
  switch (service) {
    case 'ssm':
      return [
        call('ssm', 'GetParameter', { Name: '/gatehouse/extend/users/ada_at_example.com/password', WithDecryption: true }),
        call('ssm', 'GetParameter', { Name: FUZZ.parameter }),
        call('ssm', 'PutParameter', { Name: `${FUZZ.parameter}/w`, Value: 'v', Type: 'SecureString', Overwrite: true, Tags: [] }),
        call('ssm', 'GetParameters', { Names: [FUZZ.parameter, '/nope'], WithDecryption: false }),
        call('ssm', 'GetParametersByPath', { Path: '/fuzz', Recursive: true, MaxResults: 5, ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['String'] }] }),
        call('ssm', 'DescribeParameters', { ParameterFilters: [{ Key: 'Path', Values: ['/fuzz'] }], MaxResults: 10 }),
        call('ssm', 'GetParameterHistory', { Name: FUZZ.parameter, MaxResults: 5 }),
        call('ssm', 'LabelParameterVersion', { Name: FUZZ.parameter, Labels: ['fuzz'] }),
        call('ssm', 'ListTagsForResource', { ResourceType: 'Parameter', ResourceId: FUZZ.parameter }),
      ];
    case 'sqs':
      return [
        call('sqs', 'ListQueues', { QueueNamePrefix: 'gatehouse', MaxResults: 10 }),
        call('sqs', 'GetQueueUrl', { QueueName: FUZZ.queue }),
        call('sqs', 'SendMessage', { QueueUrl: queueUrl, MessageBody: '{"fuzz":true}', DelaySeconds: 0, MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }),
        call('sqs', 'SendMessageBatch', { QueueUrl: queueUrl, Entries: [{ Id: '1', MessageBody: 'one' }, { Id: '2', MessageBody: 'two' }] }),
        call('sqs', 'ReceiveMessage', { QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, AttributeNames: ['All'] }),
        call('sqs', 'GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['All'] }),
        call('sqs', 'ChangeMessageVisibility', { QueueUrl: queueUrl, ReceiptHandle: 'not-a-handle', VisibilityTimeout: 5 }),
        call('sqs', 'TagQueue', { QueueUrl: queueUrl, Tags: { fuzz: '1' } }),
        call('sqs', 'ListQueueTags', { QueueUrl: queueUrl }),
        call('sqs', 'ListDeadLetterSourceQueues', { QueueUrl: queueUrl, MaxResults: 5 }),
      ];
    case 'dynamodb':
      return [
        call('dynamodb', 'ListTables', { Limit: 10 }),
        call('dynamodb', 'DescribeTable', { TableName: FUZZ.table }),
        call('dynamodb', 'PutItem', { TableName: FUZZ.table, Item: { pk: { S: 'k1' }, n: { N: '1' }, m: { M: { a: { L: [{ S: 'x' }, { BOOL: true }] } } } } }),
        call('dynamodb', 'GetItem', { TableName: FUZZ.table, Key: { pk: { S: 'k1' } }, ConsistentRead: true }),
        call('dynamodb', 'GetItem', { TableName: 'gatehouse-api-tokens', Key: { tokenHash: { S: '00' } } }),
        call('dynamodb', 'UpdateItem', { TableName: FUZZ.table, Key: { pk: { S: 'k1' } }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' }),
        call('dynamodb', 'Query', { TableName: FUZZ.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'k1' } }, Limit: 5 }),
        call('dynamodb', 'Scan', { TableName: FUZZ.table, Limit: 5, FilterExpression: 'attribute_exists(n)' }),
        call('dynamodb', 'BatchGetItem', { RequestItems: { [FUZZ.table]: { Keys: [{ pk: { S: 'k1' } }, { pk: { S: 'k2' } }] } } }),
        call('dynamodb', 'DescribeTimeToLive', { TableName: FUZZ.table }),
      ];
    case 'secretsmanager':
      return [
        call('secretsmanager', 'GetSecretValue', { SecretId: FUZZ.secret }),
        call('secretsmanager', 'GetSecretValue', { SecretId: 'cloudfront-private-key', VersionStage: 'AWSCURRENT' }),
        call('secretsmanager', 'PutSecretValue', { SecretId: FUZZ.secret, SecretString: '{"k":"v"}', ClientRequestToken: '00000000-0000-4000-8000-000000000000' }),
        call('secretsmanager', 'DescribeSecret', { SecretId: FUZZ.secret }),
        call('secretsmanager', 'ListSecrets', { MaxResults: 5, Filters: [{ Key: 'name', Values: ['fuzz'] }] }),
        call('secretsmanager', 'ListSecretVersionIds', { SecretId: FUZZ.secret }),
        call('secretsmanager', 'UpdateSecret', { SecretId: FUZZ.secret, Description: 'fuzz' }),
        call('secretsmanager', 'TagResource', { SecretId: FUZZ.secret, Tags: [{ Key: 'fuzz', Value: '1' }] }),
        call('secretsmanager', 'BatchGetSecretValue', { SecretIdList: [FUZZ.secret, 'fuzz/none'] }),
        call('secretsmanager', 'GetRandomPassword', { PasswordLength: 16, ExcludePunctuation: true }),
        call('secretsmanager', 'DeleteSecret', { SecretId: 'fuzz/never-created', ForceDeleteWithoutRecovery: true }),
      ];
    case 's3':
      return [
        () => request('PUT', `/${FUZZ.bucket}/objects/one.txt`, { headers: { 'content-type': 'text/plain', 'x-amz-meta-fuzz': '1' }, body: 'hello fuzz' }),
        () => request('GET', `/${FUZZ.bucket}/objects/one.txt`),
        () => request('HEAD', `/${FUZZ.bucket}/objects/one.txt`),
        () => request('GET', `/${FUZZ.bucket}/objects/one.txt`, { headers: { range: 'bytes=2-5', 'if-none-match': '"x"' } }),
        () => request('DELETE', `/${FUZZ.bucket}/objects/gone.txt`),
        () => request('GET', `/${FUZZ.bucket}`, { query: 'list-type=2&prefix=objects%2F&max-keys=5&delimiter=%2F' }),
        () => request('GET', `/${FUZZ.bucket}`, { query: 'versions&max-keys=5' }),
        () => request('POST', `/${FUZZ.bucket}/objects/multi.bin`, { query: 'uploads' }),
        () => request('POST', `/${FUZZ.bucket}`, { query: 'delete', headers: { 'content-type': 'application/xml' }, body: '<Delete><Object><Key>objects/gone.txt</Key></Object><Quiet>true</Quiet></Delete>' }),
        () => request('PUT', `/${FUZZ.bucket}/objects/tagged.txt`, { query: 'tagging', headers: { 'content-type': 'application/xml' }, body: '<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>' }),
        () => request('PUT', `/${FUZZ.bucket}/objects/cond.txt`, { headers: { 'if-none-match': '*', 'x-amz-meta-word': '=?UTF-8?B?w6k=?=' }, body: 'conditional' }),
        () => request('PUT', `/${FUZZ.bucket}/objects/copy.txt`, { headers: { 'x-amz-copy-source': `/${FUZZ.bucket}/objects/one.txt`, 'x-amz-copy-source-if-match': '"x"' } }),
        () => request('PUT', `/${FUZZ.bucket}/objects/multi.bin`, { query: 'partNumber=1&uploadId=x', headers: { 'x-amz-copy-source': `/${FUZZ.bucket}/objects/one.txt`, 'x-amz-copy-source-range': 'bytes=0-4' } }),
        () => request('GET', `/${FUZZ.bucket}`, { query: 'uploads&max-uploads=5&prefix=objects%2F&delimiter=%2F' }),
        () => request('GET', `/${FUZZ.bucket}/objects/one.txt`, { query: 'partNumber=1' }),
        () => request('GET', '/gatehouse-package-assets/reports/DN-1001/2025/07/royalty-statement.pdf'),
        () => request('GET', '/'),
        // Access, tagging, encryption and attributes (issue 16): documents and headers the mutations can break.
        () => request('GET', `/${FUZZ.bucket}/objects/tagged.txt`, { query: 'tagging' }),
        () => request('PUT', `/${FUZZ.bucket}`, { query: 'tagging', headers: { 'content-type': 'application/xml' }, body: '<Tagging><TagSet><Tag><Key>team</Key><Value>fuzz</Value></Tag></TagSet></Tagging>' }),
        () => request('PUT', `/${FUZZ.bucket}/objects/acl.txt`, { headers: { 'x-amz-acl': 'bucket-owner-full-control', 'x-amz-tagging': 'a=1&b=2', 'x-amz-storage-class': 'STANDARD_IA' }, body: 'acl' }),
        () => request('GET', `/${FUZZ.bucket}/objects/one.txt`, { query: 'acl' }),
        () => request('PUT', `/${FUZZ.bucket}`, { query: 'acl', headers: { 'content-type': 'application/xml' }, body: '<AccessControlPolicy><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>' }),
        () => request('PUT', `/${FUZZ.bucket}`, { query: 'policy', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: '111111111111' }, Action: ['s3:GetObject'], Resource: `arn:aws:s3:::${FUZZ.bucket}/objects/*`, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, StringLike: { 's3:prefix': 'a*' } } }] }) }),
        () => request('GET', `/${FUZZ.bucket}`, { query: 'policyStatus' }),
        () => request('PUT', `/${FUZZ.bucket}`, { query: 'publicAccessBlock', headers: { 'content-type': 'application/xml' }, body: '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>' }),
        () => request('PUT', `/${FUZZ.bucket}`, { query: 'ownershipControls', headers: { 'content-type': 'application/xml' }, body: '<OwnershipControls><Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>' }),
        () => request('PUT', `/${FUZZ.bucket}`, { query: 'encryption', headers: { 'content-type': 'application/xml' }, body: '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>' }),
        () => request('PUT', `/${FUZZ.bucket}/objects/sse-c.txt`, { headers: { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': 'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=', 'x-amz-server-side-encryption-customer-key-md5': 'hRasmdxgYDKV3nvbahU1MA==' }, body: 'secret' }),
        () => request('PUT', `/${FUZZ.bucket}/objects/sse.txt`, { headers: { 'x-amz-server-side-encryption': 'AES256' }, body: 'encrypted at rest' }),
        () => request('GET', `/${FUZZ.bucket}/objects/sse.txt`, { headers: { range: 'bytes=3-9' } }),
        () => request('GET', `/${FUZZ.bucket}/objects/one.txt`, { query: 'attributes', headers: { 'x-amz-object-attributes': 'ETag,Checksum,ObjectParts,StorageClass,ObjectSize', 'x-amz-max-parts': '2' } }),
        () => request('POST', `/${FUZZ.bucket}/objects/multi.bin`, { query: 'uploads', headers: { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'FULL_OBJECT' } }),
        () => request('POST', `/${FUZZ.bucket}`, { headers: { 'content-type': 'multipart/form-data; boundary=fuzzfuzz' }, body: ['--fuzzfuzz', 'Content-Disposition: form-data; name="key"', '', 'objects/${filename}', '--fuzzfuzz', 'Content-Disposition: form-data; name="success_action_status"', '', '201', '--fuzzfuzz', 'Content-Disposition: form-data; name="file"; filename="form.txt"', 'Content-Type: text/plain', '', 'form body', '--fuzzfuzz--', ''].join('\r\n') }),
      ];
  }
}

/** Create the fuzz-owned resources (idempotent). Returns the fuzz queue's URL. */
export async function prepareAws(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): Promise<string> {
  const cfg = { endpoint, region, credentials };
  const ignore = (names: string[]) => (e: { name?: string }) => {
    if (!names.includes(e.name ?? '')) throw e;
  };
  const s3 = new S3Client({ ...cfg, forcePathStyle: true });
  const ddb = new DynamoDBClient(cfg);
  const sqs = new SQSClient(cfg);
  const sm = new SecretsManagerClient(cfg);
  const ssm = new SSMClient(cfg);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: FUZZ.bucket })).catch(ignore(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists']));
    await ddb.send(new CreateTableCommand({ TableName: FUZZ.table, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' })).catch(ignore(['ResourceInUseException']));
    await sm.send(new CreateSecretCommand({ Name: FUZZ.secret, SecretString: '{"fuzz":true}' })).catch(ignore(['ResourceExistsException']));
    await ssm.send(new PutParameterCommand({ Name: FUZZ.parameter, Value: 'fuzz', Type: 'String', Overwrite: true }));
    return (await sqs.send(new CreateQueueCommand({ QueueName: FUZZ.queue }))).QueueUrl!;
  } finally {
    for (const c of [s3, ddb, sqs, sm, ssm]) c.destroy();
  }
}
