/**
 * Several accounts on one edge (AWS_EDGE_ACCOUNTS), bucket policies and Block Public Access, evaluated for
 * anonymous (unsigned) and cross-account GetObject, PutObject and ListObjectsV2: explicit Deny first, then Allow,
 * else 403. Edge-only (one set of credentials cannot stand for three accounts elsewhere): skipped with the reason
 * printed against another endpoint.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, ListBucketsCommand, HeadObjectCommand,
  PutBucketPolicyCommand, GetBucketPolicyCommand, DeleteBucketPolicyCommand, GetBucketPolicyStatusCommand, DeletePublicAccessBlockCommand,
  PutPublicAccessBlockCommand, GetPublicAccessBlockCommand, PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { errorOf, multiAccountTarget, accountConfig, PARTNER, STRANGER, type AwsTarget } from '../helpers/aws.ts';

const bucketName = () => `acc-${randomBytes(5).toString('hex')}`;
const arn = (b: string, key = '') => `arn:aws:s3:::${b}${key}`;

describe('S3 accounts, bucket policies and Block Public Access (embedded edge)', function () {
  let t: AwsTarget | undefined;
  let owner: S3Client;
  let partner: S3Client;
  let stranger: S3Client;

  before(async function () {
    t = await multiAccountTarget(this);
    owner = new S3Client({ ...accountConfig(t!, { accountId: '000000000000', accessKeyId: 'test', secretAccessKey: 'test' }), forcePathStyle: true });
    partner = new S3Client({ ...accountConfig(t!, PARTNER), forcePathStyle: true });
    stranger = new S3Client({ ...accountConfig(t!, STRANGER), forcePathStyle: true });
  });
  after(async () => {
    for (const c of [owner, partner, stranger]) c?.destroy();
    await t?.close();
  });

  /** An unsigned request, as a browser or curl sends it. */
  const anonymous = (method: string, path: string, body?: string) => fetch(`${t!.endpoint}${path}`, { method, body });

  async function bucketWith(objects: Record<string, string> = {}): Promise<string> {
    const b = bucketName();
    await owner.send(new CreateBucketCommand({ Bucket: b }));
    for (const [Key, Body] of Object.entries(objects)) await owner.send(new PutObjectCommand({ Bucket: b, Key, Body }));
    return b;
  }
  const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

  describe('accounts', () => {
    it('gives each account its own buckets and refuses another account the name', async () => {
      const b = await bucketWith();
      const mine = await partner.send(new ListBucketsCommand({}));
      expect(mine.Buckets?.map((x) => x.Name)).to.not.include(b);
      expect(mine.Owner?.DisplayName).to.equal('partner');
      const err = await errorOf(partner.send(new CreateBucketCommand({ Bucket: b })));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['BucketAlreadyExists', 409]);
    });

    it('pages an account\'s buckets by max-buckets and continuation token, filtered by prefix', async () => {
      for (const n of ['pg-c', 'pg-a', 'pg-b']) await partner.send(new CreateBucketCommand({ Bucket: `${n}-${PARTNER.accountId}` }));
      const first = await partner.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'pg-' }));
      expect([first.Buckets?.map((x) => x.Name), first.Prefix]).to.deep.equal([[`pg-a-${PARTNER.accountId}`, `pg-b-${PARTNER.accountId}`], 'pg-']);
      const rest = await partner.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: 'pg-', ContinuationToken: first.ContinuationToken }));
      expect([rest.Buckets?.map((x) => x.Name), rest.ContinuationToken]).to.deep.equal([[`pg-c-${PARTNER.accountId}`], undefined]);
      expect((await stranger.send(new ListBucketsCommand({ Prefix: 'pg-' }))).Buckets ?? []).to.deep.equal([]);
    });

    it('refuses another account and anonymous callers a private bucket: GET, PUT and LIST', async () => {
      const b = await bucketWith({ 'doc.txt': 'private' });
      for (const call of [
        () => partner.send(new GetObjectCommand({ Bucket: b, Key: 'doc.txt' })),
        () => partner.send(new PutObjectCommand({ Bucket: b, Key: 'new.txt', Body: 'x' })),
        () => partner.send(new ListObjectsV2Command({ Bucket: b })),
      ]) {
        const err = await errorOf(call());
        expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      }
      for (const [method, path] of [['GET', `/${b}/doc.txt`], ['PUT', `/${b}/new.txt`], ['GET', `/${b}?list-type=2`]]) {
        const res = await anonymous(method, path, method === 'PUT' ? 'x' : undefined);
        expect(res.status, `${method} ${path}`).to.equal(403);
        expect(await res.text()).to.match(/<Code>AccessDenied<\/Code><Message>Access Denied<\/Message>/);
      }
      expect((await anonymous('GET', `/no-such-${b}/doc.txt`)).status).to.equal(404);
    });

    it('checks x-amz-expected-bucket-owner', async () => {
      const b = await bucketWith({ k: 'v' });
      const ok = await owner.send(new GetObjectCommand({ Bucket: b, Key: 'k', ExpectedBucketOwner: '000000000000' }));
      expect(await ok.Body!.transformToString()).to.equal('v');
      const wrong = await errorOf(owner.send(new GetObjectCommand({ Bucket: b, Key: 'k', ExpectedBucketOwner: PARTNER.accountId })));
      expect([wrong.name, wrong.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      const bad = await errorOf(owner.send(new GetObjectCommand({ Bucket: b, Key: 'k', ExpectedBucketOwner: 'abcd' })));
      expect([bad.name, bad.$metadata.httpStatusCode]).to.deep.equal(['InvalidBucketOwnerAWSAccountID', 400]);
    });
  });

  describe('bucket policies', () => {
    it('refuses a public policy while Block Public Access is on, as new buckets have it', async () => {
      const b = await bucketWith();
      const block = await owner.send(new GetPublicAccessBlockCommand({ Bucket: b }));
      expect(block.PublicAccessBlockConfiguration).to.deep.equal({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      const err = await errorOf(owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: arn(b, '/*') }) })));
      expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
      expect(err.message).to.include('BlockPublicPolicy');
    });

    it('serves anonymous GETs a public-read policy allows, and nothing it does not', async () => {
      const b = await bucketWith({ 'pub/a.txt': 'public a', 'b.txt': 'private b' });
      await owner.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
      const doc = policy({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: arn(b, '/pub/*') });
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: doc }));
      expect((await owner.send(new GetBucketPolicyCommand({ Bucket: b }))).Policy).to.equal(doc);
      expect((await owner.send(new GetBucketPolicyStatusCommand({ Bucket: b }))).PolicyStatus?.IsPublic).to.equal(true);
      const got = await anonymous('GET', `/${b}/pub/a.txt`);
      expect([got.status, await got.text()]).to.deep.equal([200, 'public a']);
      expect((await anonymous('GET', `/${b}/b.txt`)).status).to.equal(403);
      expect((await anonymous('PUT', `/${b}/pub/new.txt`, 'x')).status).to.equal(403);
      expect((await anonymous('GET', `/${b}?list-type=2`)).status).to.equal(403);
      // A missing key is 403 to a caller who may not list the bucket (API_GetObject.html).
      expect((await anonymous('GET', `/${b}/pub/missing.txt`)).status).to.equal(403);
      // response-* overrides need a signed request: anonymous, they would serve the public object as text/html.
      for (const method of ['GET', 'HEAD']) {
        const over = await anonymous(method, `/${b}/pub/a.txt?response-content-type=text%2Fhtml&response-content-disposition=inline`);
        expect([over.status, over.headers.get('content-type')], method).to.deep.equal([400, 'application/xml']);
        if (method === 'GET') expect(await over.text()).to.include('<Code>InvalidRequest</Code><Message>Request specific response headers cannot be used for anonymous GET requests.</Message>');
      }
      await owner.send(new DeleteBucketPolicyCommand({ Bucket: b }));
      expect((await anonymous('GET', `/${b}/pub/a.txt`)).status).to.equal(403);
      const gone = await errorOf(owner.send(new GetBucketPolicyCommand({ Bucket: b })));
      expect([gone.name, gone.$metadata.httpStatusCode]).to.deep.equal(['NoSuchBucketPolicy', 404]);
    });

    it('lets anyone list and upload where the policy says so; a missing key is then 404', async () => {
      const b = await bucketWith({ 'drop/seen.txt': 'x' });
      await owner.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy(
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['s3:ListBucket'], Resource: arn(b) },
        { Effect: 'Allow', Principal: '*', Action: ['s3:PutObject', 's3:GetObject'], Resource: arn(b, '/drop/*') },
      ) }));
      const listed = await anonymous('GET', `/${b}?list-type=2`);
      expect(listed.status).to.equal(200);
      expect(await listed.text()).to.include('<Key>drop/seen.txt</Key>');
      expect((await anonymous('PUT', `/${b}/drop/new.txt`, 'dropped')).status).to.equal(200);
      expect(await (await owner.send(new GetObjectCommand({ Bucket: b, Key: 'drop/new.txt' }))).Body!.transformToString()).to.equal('dropped');
      expect((await anonymous('GET', `/${b}/drop/missing.txt`)).status).to.equal(404);
      expect((await anonymous('PUT', `/${b}/elsewhere.txt`, 'x')).status).to.equal(403);
    });

    it('grants another account by its root ARN or id, and an explicit Deny wins over the Allow', async () => {
      const b = await bucketWith({ 'shared/report.csv': 'a,b', 'shared/secret/key.pem': 'no' });
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy(
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER.accountId}:root` }, Action: ['s3:Get*', 's3:PutObject'], Resource: arn(b, '/shared/*') },
        { Effect: 'Allow', Principal: { AWS: PARTNER.accountId }, Action: 's3:ListBucket', Resource: arn(b) },
        { Effect: 'Deny', Principal: { AWS: PARTNER.accountId }, Action: 's3:*', Resource: arn(b, '/shared/secret/*') },
      ) }));
      // Naming one account is not public: Block Public Access lets it through.
      expect((await owner.send(new GetBucketPolicyStatusCommand({ Bucket: b }))).PolicyStatus?.IsPublic).to.equal(false);
      expect(await (await partner.send(new GetObjectCommand({ Bucket: b, Key: 'shared/report.csv' }))).Body!.transformToString()).to.equal('a,b');
      await partner.send(new PutObjectCommand({ Bucket: b, Key: 'shared/from-partner.csv', Body: 'p' }));
      expect((await partner.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount).to.equal(3);
      const denied = await errorOf(partner.send(new GetObjectCommand({ Bucket: b, Key: 'shared/secret/key.pem' })));
      expect(denied.name).to.equal('AccessDenied');
      const other = await errorOf(stranger.send(new GetObjectCommand({ Bucket: b, Key: 'shared/report.csv' })));
      expect(other.name).to.equal('AccessDenied');
      // The bucket's owner is bound by a Deny too, but can always change the policy.
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn(b), arn(b, '/*')] }) }));
      expect((await errorOf(owner.send(new GetObjectCommand({ Bucket: b, Key: 'shared/report.csv' })))).name).to.equal('AccessDenied');
      await owner.send(new DeleteBucketPolicyCommand({ Bucket: b }));
      expect(await (await owner.send(new GetObjectCommand({ Bucket: b, Key: 'shared/report.csv' }))).Body!.transformToString()).to.equal('a,b');
    });

    it('evaluates aws:SourceIp, aws:SecureTransport, s3:prefix and tag conditions', async () => {
      const b = await bucketWith({ 'home/a.txt': 'a', 'other/b.txt': 'b' });
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy(
        { Effect: 'Allow', Principal: { AWS: PARTNER.accountId }, Action: 's3:ListBucket', Resource: arn(b), Condition: { StringLike: { 's3:prefix': ['home/*'] } } },
        { Effect: 'Allow', Principal: { AWS: PARTNER.accountId }, Action: 's3:GetObject', Resource: arn(b, '/*'), Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } },
        { Effect: 'Allow', Principal: { AWS: STRANGER.accountId }, Action: 's3:GetObject', Resource: arn(b, '/*'), Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        { Effect: 'Deny', Principal: { AWS: PARTNER.accountId }, Action: 's3:GetObject', Resource: arn(b, '/*'), Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'secret' } } },
      ) }));
      expect((await partner.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'home/' }))).KeyCount).to.equal(1);
      expect((await errorOf(partner.send(new ListObjectsV2Command({ Bucket: b, Prefix: 'other/' })))).name).to.equal('AccessDenied');
      expect(await (await partner.send(new GetObjectCommand({ Bucket: b, Key: 'other/b.txt' }))).Body!.transformToString()).to.equal('b');
      expect((await errorOf(stranger.send(new GetObjectCommand({ Bucket: b, Key: 'other/b.txt' })))).name).to.equal('AccessDenied');
      await owner.send(new PutObjectTaggingCommand({ Bucket: b, Key: 'home/a.txt', Tagging: { TagSet: [{ Key: 'classification', Value: 'secret' }] } }));
      expect((await errorOf(partner.send(new GetObjectCommand({ Bucket: b, Key: 'home/a.txt' })))).name).to.equal('AccessDenied');
      // The edge speaks plain HTTP: a Deny on aws:SecureTransport false refuses everyone, its owner included.
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: arn(b, '/*'), Condition: { Bool: { 'aws:SecureTransport': 'false' } } }) }));
      expect((await errorOf(owner.send(new HeadObjectCommand({ Bucket: b, Key: 'other/b.txt' })))).$metadata.httpStatusCode).to.equal(403);
    });

    it('blocks public and cross-account access a public policy grants under RestrictPublicBuckets', async () => {
      const b = await bucketWith({ 'a.txt': 'a' });
      await owner.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true } }));
      await owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy: policy(
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: arn(b, '/*') },
        { Effect: 'Allow', Principal: { AWS: PARTNER.accountId }, Action: 's3:GetObject', Resource: arn(b, '/*') },
      ) }));
      expect((await anonymous('GET', `/${b}/a.txt`)).status).to.equal(403);
      expect((await errorOf(partner.send(new GetObjectCommand({ Bucket: b, Key: 'a.txt' })))).name).to.equal('AccessDenied');
      await owner.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { BlockPublicPolicy: false, RestrictPublicBuckets: false } }));
      expect((await anonymous('GET', `/${b}/a.txt`)).status).to.equal(200);
      expect(await (await partner.send(new GetObjectCommand({ Bucket: b, Key: 'a.txt' }))).Body!.transformToString()).to.equal('a');
    });

    it('refuses a malformed policy with S3\'s MalformedPolicy text, and an unevaluated condition key with 501', async () => {
      const b = await bucketWith();
      const put = (Policy: string) => errorOf(owner.send(new PutBucketPolicyCommand({ Bucket: b, Policy })));
      const ok = { Effect: 'Allow', Principal: { AWS: PARTNER.accountId }, Action: 's3:GetObject', Resource: arn(b, '/*') };
      const cases: [string, string][] = [
        [' {}', "Policies must be valid JSON and the first byte must be '{'"],
        ['{"Statement": [', 'This policy contains invalid Json'],
        ['{}', 'Missing required field Statement'],
        [JSON.stringify({ Statement: [] }), 'Could not parse the policy: Statement is empty!'],
        [policy({ ...ok, Action: 's3:MakeCoffee' }), 'Policy has invalid action'],
        [policy({ ...ok, Resource: 'arn:aws:s3:::someone-elses-bucket/*' }), 'Policy has invalid resource'],
        [policy({ ...ok, Resource: '*' }), 'Policy has invalid resource'],
        [policy({ ...ok, Principal: { AWS: 'arn:aws:iam::111111111111:user/alice' } }), 'Invalid principal in policy'],
        [policy({ ...ok, Action: 's3:ListBucket' }), 'Action does not apply to any resource(s) in statement'],
        [policy({ ...ok, Condition: { StringEquals: { 's3:NoSuchKey': 'x' } } }), 'Policy has an invalid condition key'],
        [policy({ ...ok, Condition: { StringEqualz: { 'aws:SourceIp': 'x' } } }), 'Invalid Condition type : StringEqualz'],
        [policy({ ...ok, Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } }), 'Invalid IP address in Conditions'],
        [policy({ ...ok, Effect: 'Perhaps' }), 'Invalid effect: Perhaps'],
        [policy(...Array.from({ length: 200 }, (_, i) => ({ ...ok, Sid: `s${i}` }))), 'Normalized policy document exceeds the maximum allowed size of 20480 bytes'],
      ];
      for (const [doc, message] of cases) {
        const err = await put(doc);
        expect([err.name, err.$metadata.httpStatusCode, err.message], doc.slice(0, 80)).to.deep.equal(['MalformedPolicy', 400, message]);
      }
      const unevaluated = await put(policy({ ...ok, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }));
      expect([unevaluated.name, unevaluated.$metadata.httpStatusCode]).to.deep.equal(['NotImplemented', 501]);
      expect(unevaluated.message).to.include('aws:SourceVpce');
    });
  });
});
