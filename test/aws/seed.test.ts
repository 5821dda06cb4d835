import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
import { SQSClient, GetQueueUrlCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { awsTarget, type AwsTarget } from '../helpers/aws.ts';
import { seedAws, extendPasswordParameter, DEFAULT_SEED_FILE, type SeedFile } from '../../emulators/aws/seed.ts';

describe('AWS seeding', () => {
  let target: AwsTarget;
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_FILE, 'utf8')) as SeedFile;

  before(async () => {
    target = await awsTarget();
  });
  after(() => target.close());

  it('creates everything on the first run and nothing on the second', async () => {
    const first = await seedAws(target.endpoint, target.credentials, target.region);
    expect(first.created.length + first.unchanged.length).to.be.greaterThan(5);
    const second = await seedAws(target.endpoint, target.credentials, target.region);
    expect(second.created).to.deep.equal([]);
    expect(second.updated).to.deep.equal([]);
    expect(second.unchanged.sort()).to.deep.equal([...first.created, ...first.updated, ...first.unchanged].sort());
  });

  it('leaves readable resources behind: SecureStrings, files, TTL and the redrive to the DLQ', async () => {
    const cfg = { endpoint: target.endpoint, region: target.region, credentials: target.credentials };
    const ssm = new SSMClient(cfg);
    const pw = await ssm.send(new GetParameterCommand({ Name: extendPasswordParameter('ada@example.com'), WithDecryption: true }));
    expect(pw.Parameter).to.include({ Type: 'SecureString', Value: 'ada-Extend-2024!' });
    const ddb = new DynamoDBClient(cfg);
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'gatehouse-extend-tokens' }));
    expect(ttl.TimeToLiveDescription!.AttributeName).to.equal('expiresAt');
    const sqs = new SQSClient(cfg);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'gatehouse-restore-package' }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['RedrivePolicy'] }));
    const redrive = JSON.parse(Attributes!.RedrivePolicy!);
    expect(redrive.deadLetterTargetArn).to.match(/:gatehouse-restore-package-dlq$/);
    expect(Number(redrive.maxReceiveCount)).to.equal(3);
    const s3 = new S3Client({ ...cfg, forcePathStyle: true });
    const obj = await s3.send(new GetObjectCommand({ Bucket: 'gatehouse-package-assets', Key: 'O1/D123/P456/data.csv' }));
    expect(await obj.Body!.transformToString()).to.equal(readFileSync(new URL('../../fixtures/aws/files/package-assets/O1/D123/P456/data.csv', import.meta.url), 'utf8'));
    [ssm, ddb, sqs, s3].forEach((c) => c.destroy());
  });

  it('declares every Extend user\'s password exactly as the Extend fixture has it', () => {
    const extend = JSON.parse(readFileSync(new URL('../../fixtures/extend/seed.json', import.meta.url), 'utf8')) as { users: { email: string; password: string }[] };
    for (const u of extend.users) {
      const p = seed.parameters!.find((x) => x.name === extendPasswordParameter(u.email));
      expect(p, u.email).to.include({ type: 'SecureString', value: u.password });
    }
  });

  it('declares only files that exist', () => {
    for (const b of seed.buckets ?? []) {
      for (const f of b.files ?? []) expect(() => readFileSync(new URL(`../../fixtures/aws/${f.file}`, import.meta.url))).to.not.throw();
    }
  });
});
