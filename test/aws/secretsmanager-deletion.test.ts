/**
 * Secrets Manager's deletion rules as the DeleteSecret, RestoreSecret, DescribeSecret and ListSecrets API
 * references state them, through the SDK v3 client. Runs against any AWS_ENDPOINT_URL; the exact error texts and
 * the moving clock are asserted on the embedded edge only (another endpoint may word them differently).
 */
import { expect } from 'chai';
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, UpdateSecretCommand,
  UpdateSecretVersionStageCommand, DescribeSecretCommand, ListSecretsCommand, ListSecretVersionIdsCommand,
  DeleteSecretCommand, RestoreSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

const DAY = 86_400_000;
const MARKED = "You can't perform this operation on the secret because it was marked for deletion.";

describe('Secrets Manager deletion rules', () => {
  let target: AwsTarget;
  let sm: SecretsManagerClient;
  // The embedded edge's clock; an external endpoint keeps its own.
  let now = Date.UTC(2025, 6, 1, 12);
  const prefix = `del${Date.now().toString(36)}`;
  let n = 0;
  const fresh = () => `${prefix}/secret-${++n}`;

  before(async () => {
    target = await awsTarget({ clock: () => now });
    sm = new SecretsManagerClient(sdkConfig(target));
  });
  after(async () => {
    sm.destroy();
    await target.close();
  });

  async function scheduled(days?: number) {
    const name = fresh();
    const created = await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1' }));
    const del = await sm.send(new DeleteSecretCommand({ SecretId: name, ...(days ? { RecoveryWindowInDays: days } : {}) }));
    return { name, arn: created.ARN!, versionId: created.VersionId!, del };
  }

  /** The error a refused call raised: its name always, its exact text on the embedded edge. */
  async function refused(p: Promise<unknown>, name: string, message?: string) {
    const e = await errorOf(p);
    expect(e.name).to.equal(name);
    expect(e.$metadata.httpStatusCode).to.equal(400);
    if (message && target.embedded) expect(e.message).to.equal(message);
  }

  it('force-deletes a secret that does not exist without ResourceNotFoundException, echoing the id', async () => {
    const name = `${prefix}/never-created`;
    const out = await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    expect(out.Name).to.equal(name);
    expect(out.ARN).to.include(`:secret:${name}`);
    expect(out.DeletionDate).to.be.instanceOf(Date);
    // A retry of the same forced delete succeeds too.
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  });

  it('without force, deleting a secret that does not exist is ResourceNotFoundException', async () => {
    await refused(sm.send(new DeleteSecretCommand({ SecretId: `${prefix}/nope` })), 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  });

  it('schedules deletion 30 days out by default, or after RecoveryWindowInDays from 7 to 30', async () => {
    const byDefault = await scheduled();
    const seven = await scheduled(7);
    const thirty = await scheduled(30);
    if (target.embedded) {
      expect(byDefault.del.DeletionDate!.getTime()).to.equal(now + 30 * DAY);
      expect(seven.del.DeletionDate!.getTime()).to.equal(now + 7 * DAY);
      expect(thirty.del.DeletionDate!.getTime()).to.equal(now + 30 * DAY);
    } else {
      expect(seven.del.DeletionDate!.getTime() - Date.now()).to.be.within(6.9 * DAY, 7.1 * DAY);
    }
  });

  it('refuses a window under 7 or over 30 days, and a window together with force', async () => {
    const name = fresh();
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const range = 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).';
    await refused(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 6 })), 'InvalidParameterException', range);
    await refused(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 31 })), 'InvalidParameterException', range);
    const both = "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.";
    await refused(sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })), 'InvalidParameterException', both);
    // Refused before the secret is looked up: the same for one that does not exist.
    await refused(sm.send(new DeleteSecretCommand({ SecretId: `${prefix}/nope`, RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })), 'InvalidParameterException', both);
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).to.equal('x');
  });

  it('a scheduled secret refuses reads and updates with InvalidRequestException', async () => {
    const { name, versionId } = await scheduled(7);
    await refused(sm.send(new GetSecretValueCommand({ SecretId: name })), 'InvalidRequestException', MARKED);
    await refused(sm.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'v2' })), 'InvalidRequestException', MARKED);
    await refused(sm.send(new UpdateSecretCommand({ SecretId: name, Description: 'new' })), 'InvalidRequestException', MARKED);
    await refused(sm.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSPENDING', MoveToVersionId: versionId })), 'InvalidRequestException', MARKED);
    await refused(sm.send(new DeleteSecretCommand({ SecretId: name })), 'InvalidRequestException', MARKED);
    await refused(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'again' })), 'InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
  });

  it('DescribeSecret shows DeletedDate; ListSecrets lists the secret only with IncludePlannedDeletion', async () => {
    const { name, del } = await scheduled(10);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.DeletedDate!.getTime()).to.equal(del.DeletionDate!.getTime());
    const filter = [{ Key: 'name' as const, Values: [name] }];
    const hidden = await sm.send(new ListSecretsCommand({ Filters: filter }));
    expect((hidden.SecretList ?? []).map((s) => s.Name)).to.not.include(name);
    const shown = await sm.send(new ListSecretsCommand({ Filters: filter, IncludePlannedDeletion: true }));
    const entry = shown.SecretList!.find((s) => s.Name === name)!;
    expect(entry.DeletedDate!.getTime()).to.equal(del.DeletionDate!.getTime());
    // Its versions stay listable during the window.
    expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: name }))).Versions).to.have.length(1);
  });

  it('RestoreSecret brings a scheduled secret back with its value and clears DeletedDate', async () => {
    const { name, arn } = await scheduled(7);
    const restored = await sm.send(new RestoreSecretCommand({ SecretId: name }));
    expect(restored).to.include({ Name: name, ARN: arn });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).to.equal('v1');
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).to.equal(undefined);
    await refused(sm.send(new RestoreSecretCommand({ SecretId: `${prefix}/nope` })), 'ResourceNotFoundException');
  });

  it('force-deletes a secret already scheduled: gone at once, its name free', async () => {
    const { name } = await scheduled(30);
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
    await refused(sm.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException');
    await refused(sm.send(new RestoreSecretCommand({ SecretId: name })), 'ResourceNotFoundException');
    expect((await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'new' }))).Name).to.equal(name);
  });

  it('deletes for good when the recovery window ends (embedded edge: the clock is moved)', async function () {
    if (!target.embedded) this.skip();
    const { name } = await scheduled(7);
    now += 7 * DAY - 1000;
    expect((await sm.send(new DescribeSecretCommand({ SecretId: name }))).DeletedDate).to.be.instanceOf(Date);
    await sm.send(new RestoreSecretCommand({ SecretId: name }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    now += 7 * DAY;
    await refused(sm.send(new DescribeSecretCommand({ SecretId: name })), 'ResourceNotFoundException');
    await refused(sm.send(new RestoreSecretCommand({ SecretId: name })), 'ResourceNotFoundException');
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [name] }], IncludePlannedDeletion: true }));
    expect(listed.SecretList ?? []).to.deep.equal([]);
    expect((await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'reborn' }))).Name).to.equal(name);
  });
});
