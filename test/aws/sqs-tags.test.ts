/**
 * SQS queue tags and dead-letter source listing through the SDK v3 client; runs against any AWS_ENDPOINT_URL.
 */
import { expect } from 'chai';
import {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, TagQueueCommand, UntagQueueCommand, ListQueueTagsCommand,
  ListDeadLetterSourceQueuesCommand, ChangeMessageVisibilityBatchCommand, SendMessageCommand, ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('SQS tags, dead-letter sources and batch visibility', () => {
  let target: AwsTarget;
  let sqs: SQSClient;
  const tag = Date.now().toString(36);
  let n = 0;
  const fresh = async (extra: Record<string, unknown> = {}) => (await sqs.send(new CreateQueueCommand({ QueueName: `qt-${tag}-${++n}`, ...extra }))).QueueUrl!;

  before(async () => {
    target = await awsTarget();
    sqs = new SQSClient(sdkConfig(target));
  });
  after(async () => {
    sqs.destroy();
    await target.close();
  });

  it('tags a queue at creation, adds and replaces tags, and untags', async () => {
    const url = await fresh({ tags: { team: 'packages' } });
    const tags = async () => (await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags;
    expect(await tags()).to.deep.equal({ team: 'packages' });
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'mail', env: 'dev' } }));
    expect(await tags()).to.deep.equal({ team: 'mail', env: 'dev' });
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['team', 'absent'] }));
    expect(await tags()).to.deep.equal({ env: 'dev' });
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['env'] }));
    expect(await tags()).to.equal(undefined);
    expect((await errorOf(sqs.send(new ListQueueTagsCommand({ QueueUrl: `${url}-gone` })))).name).to.equal('QueueDoesNotExist');
  });

  it('lists the queues that use a queue as their dead-letter queue', async () => {
    const dlq = await fresh();
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const redrive = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: 3 });
    const a = await fresh({ Attributes: { RedrivePolicy: redrive } });
    const b = await fresh({ Attributes: { RedrivePolicy: redrive } });
    await fresh();
    const out = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    expect(out.queueUrls).to.have.members([a, b]);
    const paged = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 1 }));
    expect(paged.queueUrls).to.have.length(1);
    expect(paged.NextToken).to.be.a('string');
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: a }))).queueUrls ?? []).to.deep.equal([]);
  });

  it('ChangeMessageVisibilityBatch changes good handles and fails bad ones per entry', async () => {
    const url = await fresh();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'hello' }));
    const [m] = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 300 }))).Messages!;
    const out = await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: url,
      Entries: [{ Id: 'ok', ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }, { Id: 'bad', ReceiptHandle: 'not-a-handle', VisibilityTimeout: 0 }],
    }));
    expect(out.Successful!.map((e) => e.Id)).to.deep.equal(['ok']);
    expect(out.Failed!.map((e) => e.Id)).to.deep.equal(['bad']);
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(again.Messages![0].Body).to.equal('hello');
  });
});
