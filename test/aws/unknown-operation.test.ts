/**
 * An operation a JSON service does not have answers that service's own "unknown operation" error, through the SDK
 * v3 clients: coral's UnknownOperationException (HTTP 400) for SSM, Secrets Manager and DynamoDB, and for SQS the
 * query-compatible InvalidAction the SDK reads from `x-amzn-query-error`. A made-up X-Amz-Target is unknown to any
 * endpoint; a real operation the edge does not serve is asserted on the embedded edge only.
 */
import { expect } from 'chai';
import { SSMClient, DescribeParametersCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { SecretsManagerClient, ListSecretsCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { SQSClient, ListQueuesCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, ListTablesCommand, TransactGetItemsCommand } from '@aws-sdk/client-dynamodb';
import { awsTarget, errorOf, retarget, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

interface Case {
  service: string;
  client: (t: AwsTarget) => { send(c: unknown): Promise<unknown>; destroy(): void; middlewareStack: { add: (mw: any, opts: any) => void } };
  /** A served command to carry the made-up target, and a real operation the edge does not serve. */
  carrier: unknown;
  unserved: unknown;
  target: string;
  name: string;
}

const cases: Case[] = [
  { service: 'SSM', client: (t) => new SSMClient(sdkConfig(t)), carrier: new DescribeParametersCommand({}), unserved: new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'] }), target: 'AmazonSSM.FrobnicateParameter', name: 'UnknownOperationException' },
  { service: 'Secrets Manager', client: (t) => new SecretsManagerClient(sdkConfig(t)), carrier: new ListSecretsCommand({}), unserved: new RotateSecretCommand({ SecretId: 'x' }), target: 'secretsmanager.FrobnicateSecret', name: 'UnknownOperationException' },
  { service: 'DynamoDB', client: (t) => new DynamoDBClient(sdkConfig(t)), carrier: new ListTablesCommand({}), unserved: new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: 'x', Key: { pk: { S: 'a' } } } }] }), target: 'DynamoDB_20120810.FrobnicateTable', name: 'UnknownOperationException' },
  { service: 'SQS', client: (t) => new SQSClient(sdkConfig(t)), carrier: new ListQueuesCommand({}), unserved: new StartMessageMoveTaskCommand({ SourceArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' }), target: 'AmazonSQS.FrobnicateQueue', name: 'InvalidAction' },
];

describe('an operation a JSON service does not have', () => {
  let target: AwsTarget;
  before(async () => {
    target = await awsTarget();
  });
  after(async () => {
    await target.close();
  });

  for (const c of cases) {
    it(`${c.service} answers ${c.name} with HTTP 400`, async () => {
      const client = c.client(target);
      retarget(client, c.target);
      try {
        const e = await errorOf(client.send(c.carrier));
        if (target.embedded) expect(e.name).to.equal(c.name);
        else expect(e.name).to.be.oneOf(['UnknownOperationException', 'InvalidAction']);
        expect(e.$metadata.httpStatusCode).to.be.within(400, 404);
      } finally {
        client.destroy();
      }
    });

    it(`${c.service}: an SDK operation the edge does not serve is the same error (embedded edge)`, async function () {
      if (!target.embedded) this.skip();
      const client = c.client(target);
      try {
        const e = await errorOf(client.send(c.unserved));
        expect(e.name).to.equal(c.name);
        expect(e.$metadata.httpStatusCode).to.equal(400);
      } finally {
        client.destroy();
      }
    });
  }
});
