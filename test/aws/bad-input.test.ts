/**
 * Malformed input to the JSON operations added for issue 15 (SSM history/labels/tags, Secrets Manager's update,
 * tag, version, batch and password operations, SQS tags and dead-letter sources): bodies that are not JSON, members
 * of the wrong type and JSON nested deeper than any parser should follow are answered with the service's 4xx JSON
 * error shape, never a 5xx, and the edge keeps serving. Signed raw requests, so the SDK's own checks are bypassed.
 */
import { expect } from 'chai';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { awsTarget, type AwsTarget } from '../helpers/aws.ts';

const services = {
  ssm: { prefix: 'AmazonSSM.', contentType: 'application/x-amz-json-1.1' },
  secretsmanager: { prefix: 'secretsmanager.', contentType: 'application/x-amz-json-1.1' },
  sqs: { prefix: 'AmazonSQS.', contentType: 'application/x-amz-json-1.0' },
} as const;

type Service = keyof typeof services;

const operations: [Service, string, Record<string, unknown>][] = [
  ['ssm', 'GetParameterHistory', { Name: 42, MaxResults: 'ten' }],
  ['ssm', 'LabelParameterVersion', { Name: '/x', Labels: 'stable', ParameterVersion: 'one' }],
  ['ssm', 'UnlabelParameterVersion', { Name: ['/x'], Labels: [1], ParameterVersion: {} }],
  ['ssm', 'AddTagsToResource', { ResourceType: 'Parameter', ResourceId: '/x', Tags: { Key: 'a' } }],
  ['ssm', 'ListTagsForResource', { ResourceType: 7, ResourceId: null }],
  ['ssm', 'RemoveTagsFromResource', { ResourceType: 'Parameter', ResourceId: '/x', TagKeys: 'a' }],
  ['secretsmanager', 'UpdateSecret', { SecretId: { a: 1 }, SecretString: 5 }],
  ['secretsmanager', 'TagResource', { SecretId: 'x', Tags: [{ Key: 1, Value: [] }] }],
  ['secretsmanager', 'UntagResource', { SecretId: 'x', TagKeys: [1, 2] }],
  ['secretsmanager', 'ListSecretVersionIds', { SecretId: 'x', MaxResults: '5' }],
  ['secretsmanager', 'BatchGetSecretValue', { SecretIdList: 'x', Filters: 'y' }],
  ['secretsmanager', 'GetRandomPassword', { PasswordLength: 'long', ExcludeNumbers: 'yes' }],
  ['secretsmanager', 'DeleteSecret', { SecretId: 'x', RecoveryWindowInDays: '7', ForceDeleteWithoutRecovery: 'true' }],
  ['sqs', 'TagQueue', { QueueUrl: 'http://x/000000000000/q', Tags: ['a'] }],
  ['sqs', 'UntagQueue', { QueueUrl: 5, TagKeys: 'a' }],
  ['sqs', 'ListQueueTags', { QueueUrl: { url: 'x' } }],
  ['sqs', 'ListDeadLetterSourceQueues', { QueueUrl: 'http://x/000000000000/q', MaxResults: 'all' }],
];

describe('malformed input to the JSON operations added for issue 15', () => {
  let target: AwsTarget;
  before(async () => {
    target = await awsTarget();
  });
  after(async () => {
    await target.close();
  });

  async function call(service: Service, op: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const url = new URL(target.endpoint);
    const signer = new SignatureV4({ service, region: target.region, credentials: target.credentials, sha256: Sha256 });
    const signed = await signer.sign({
      method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/',
      headers: { host: url.host, 'content-type': services[service].contentType, 'x-amz-target': `${services[service].prefix}${op}` },
      body,
    });
    const res = await fetch(target.endpoint, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const deep = (n: number) => `{"a":${'['.repeat(n)}${']'.repeat(n)}}`;

  for (const [service, op, wrongTypes] of operations) {
    it(`${service} ${op}: not JSON, wrong member types and 100,000-deep nesting are 4xx errors`, async () => {
      for (const body of ['{"Name":', '[1,2]', JSON.stringify(wrongTypes), deep(100_000)]) {
        const { status, json } = await call(service, op, body);
        expect(status, `${op} ${body.slice(0, 40)}`).to.be.within(400, 499);
        expect(json.__type, `${op} ${body.slice(0, 40)}`).to.be.a('string');
      }
    });
  }

  it('still serves after all of that', async () => {
    const { status } = await call('secretsmanager', 'GetRandomPassword', '{"PasswordLength":8}');
    expect(status).to.equal(200);
  });
});
