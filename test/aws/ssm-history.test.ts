/**
 * SSM parameter history, labels and tags through the SDK v3 client; runs against any AWS_ENDPOINT_URL.
 */
import { expect } from 'chai';
import {
  SSMClient, PutParameterCommand, GetParameterCommand, GetParameterHistoryCommand, LabelParameterVersionCommand,
  UnlabelParameterVersionCommand, AddTagsToResourceCommand, ListTagsForResourceCommand, RemoveTagsFromResourceCommand,
  DeleteParameterCommand,
} from '@aws-sdk/client-ssm';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('SSM parameter history, labels and tags', () => {
  let target: AwsTarget;
  let ssm: SSMClient;
  const prefix = `/h${Date.now().toString(36)}`;
  let n = 0;
  const fresh = () => `${prefix}/p${++n}`;
  const put = (Name: string, Value: string, extra: Record<string, unknown> = {}) => ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', Overwrite: true, ...extra }));

  before(async () => {
    target = await awsTarget();
    ssm = new SSMClient(sdkConfig(target));
  });
  after(async () => {
    ssm.destroy();
    await target.close();
  });

  it('GetParameterHistory lists every version oldest first, SecureStrings encrypted unless decrypted', async () => {
    const name = fresh();
    await put(name, 'one', { Type: 'SecureString' });
    await put(name, 'two');
    const history = (await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters!;
    expect(history.map((p) => p.Version)).to.deep.equal([1, 2]);
    expect(history[0].Value).to.not.equal('one');
    expect(history[0]).to.include({ Name: name, Type: 'SecureString' });
    expect(history[0].LastModifiedDate).to.be.instanceOf(Date);
    const decrypted = (await ssm.send(new GetParameterHistoryCommand({ Name: name, WithDecryption: true }))).Parameters!;
    expect(decrypted.map((p) => p.Value)).to.deep.equal(['one', 'two']);
    const paged = await ssm.send(new GetParameterHistoryCommand({ Name: name, MaxResults: 1 }));
    expect(paged.Parameters).to.have.length(1);
    expect(paged.NextToken).to.be.a('string');
    expect((await errorOf(ssm.send(new GetParameterHistoryCommand({ Name: `${prefix}/nope` })))).name).to.equal('ParameterNotFound');
  });

  it('LabelParameterVersion labels a version, moves a label, and reports malformed labels', async () => {
    const name = fresh();
    await put(name, 'one');
    await put(name, 'two');
    const labelled = await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['stable', '1bad', 'awsx'] }));
    expect(labelled.ParameterVersion).to.equal(1);
    expect(labelled.InvalidLabels).to.have.members(['1bad', 'awsx']);
    const byLabel = await ssm.send(new GetParameterCommand({ Name: `${name}:stable` }));
    expect(byLabel.Parameter).to.include({ Value: 'one', Version: 1, Selector: ':stable' });
    // Without ParameterVersion the latest version gets the label, taking it from version 1.
    expect((await ssm.send(new LabelParameterVersionCommand({ Name: name, Labels: ['stable'] }))).ParameterVersion).to.equal(2);
    expect((await ssm.send(new GetParameterCommand({ Name: `${name}:stable` }))).Parameter!.Value).to.equal('two');
    const history = (await ssm.send(new GetParameterHistoryCommand({ Name: name }))).Parameters!;
    expect(history.map((p) => p.Labels)).to.deep.equal([[], ['stable']]);
    expect((await errorOf(ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 9, Labels: ['x'] })))).name).to.equal('ParameterVersionNotFound');
    expect((await errorOf(ssm.send(new GetParameterCommand({ Name: `${name}:missing` })))).name).to.equal('ParameterVersionLabelNotFound');
  });

  it('UnlabelParameterVersion removes labels and reports those the version did not have', async () => {
    const name = fresh();
    await put(name, 'one');
    await ssm.send(new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['a', 'b'] }));
    const out = await ssm.send(new UnlabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['a', 'c'] }));
    expect(out.RemovedLabels).to.deep.equal(['a']);
    expect(out.InvalidLabels).to.deep.equal(['c']);
    expect((await errorOf(ssm.send(new GetParameterCommand({ Name: `${name}:a` })))).name).to.equal('ParameterVersionLabelNotFound');
    expect((await ssm.send(new GetParameterCommand({ Name: `${name}:b` }))).Parameter!.Value).to.equal('one');
  });

  it('tags a parameter at creation and through the tagging operations', async () => {
    const name = fresh();
    await ssm.send(new PutParameterCommand({ Name: name, Value: 'v', Type: 'String', Tags: [{ Key: 'team', Value: 'cards' }] }));
    const list = async () => (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name }))).TagList;
    expect(await list()).to.deep.equal([{ Key: 'team', Value: 'cards' }]);
    await ssm.send(new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: [{ Key: 'team', Value: 'mail' }, { Key: 'env', Value: 'dev' }] }));
    expect(await list()).to.have.deep.members([{ Key: 'team', Value: 'mail' }, { Key: 'env', Value: 'dev' }]);
    await ssm.send(new RemoveTagsFromResourceCommand({ ResourceType: 'Parameter', ResourceId: name, TagKeys: ['team'] }));
    expect(await list()).to.deep.equal([{ Key: 'env', Value: 'dev' }]);
    // Tags cannot ride along an overwrite (PutParameter API reference).
    expect((await errorOf(ssm.send(new PutParameterCommand({ Name: name, Value: 'w', Overwrite: true, Tags: [{ Key: 'a', Value: 'b' }] })))).name).to.equal('ValidationException');
    await ssm.send(new DeleteParameterCommand({ Name: name }));
    expect((await errorOf(ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name })))).name).to.equal('InvalidResourceId');
  });
});
