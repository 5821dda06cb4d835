/**
 * The rest of the Secrets Manager operations the edge serves (UpdateSecret, tags, version listing, batch reads,
 * random passwords), through the SDK v3 client; runs against any AWS_ENDPOINT_URL.
 */
import { expect } from 'chai';
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, UpdateSecretCommand, DescribeSecretCommand,
  TagResourceCommand, UntagResourceCommand, ListSecretVersionIdsCommand, PutSecretValueCommand,
  BatchGetSecretValueCommand, GetRandomPasswordCommand, DeleteSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('Secrets Manager operations beyond read and write', () => {
  let target: AwsTarget;
  let sm: SecretsManagerClient;
  const prefix = `ops${Date.now().toString(36)}`;
  let n = 0;
  const fresh = () => `${prefix}/secret-${++n}`;
  const create = async (SecretString = 'v1', extra: Record<string, unknown> = {}) => {
    const Name = fresh();
    const out = await sm.send(new CreateSecretCommand({ Name, SecretString, ...extra }));
    return { name: Name, arn: out.ARN!, versionId: out.VersionId! };
  };

  before(async () => {
    target = await awsTarget();
    sm = new SecretsManagerClient(sdkConfig(target));
  });
  after(async () => {
    sm.destroy();
    await target.close();
  });

  it('UpdateSecret changes the description in place and a new value becomes AWSCURRENT', async () => {
    const { name, versionId } = await create('old', { Description: 'first' });
    const meta = await sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'second' }));
    expect(meta.Name).to.equal(name);
    expect(meta.VersionId).to.equal(undefined);
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Description).to.equal('second');
    const valued = await sm.send(new UpdateSecretCommand({ SecretId: name, SecretString: 'new' }));
    expect(valued.VersionId).to.be.a('string').and.not.equal(versionId);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).to.equal('new');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }))).SecretString).to.equal('old');
    expect((await errorOf(sm.send(new UpdateSecretCommand({ SecretId: `${prefix}/nope`, Description: 'x' })))).name).to.equal('ResourceNotFoundException');
  });

  it('TagResource adds and replaces tags, UntagResource removes them', async () => {
    const { name } = await create('x', { Tags: [{ Key: 'team', Value: 'mail' }] });
    await sm.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'team', Value: 'cards' }, { Key: 'env', Value: 'dev' }] }));
    const tags = (await sm.send(new DescribeSecretCommand({ SecretId: name }))).Tags!;
    expect(tags).to.deep.include.members([{ Key: 'team', Value: 'cards' }, { Key: 'env', Value: 'dev' }]);
    expect(tags).to.have.length(2);
    await sm.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['team'] }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).Tags).to.deep.equal([{ Key: 'env', Value: 'dev' }]);
    expect((await errorOf(sm.send(new TagResourceCommand({ SecretId: `${prefix}/nope`, Tags: [{ Key: 'a', Value: 'b' }] })))).name).to.equal('ResourceNotFoundException');
  });

  it('ListSecretVersionIds lists labelled versions, and deprecated ones with IncludeDeprecated', async () => {
    const { name, versionId: v1, arn } = await create('one');
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }))).VersionId!;
    const v3 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'three' }))).VersionId!;
    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }));
    expect(listed).to.include({ ARN: arn, Name: name });
    const byId = Object.fromEntries(listed.Versions!.map((v) => [v.VersionId, v.VersionStages]));
    expect(byId).to.deep.equal({ [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
    expect(listed.Versions![0].CreatedDate).to.be.instanceOf(Date);
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }));
    expect(all.Versions!.map((v) => v.VersionId)).to.have.members([v1, v2, v3]);
  });

  it('BatchGetSecretValue reads many by id and reports the ones it cannot read per id', async () => {
    const a = await create('alpha');
    const b = await create('beta');
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: [a.name, b.arn, `${prefix}/nope`] }));
    expect(out.SecretValues!.map((v) => v.SecretString)).to.have.members(['alpha', 'beta']);
    expect(out.Errors).to.have.length(1);
    expect(out.Errors![0]).to.include({ SecretId: `${prefix}/nope`, ErrorCode: 'ResourceNotFoundException' });
    const byFilter = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: [a.name] }] }));
    expect(byFilter.SecretValues!.map((v) => v.Name)).to.deep.equal([a.name]);
    expect((await errorOf(sm.send(new BatchGetSecretValueCommand({})))).name).to.match(/InvalidParameterException|ValidationException/);
  });

  it('BatchGetSecretValue reports a secret scheduled for deletion as InvalidRequestException', async () => {
    const a = await create('gone soon');
    await sm.send(new DeleteSecretCommand({ SecretId: a.name, RecoveryWindowInDays: 7 }));
    const out = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: [a.name] }));
    expect(out.SecretValues).to.deep.equal([]);
    expect(out.Errors![0]).to.include({ SecretId: a.name, ErrorCode: 'InvalidRequestException' });
  });

  it('GetRandomPassword honours length and exclusions and includes each remaining type', async () => {
    const { RandomPassword } = await sm.send(new GetRandomPasswordCommand({}));
    expect(RandomPassword).to.have.length(32);
    const digits = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 12, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true }))).RandomPassword!;
    expect(digits).to.match(/^[0-9]{12}$/);
    const mixed = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 8, ExcludePunctuation: true, ExcludeCharacters: 'abcdefghijklmnopqrstuvwxy' }))).RandomPassword!;
    expect(mixed).to.match(/z/);
    expect(mixed).to.match(/[A-Z]/);
    expect(mixed).to.match(/[0-9]/);
    expect((await errorOf(sm.send(new GetRandomPasswordCommand({ PasswordLength: 0 })))).$metadata.httpStatusCode).to.equal(400);
  });
});
