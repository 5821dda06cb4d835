/**
 * ACLs as S3 has them since April 2023: new buckets have ACLs disabled (BucketOwnerEnforced) and Block Public Access
 * on, so CreateBucket and PutObject with a public ACL are refused; with ownership controls changed, canned ACLs,
 * grant headers and AccessControlPolicy documents are stored and evaluated for anonymous and cross-account reads,
 * writes and listings. The cross-account parts need several accounts (embedded edge only).
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command, GetBucketAclCommand, PutBucketAclCommand,
  GetObjectAclCommand, PutObjectAclCommand, PutBucketOwnershipControlsCommand, GetBucketOwnershipControlsCommand, DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand, PutPublicAccessBlockCommand, CopyObjectCommand, CreateMultipartUploadCommand, AbortMultipartUploadCommand,
} from '@aws-sdk/client-s3';
import { awsTarget, errorOf, multiAccountTarget, accountConfig, sdkConfig, docsOnly, PARTNER, STRANGER, type AwsTarget } from '../helpers/aws.ts';

const bucketName = () => `acl-${randomBytes(5).toString('hex')}`;
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

describe('S3 ACLs with the April 2023 defaults (SDK v3)', () => {
  let t: AwsTarget;
  let s3: S3Client;
  before(async () => {
    t = await awsTarget();
    s3 = new S3Client({ ...sdkConfig(t), forcePathStyle: true });
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  it('creates buckets with ACLs disabled and refuses an ACL granting anyone but the owner', async function () {
    docsOnly(this, t, 'moto creates buckets with ACLs enabled, as S3 did before April 2023');
    const b = bucketName();
    const err = await errorOf(s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'public-read' })));
    expect([err.name, err.$metadata.httpStatusCode]).to.deep.equal(['InvalidBucketAclWithObjectOwnership', 400]);
    const blocked = await errorOf(s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'public-read', ObjectOwnership: 'ObjectWriter' })));
    expect([blocked.name, blocked.$metadata.httpStatusCode]).to.deep.equal(['InvalidBucketAclWithBlockPublicAccessError', 400]);
    await s3.send(new CreateBucketCommand({ Bucket: b, ACL: 'private' }));
    const controls = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b }));
    expect(controls.OwnershipControls?.Rules?.[0].ObjectOwnership).to.equal('BucketOwnerEnforced');
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: b }));
    expect(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission])).to.deep.equal([['CanonicalUser', acl.Owner?.ID, 'FULL_CONTROL']]);
    for (const ACL of ['public-read', 'private'] as const) {
      const put = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL })));
      expect([put.name, put.$metadata.httpStatusCode, put.message], ACL).to.deep.equal(['AccessControlListNotSupported', 400, 'The bucket does not allow ACLs']);
    }
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'k', Body: 'x', ACL: 'bucket-owner-full-control' }));
    const aclPut = await errorOf(s3.send(new PutBucketAclCommand({ Bucket: b, ACL: 'public-read' })));
    expect(aclPut.name).to.equal('AccessControlListNotSupported');
  });

  it('stores canned ACLs once ownership controls allow them, and Block Public Access still refuses public ones', async function () {
    docsOnly(this, t, 'moto has no Block Public Access defaults');
    const b = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket: b, ObjectOwnership: 'ObjectWriter' }));
    const blocked = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'pub', Body: 'x', ACL: 'public-read' })));
    expect([blocked.name, blocked.$metadata.httpStatusCode]).to.deep.equal(['AccessDenied', 403]);
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: b, Key: 'pub', Body: 'public bytes', ACL: 'public-read' }));
    const acl = await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'pub' }));
    expect(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.URI ?? g.Grantee?.ID, g.Permission])).to.deep.equal([
      ['CanonicalUser', acl.Owner?.ID, 'FULL_CONTROL'], ['Group', ALL_USERS, 'READ'],
    ]);
    const anon = await fetch(`${t.endpoint}/${b}/pub`);
    expect([anon.status, await anon.text()]).to.deep.equal([200, 'public bytes']);
    // IgnorePublicAcls: the grant stays but no longer counts, and GET ?acl shows what is enforced.
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    expect((await fetch(`${t.endpoint}/${b}/pub`)).status).to.equal(403);
    expect((await s3.send(new GetObjectAclCommand({ Bucket: b, Key: 'pub' }))).Grants).to.have.length(1);
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: b, PublicAccessBlockConfiguration: {} }));
    await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'pub', ACL: 'private' }));
    expect((await fetch(`${t.endpoint}/${b}/pub`)).status).to.equal(403);
    // A copy takes the request's ACL, never its source's.
    await s3.send(new PutObjectAclCommand({ Bucket: b, Key: 'pub', ACL: 'public-read' }));
    await s3.send(new CopyObjectCommand({ Bucket: b, Key: 'copy', CopySource: `${b}/pub` }));
    expect((await fetch(`${t.endpoint}/${b}/copy`)).status).to.equal(403);
  });

  it('takes a bucket ACL as an AccessControlPolicy document and lets anonymous callers list and write by it', async function () {
    docsOnly(this, t, 'moto has no Block Public Access defaults');
    const b = bucketName();
    await s3.send(new CreateBucketCommand({ Bucket: b, ObjectOwnership: 'BucketOwnerPreferred' }));
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b }));
    const owner = (await s3.send(new GetBucketAclCommand({ Bucket: b }))).Owner!;
    await s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: {
      Owner: owner,
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: owner.ID }, Permission: 'FULL_CONTROL' },
        { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
        { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'WRITE' },
      ],
    } }));
    expect((await fetch(`${t.endpoint}/${b}?list-type=2`)).status).to.equal(200);
    expect((await fetch(`${t.endpoint}/${b}/dropped`, { method: 'PUT', body: 'anon' })).status).to.equal(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: b, Key: 'dropped' }));
    expect(await got.Body!.transformToString()).to.equal('anon');
    const bad = await errorOf(s3.send(new PutBucketAclCommand({ Bucket: b, AccessControlPolicy: { Owner: owner, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'f'.repeat(64) }, Permission: 'READ' }] } })));
    expect([bad.name, bad.$metadata.httpStatusCode]).to.deep.equal(['InvalidArgument', 400]);
    const both = await errorOf(s3.send(new PutObjectCommand({ Bucket: b, Key: 'x', Body: 'x', ACL: 'private', GrantRead: `uri="${ALL_USERS}"` })));
    expect([both.name, both.message]).to.deep.equal(['InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed']);
    const enforce = await errorOf(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })));
    expect(enforce.name).to.equal('InvalidBucketAclWithObjectOwnership');
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: b }));
    const none = await errorOf(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: b })));
    expect([none.name, none.$metadata.httpStatusCode]).to.deep.equal(['OwnershipControlsNotFoundError', 404]);
  });
});

describe('S3 ACLs across accounts (embedded edge)', function () {
  let t: AwsTarget | undefined;
  let owner: S3Client;
  let partner: S3Client;
  let stranger: S3Client;
  before(async function () {
    t = await multiAccountTarget(this);
    owner = new S3Client({ ...sdkConfig(t!), forcePathStyle: true });
    partner = new S3Client({ ...accountConfig(t!, PARTNER), forcePathStyle: true });
    stranger = new S3Client({ ...accountConfig(t!, STRANGER), forcePathStyle: true });
  });
  after(async () => {
    for (const c of [owner, partner, stranger]) c?.destroy();
    await t?.close();
  });

  it('grants another account by x-amz-grant-* headers, by account id or canonical id', async () => {
    const b = bucketName();
    await owner.send(new CreateBucketCommand({ Bucket: b, ObjectOwnership: 'ObjectWriter' }));
    await owner.send(new PutObjectCommand({ Bucket: b, Key: 'shared', Body: 'for partner', GrantRead: `id="${PARTNER.accountId}"` }));
    expect(await (await partner.send(new GetObjectCommand({ Bucket: b, Key: 'shared' }))).Body!.transformToString()).to.equal('for partner');
    expect((await errorOf(stranger.send(new GetObjectCommand({ Bucket: b, Key: 'shared' })))).name).to.equal('AccessDenied');
    expect((await errorOf(partner.send(new ListObjectsV2Command({ Bucket: b })))).name).to.equal('AccessDenied');
    const partnerId = (await partner.send(new GetObjectAclCommand({ Bucket: b, Key: 'shared' })).catch(() => undefined));
    expect(partnerId, 'READ does not include READ_ACP').to.equal(undefined);
    await owner.send(new PutBucketAclCommand({ Bucket: b, GrantRead: `id="${PARTNER.accountId}"`, GrantWrite: `id=${PARTNER.accountId}`, GrantFullControl: `id="${(await owner.send(new GetBucketAclCommand({ Bucket: b }))).Owner!.ID}"` }));
    expect((await partner.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount).to.equal(1);
  });

  it('gives an object written by another account to its writer under ObjectWriter, to the bucket owner under BucketOwnerPreferred', async () => {
    const b = bucketName();
    await owner.send(new CreateBucketCommand({ Bucket: b, ObjectOwnership: 'ObjectWriter' }));
    await owner.send(new PutBucketAclCommand({ Bucket: b, GrantWrite: `id="${PARTNER.accountId}"`, GrantFullControl: `id="${(await owner.send(new GetBucketAclCommand({ Bucket: b }))).Owner!.ID}"` }));
    await partner.send(new PutObjectCommand({ Bucket: b, Key: 'theirs', Body: 'partner owns this' }));
    const acl = await partner.send(new GetObjectAclCommand({ Bucket: b, Key: 'theirs' }));
    expect(acl.Owner?.DisplayName).to.equal('partner');
    // The bucket owner cannot read an object another account owns unless its ACL says so …
    expect((await errorOf(owner.send(new GetObjectCommand({ Bucket: b, Key: 'theirs' })))).name).to.equal('AccessDenied');
    // … unless the writer hands it full control.
    await partner.send(new PutObjectCommand({ Bucket: b, Key: 'shared', Body: 'both', ACL: 'bucket-owner-full-control' }));
    expect(await (await owner.send(new GetObjectCommand({ Bucket: b, Key: 'shared' }))).Body!.transformToString()).to.equal('both');
    await owner.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] } }));
    await partner.send(new PutObjectCommand({ Bucket: b, Key: 'handed-over', Body: 'h', ACL: 'bucket-owner-full-control' }));
    expect((await owner.send(new GetObjectAclCommand({ Bucket: b, Key: 'handed-over' }))).Owner?.DisplayName).to.equal('webfile');
    // Switching to BucketOwnerEnforced makes the bucket owner the owner of everything.
    await owner.send(new PutBucketAclCommand({ Bucket: b, ACL: 'private' }));
    await owner.send(new PutBucketOwnershipControlsCommand({ Bucket: b, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    expect(await (await owner.send(new GetObjectCommand({ Bucket: b, Key: 'theirs' }))).Body!.transformToString()).to.equal('partner owns this');
    // A multipart upload by the partner into a bucket it may no longer write to is refused before it starts.
    const refused = await errorOf(partner.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp' })));
    expect(refused.name).to.equal('AccessDenied');
    const mine = await owner.send(new CreateMultipartUploadCommand({ Bucket: b, Key: 'mp' }));
    await owner.send(new AbortMultipartUploadCommand({ Bucket: b, Key: 'mp', UploadId: mine.UploadId }));
  });
});
