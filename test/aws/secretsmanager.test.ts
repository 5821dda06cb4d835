/**
 * Secrets Manager through the AWS edge with the SDK v3 client. Runs against LocalStack too (AWS_ENDPOINT_URL),
 * so every assertion is behaviour real Secrets Manager shows.
 */
import { expect } from 'chai';
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, DescribeSecretCommand,
  ListSecretsCommand, UpdateSecretVersionStageCommand, DeleteSecretCommand, RestoreSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('Secrets Manager through the AWS edge', () => {
  let target: AwsTarget;
  let sm: SecretsManagerClient;
  const prefix = `t${Date.now().toString(36)}`;
  let n = 0;
  const fresh = () => `${prefix}/secret-${++n}`;

  before(async () => {
    target = await awsTarget();
    sm = new SecretsManagerClient(sdkConfig(target));
  });
  after(async () => {
    sm.destroy();
    await target.close();
  });

  const value = (SecretId: string, extra: { VersionStage?: string; VersionId?: string } = {}) => sm.send(new GetSecretValueCommand({ SecretId, ...extra }));
  const stages = async (SecretId: string) => (await sm.send(new DescribeSecretCommand({ SecretId }))).VersionIdsToStages ?? {};

  it('creates a secret and reads it back by name and by ARN, labelled AWSCURRENT', async () => {
    const name = fresh();
    const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: '{"k":"v1"}', Description: 'test' }));
    expect(created.ARN).to.match(new RegExp(`^arn:aws:secretsmanager:${target.region}:\\d{12}:secret:${name}-[A-Za-z0-9]{6}$`));
    expect(created.VersionId).to.be.a('string');
    const byName = await value(name);
    expect(byName).to.include({ Name: name, SecretString: '{"k":"v1"}', VersionId: created.VersionId });
    expect(byName.VersionStages).to.deep.equal(['AWSCURRENT']);
    expect((await value(created.ARN!)).SecretString).to.equal('{"k":"v1"}');
  });

  it('stores binary secrets as bytes', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretBinary: Buffer.from([0, 1, 2, 255]) }));
    expect(Buffer.from((await value(name)).SecretBinary!)).to.deep.equal(Buffer.from([0, 1, 2, 255]));
  });

  it('refuses a second secret with the same name (ResourceExistsException)', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
    const e = await errorOf(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'b' })));
    expect(e.name).to.equal('ResourceExistsException');
    expect(e.$metadata.httpStatusCode).to.equal(400);
  });

  it('answers ResourceNotFoundException for an unknown secret and an unknown stage', async () => {
    expect((await errorOf(value(`${prefix}/nope`))).name).to.equal('ResourceNotFoundException');
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
    expect((await errorOf(value(name, { VersionStage: 'AWSPENDING' }))).name).to.equal('ResourceNotFoundException');
    expect((await errorOf(value(name, { VersionId: '00000000-0000-4000-8000-000000000000' }))).name).to.equal('ResourceNotFoundException');
  });

  it('PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one', async () => {
    const name = fresh();
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'two' }))).VersionId!;
    const v3 = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'three' }));
    expect(v3.VersionStages).to.deep.equal(['AWSCURRENT']);
    expect((await value(name)).SecretString).to.equal('three');
    expect((await value(name, { VersionStage: 'AWSPREVIOUS' })).SecretString).to.equal('two');
    expect((await value(name, { VersionId: v1 })).SecretString).to.equal('one');
    const map = await stages(name);
    expect(map[v3.VersionId!]).to.deep.equal(['AWSCURRENT']);
    expect(map[v2]).to.deep.equal(['AWSPREVIOUS']);
    // v1 lost every label.
    expect(map[v1] ?? []).to.deep.equal([]);
  });

  it('a pending version leaves AWSCURRENT alone until the label is moved, then AWSPREVIOUS follows', async () => {
    const name = fresh();
    const v1 = (await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'old' }))).VersionId!;
    const pending = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'new', VersionStages: ['AWSPENDING'] }));
    expect((await value(name)).SecretString).to.equal('old');
    expect((await value(name, { VersionStage: 'AWSPENDING' })).SecretString).to.equal('new');
    const e = await errorOf(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending.VersionId })));
    expect(e.name).to.equal('InvalidParameterException');
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending.VersionId, RemoveFromVersionId: v1 }));
    expect((await value(name)).SecretString).to.equal('new');
    const map = await stages(name);
    expect(map[pending.VersionId!]).to.have.members(['AWSCURRENT', 'AWSPENDING']);
    expect(map[v1]).to.deep.equal(['AWSPREVIOUS']);
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', RemoveFromVersionId: pending.VersionId }));
    expect((await stages(name))[pending.VersionId!]).to.deep.equal(['AWSCURRENT']);
  });

  it('an idempotent retry (same ClientRequestToken, same value) creates no new version; another value is refused', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'a' }));
    const token = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const first = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'b', ClientRequestToken: token }));
    const again = await sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'b', ClientRequestToken: token }));
    expect(again.VersionId).to.equal(first.VersionId);
    expect(Object.keys(await stages(name))).to.have.length(2);
    const e = await errorOf(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'c', ClientRequestToken: token })));
    expect(e.name).to.equal('ResourceExistsException');
  });

  it('lists secrets with a name filter and pages with NextToken', async () => {
    const group = `${prefix}/list-${Date.now().toString(36)}`;
    for (const i of [1, 2, 3]) await sm.send(new CreateSecretCommand({ Name: `${group}/s${i}`, SecretString: 'x' }));
    const first = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [group] }], MaxResults: 2 }));
    expect(first.SecretList).to.have.length(2);
    expect(first.NextToken).to.be.a('string');
    const second = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [group] }], MaxResults: 2, NextToken: first.NextToken }));
    const names = [...first.SecretList!, ...second.SecretList!].map((s) => s.Name);
    expect(names).to.have.members([`${group}/s1`, `${group}/s2`, `${group}/s3`]);
    expect(first.SecretList![0].SecretVersionsToStages).to.be.an('object');
  });

  it('refuses ListSecrets filter values that are not strings with ValidationException, not a 500 (found by npm run fuzz)', async () => {
    // The SDK types forbid it; a hostile client sends it anyway.
    const e = await errorOf(sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [7 as unknown as string] }] })));
    expect(e.name).to.equal('ValidationException');
    expect(e.$metadata.httpStatusCode).to.equal(400);
  });

  it('deletes with a recovery window, refuses reads meanwhile, and restores', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'keep me' }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    expect(del.DeletionDate!.getTime() - Date.now()).to.be.within(6.9 * 86_400_000, 7.1 * 86_400_000);
    expect((await errorOf(value(name))).name).to.equal('InvalidRequestException');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).to.be.instanceOf(Date);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }] }));
    expect(listed.SecretList!.map((s) => s.Name)).to.not.include(name);
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    expect((await value(name)).SecretString).to.equal('keep me');
  });

  it('refuses a recovery window outside 7–30 days and a window combined with force', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    expect((await errorOf(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 3 })))).name).to.equal('InvalidParameterException');
    expect((await errorOf(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })))).name).to.equal('InvalidParameterException');
  });

  it('force-deletes at once: the name is free again', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect((await errorOf(value(name))).name).to.equal('ResourceNotFoundException');
    const again = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }));
    expect(again.Name).to.equal(name);
  });
});
