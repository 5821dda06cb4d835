/**
 * Who may use a bucket: its policy (Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus), Block Public Access
 * (Put/Get/DeletePublicAccessBlock) and Object Ownership (Put/Get/DeleteBucketOwnershipControls). Sources: the API
 * reference page of each operation; access-control-block-public-access.html for what "public" means.
 */
import { S3Error, errors } from '../errors.ts';
import { xmlResponse, type S3Handler } from '../request.ts';
import { asArray, asText, doc, leaf, node, parseXmlBody } from '../xml.ts';
import { parsePolicy } from '../access/policy.ts';
import { isPublicAcl } from '../access/acl.ts';
import { blockOf, OWNERSHIPS, ownershipOf, type Ownership, type PublicAccessBlock } from '../access/settings.ts';
import { verifyIntegrity } from '../body.ts';

export const putBucketPolicy: S3Handler = (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  verifyIntegrity(req.body, req.headers, req.trailers);
  // Giving up the owner's lasting right to change the policy is not modelled: refused rather than ignored.
  if (String(req.headers['x-amz-confirm-remove-self-bucket-access'] ?? '').toLowerCase() === 'true') {
    throw new S3Error('NotImplemented', 501, 'A header you provided implies functionality that is not implemented', { Header: 'x-amz-confirm-remove-self-bucket-access' });
  }
  const policy = parsePolicy(req.body, b.name, ctx.accounts);
  // BlockPublicPolicy: "reject calls to PUT Bucket policy if the specified bucket policy allows public access" (403).
  if (policy.public && blockOf(b).BlockPublicPolicy) {
    throw new S3Error('AccessDenied', 403, `User: ${req.caller.account!.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${b.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`);
  }
  const text = req.body.toString('utf8');
  ctx.state.updateBucket(b.name, (r) => ({ ...r, policy: text }));
  // S3 answers 204 (API_PutBucketPolicy.html sample; LocalStack's recording).
  return { status: 204 };
};

// A bucket without a policy: 404 NoSuchBucketPolicy (LocalStack's recording against S3).
export const getBucketPolicy: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  if (b.policy === undefined) throw noPolicy(b.name);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: b.policy };
};

export const deleteBucketPolicy: S3Handler = (req, { state }) => {
  state.updateBucket(req.bucket!, ({ policy: _old, ...rest }) => rest);
  return { status: 204 };
};

const noPolicy = (bucket: string) => new S3Error('NoSuchBucketPolicy', 404, 'The bucket policy does not exist', { BucketName: bucket });

// API_GetBucketPolicyStatus.html: IsPublic by the policy alone; no policy is 404 (cloudquery#12163's capture).
export const getBucketPolicyStatus: S3Handler = (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  const policy = ctx.access.policyOf(b);
  if (!policy) throw noPolicy(b.name);
  return xmlResponse(doc('PolicyStatus', leaf('IsPublic', policy.public)));
};

const FLAGS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

// API_PutPublicAccessBlock.html: an element left out is false.
export const putPublicAccessBlock: S3Handler = (req, { state }) => {
  state.bucket(req.bucket!);
  verifyIntegrity(req.body, req.headers, req.trailers);
  const root = parseXmlBody(req.body, 'PublicAccessBlockConfiguration');
  const block = {} as PublicAccessBlock;
  for (const f of FLAGS) {
    const v = asText(root[f])?.toLowerCase();
    if (v !== undefined && v !== 'true' && v !== 'false') throw errors.MalformedXML();
    block[f] = v === 'true';
  }
  state.updateBucket(req.bucket!, (r) => ({ ...r, publicAccessBlock: block }));
  return { status: 200 };
};

export const getPublicAccessBlock: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  if (b.publicAccessBlock === null) throw new S3Error('NoSuchPublicAccessBlockConfiguration', 404, 'The public access block configuration was not found', { BucketName: b.name });
  const block = blockOf(b);
  return xmlResponse(doc('PublicAccessBlockConfiguration', ...FLAGS.map((f) => leaf(f, block[f]))));
};

export const deletePublicAccessBlock: S3Handler = (req, { state }) => {
  state.updateBucket(req.bucket!, (r) => ({ ...r, publicAccessBlock: null }));
  return { status: 204 };
};

// API_PutBucketOwnershipControls.html: one rule; BucketOwnerEnforced needs an ACL granting only the owner
// (object-ownership-error-responses.html: InvalidBucketAclWithObjectOwnership).
export const putBucketOwnershipControls: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  verifyIntegrity(req.body, req.headers, req.trailers);
  const rules = asArray(parseXmlBody(req.body, 'OwnershipControls').Rule);
  const value = rules.length === 1 ? asText((rules[0] as Record<string, unknown> | undefined)?.ObjectOwnership) : undefined;
  if (value === undefined || !OWNERSHIPS.includes(value)) throw errors.MalformedXML();
  if (value === 'BucketOwnerEnforced' && b.acl && (b.acl.grants.length > 1 || isPublicAcl(b.acl))) {
    throw new S3Error('InvalidBucketAclWithObjectOwnership', 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  }
  state.updateBucket(b.name, ({ ownership: _old, ...rest }) => (value === 'BucketOwnerEnforced' ? rest : { ...rest, ownership: value as Ownership }));
  return { status: 200 };
};

export const getBucketOwnershipControls: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  const ownership = ownershipOf(b);
  if (!ownership) throw new S3Error('OwnershipControlsNotFoundError', 404, 'The bucket ownership controls were not found', { BucketName: b.name });
  return xmlResponse(doc('OwnershipControls', node('Rule', leaf('ObjectOwnership', ownership))));
};

export const deleteBucketOwnershipControls: S3Handler = (req, { state }) => {
  state.updateBucket(req.bucket!, (r) => ({ ...r, ownership: null }));
  return { status: 204 };
};
