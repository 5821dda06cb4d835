import { expect } from 'chai';
import {
  SSMClient, GetParameterCommand, GetParametersCommand, GetParametersByPathCommand, PutParameterCommand,
  DeleteParameterCommand, DeleteParametersCommand, DescribeParametersCommand, type Parameter,
} from '@aws-sdk/client-ssm';
import { awsTarget, errorOf, sdkConfig, type AwsTarget } from '../helpers/aws.ts';

describe('SSM Parameter Store through the AWS edge', () => {
  let target: AwsTarget;
  let ssm: SSMClient;
  const prefix = `/t${Date.now().toString(36)}`;

  before(async () => {
    target = await awsTarget();
    ssm = new SSMClient(sdkConfig(target));
  });
  after(async () => {
    ssm.destroy();
    await target.close();
  });

  const put = (Name: string, Value: string, extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

  it('stores a String and returns it with version, ARN, DataType and LastModifiedDate', async () => {
    const r = await put(`${prefix}/plain`, 'hello', { Description: 'greeting' });
    expect(r.Version).to.equal(1);
    expect(r.Tier).to.equal('Standard');
    const { Parameter: p } = await ssm.send(new GetParameterCommand({ Name: `${prefix}/plain` }));
    expect(p).to.include({ Name: `${prefix}/plain`, Type: 'String', Value: 'hello', Version: 1, DataType: 'text' });
    expect(p!.ARN).to.match(new RegExp(`^arn:aws:ssm:${target.region}:\\d{12}:parameter${prefix}/plain$`));
    expect(p!.LastModifiedDate).to.be.instanceOf(Date);
    expect(Math.abs(p!.LastModifiedDate!.getTime() - Date.now())).to.be.lessThan(60_000);
  });

  it('refuses to overwrite without Overwrite (ParameterAlreadyExists) and bumps the version with it', async () => {
    await put(`${prefix}/v`, 'one');
    const e = await errorOf(put(`${prefix}/v`, 'two'));
    expect(e.name).to.equal('ParameterAlreadyExists');
    expect(e.$metadata.httpStatusCode).to.equal(400);
    const r = await put(`${prefix}/v`, 'two', { Overwrite: true });
    expect(r.Version).to.equal(2);
    const v1 = await ssm.send(new GetParameterCommand({ Name: `${prefix}/v:1` }));
    expect(v1.Parameter).to.include({ Value: 'one', Version: 1, Selector: ':1' });
    const latest = await ssm.send(new GetParameterCommand({ Name: `${prefix}/v` }));
    expect(latest.Parameter).to.include({ Value: 'two', Version: 2 });
  });

  it('answers ParameterVersionNotFound for an unknown name:version and ParameterNotFound for an unknown name', async () => {
    await put(`${prefix}/one-version`, 'x');
    expect((await errorOf(ssm.send(new GetParameterCommand({ Name: `${prefix}/one-version:7` })))).name).to.equal('ParameterVersionNotFound');
    expect((await errorOf(ssm.send(new GetParameterCommand({ Name: `${prefix}/nope` })))).name).to.equal('ParameterNotFound');
  });

  it('keeps a SecureString encrypted unless WithDecryption is true, with KeyId alias/aws/ssm by default', async () => {
    await put(`${prefix}/secret`, 's3cr3t-value', { Type: 'SecureString' });
    const hidden = await ssm.send(new GetParameterCommand({ Name: `${prefix}/secret` }));
    expect(hidden.Parameter!.Type).to.equal('SecureString');
    expect(hidden.Parameter!.Value).to.not.contain('s3cr3t');
    expect(hidden.Parameter!.Value).to.match(/^[A-Za-z0-9+/]+=*$/);
    const shown = await ssm.send(new GetParameterCommand({ Name: `${prefix}/secret`, WithDecryption: true }));
    expect(shown.Parameter!.Value).to.equal('s3cr3t-value');
    const d = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Values: [`${prefix}/secret`] }] }));
    expect(d.Parameters![0]).to.include({ Name: `${prefix}/secret`, Type: 'SecureString', KeyId: 'alias/aws/ssm' });
  });

  it('stores a StringList as one comma-separated value', async () => {
    await put(`${prefix}/list`, 'a,b,c', { Type: 'StringList' });
    const r = await ssm.send(new GetParameterCommand({ Name: `${prefix}/list` }));
    expect(r.Parameter).to.include({ Type: 'StringList', Value: 'a,b,c' });
  });

  it('GetParameters returns found ones and lists the rest as InvalidParameters', async () => {
    await put(`${prefix}/gp/a`, '1');
    await put(`${prefix}/gp/b`, '2');
    const r = await ssm.send(new GetParametersCommand({ Names: [`${prefix}/gp/a`, `${prefix}/gp/missing`, `${prefix}/gp/b`] }));
    expect(r.Parameters!.map((p) => p.Value).sort()).to.deep.equal(['1', '2']);
    expect(r.InvalidParameters).to.deep.equal([`${prefix}/gp/missing`]);
  });

  it('GetParametersByPath honours Recursive and pages with MaxResults/NextToken', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await put(`${prefix}/tree/${n}`, n);
    await put(`${prefix}/tree/deep/x`, 'x');
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: `${prefix}/tree` }));
    expect(oneLevel.Parameters!.map((p) => p.Name)).to.not.include(`${prefix}/tree/deep/x`);
    const seen: Parameter[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await ssm.send(new GetParametersByPathCommand({ Path: `${prefix}/tree`, Recursive: true, MaxResults: 2, NextToken }));
      expect(page.Parameters!.length).to.be.at.most(2);
      seen.push(...page.Parameters!);
      NextToken = page.NextToken;
      pages++;
    } while (NextToken && pages < 10);
    expect(seen.map((p) => p.Name).sort()).to.deep.equal(['a', 'b', 'c', 'd', 'deep/x', 'e'].map((n) => `${prefix}/tree/${n}`));
    expect(pages).to.be.greaterThan(2);
  });

  it('GetParametersByPath filters by Type with ParameterFilters and decrypts on request', async () => {
    await put(`${prefix}/mixed/plain`, 'p');
    await put(`${prefix}/mixed/secure`, 'hidden', { Type: 'SecureString' });
    const r = await ssm.send(new GetParametersByPathCommand({
      Path: `${prefix}/mixed`, WithDecryption: true, ParameterFilters: [{ Key: 'Type', Option: 'Equals', Values: ['SecureString'] }],
    }));
    expect(r.Parameters!.map((p) => [p.Name, p.Value])).to.deep.equal([[`${prefix}/mixed/secure`, 'hidden']]);
  });

  it('rejects MaxResults above 10 on GetParametersByPath with ValidationException', async () => {
    const e = await errorOf(ssm.send(new GetParametersByPathCommand({ Path: `${prefix}/tree`, MaxResults: 11 })));
    expect(e.name).to.equal('ValidationException');
  });

  it('rejects a new parameter without a Type, and a hierarchical name without a leading slash', async () => {
    expect((await errorOf(ssm.send(new PutParameterCommand({ Name: `${prefix}/typeless`, Value: 'x' })))).name).to.equal('ValidationException');
    expect((await errorOf(put('no/leading/slash', 'x'))).name).to.equal('ValidationException');
  });

  it('accepts Tier Advanced and reports it', async () => {
    const r = await put(`${prefix}/adv`, 'x'.repeat(5000), { Tier: 'Advanced' });
    expect(r.Tier).to.equal('Advanced');
    expect((await errorOf(put(`${prefix}/std-too-big`, 'x'.repeat(5000))))).to.have.property('name', 'ValidationException');
  });

  it('DeleteParameter removes a parameter; deleting again is ParameterNotFound', async () => {
    await put(`${prefix}/gone`, 'x');
    await ssm.send(new DeleteParameterCommand({ Name: `${prefix}/gone` }));
    expect((await errorOf(ssm.send(new GetParameterCommand({ Name: `${prefix}/gone` })))).name).to.equal('ParameterNotFound');
    expect((await errorOf(ssm.send(new DeleteParameterCommand({ Name: `${prefix}/gone` })))).name).to.equal('ParameterNotFound');
  });

  it('DeleteParameters reports DeletedParameters and InvalidParameters', async () => {
    await put(`${prefix}/del/a`, 'x');
    const r = await ssm.send(new DeleteParametersCommand({ Names: [`${prefix}/del/a`, `${prefix}/del/zz`] }));
    expect(r.DeletedParameters).to.deep.equal([`${prefix}/del/a`]);
    expect(r.InvalidParameters).to.deep.equal([`${prefix}/del/zz`]);
  });

  it('DescribeParameters filters by path and pages', async () => {
    for (const n of ['1', '2', '3']) await put(`${prefix}/desc/${n}`, n, { Description: `n${n}` });
    const first = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [`${prefix}/desc`] }], MaxResults: 2 }));
    expect(first.Parameters).to.have.length(2);
    expect(first.NextToken).to.be.a('string');
    const second = await ssm.send(new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [`${prefix}/desc`] }], MaxResults: 2, NextToken: first.NextToken }));
    expect([...first.Parameters!, ...second.Parameters!].map((p) => p.Description)).to.deep.equal(['n1', 'n2', 'n3']);
    expect(second.Parameters![0]).to.include({ Type: 'String', Version: 1, Tier: 'Standard', DataType: 'text' });
  });

  it('rejects a bad signature in SSM\'s JSON error shape (embedded edge only)', async function () {
    if (!target.embedded) {
      console.log('      (skipped: only the embedded edge verifies signatures; moto/LocalStack accept any)');
      return this.skip();
    }
    const wrong = new SSMClient({ endpoint: target.endpoint, region: target.region, credentials: { accessKeyId: target.credentials.accessKeyId, secretAccessKey: 'wrong' } });
    const e = await errorOf(wrong.send(new GetParameterCommand({ Name: `${prefix}/plain` })));
    expect(e.name).to.equal('InvalidSignatureException');
    expect(e.$metadata.httpStatusCode).to.equal(400);
    const unknown = new SSMClient({ endpoint: target.endpoint, region: target.region, credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' } });
    expect((await errorOf(unknown.send(new GetParameterCommand({ Name: `${prefix}/plain` })))).name).to.equal('UnrecognizedClientException');
    wrong.destroy();
    unknown.destroy();
  });
});
