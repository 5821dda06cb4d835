/** Bucket operations and bucket configuration (versioning, CORS). Source: S3 API reference, one page per operation. */
import { errors, invalidArgument, S3Error } from '../errors.ts';
import { intQuery, xmlResponse, type S3Handler } from '../request.ts';
import { decodeToken, encodeToken } from '../listing.ts';
import { asArray, asText, doc, leaf, node, iso, parseXmlBody } from '../xml.ts';
import { MAX_BUCKET_TAGS, tagSetOf } from '../tagging.ts';
import { validateCorsRules, type CorsRule } from '../cors.ts';
import { ownerXml } from '../accounts.ts';
import { bucketOwner, OWNERSHIPS, type Ownership } from '../access/settings.ts';
import { BUCKET_CANNED, cannedAcl, isPublicAcl, ownerOnly, requestedAcl, type Acl } from '../access/acl.ts';
import type { BucketRecord } from '../model.ts';

const name = (b: string | undefined): string => b!;

// API_ListBuckets.html: the caller's own buckets, by name, filtered by prefix and bucket-region, paged by
// max-buckets (1–10,000) and continuation-token.
export const listBuckets: S3Handler = (req, { state, accounts }) => {
  const me = req.caller.account!.id;
  const prefix = req.query.get('prefix') ?? '';
  const region = req.query.get('bucket-region');
  const paged = req.query.has('max-buckets');
  const max = intQuery(req, 'max-buckets', 10000);
  if (max < 1 || max > 10000) throw invalidArgument('Argument max-buckets must be an integer between 1 and 10000', { ArgumentName: 'max-buckets', ArgumentValue: String(max) });
  const token = req.query.get('continuation-token');
  const after = token ? decodeToken(token) : undefined;
  if (token && after === undefined) throw invalidArgument('The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  const mine = state.listBuckets().filter((b) => bucketOwner(b) === me && b.name.startsWith(prefix) && (region === undefined || b.region === region) && (after === undefined || b.name > after));
  const page = mine.slice(0, max);
  const next = paged && mine.length > page.length ? leaf('ContinuationToken', encodeToken(page[page.length - 1].name)) : '';
  const buckets = page.map((b) => node('Bucket', leaf('Name', b.name), leaf('CreationDate', iso(b.created)), leaf('BucketRegion', b.region)));
  return xmlResponse(doc('ListAllMyBucketsResult', ownerXml(accounts, me), node('Buckets', ...buckets), next, req.query.has('prefix') ? leaf('Prefix', prefix) : ''));
};

// API_CreateBucket.html: the region is the LocationConstraint, which must match the endpoint's (signing) region.
export const createBucket: S3Handler = (req, { state, accounts }) => {
  const config = req.body.length ? parseXmlBody(req.body, 'CreateBucketConfiguration') : {};
  const constraint = asText(config.LocationConstraint);
  if (config.Location !== undefined || config.Bucket !== undefined) throw new S3Error('NotImplemented', 501, 'Directory buckets (CreateBucketConfiguration Location and Bucket) are not implemented by this emulator');
  const region = constraint || 'us-east-1';
  if (region !== req.region) {
    throw new S3Error('IllegalLocationConstraintException', 400, `The ${constraint ?? 'unspecified'} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
  const owner = req.caller.account!;
  const settings: Partial<BucketRecord> = {};
  if (String(req.headers['x-amz-bucket-object-lock-enabled'] ?? '').toLowerCase() === 'true') settings.objectLock = true;
  const ownership = req.headers['x-amz-object-ownership'] as string | undefined;
  if (ownership !== undefined) {
    if (!OWNERSHIPS.includes(ownership)) throw invalidArgument(`Invalid x-amz-object-ownership header: ${ownership}`, { ArgumentName: 'x-amz-object-ownership', ArgumentValue: ownership });
    if (ownership !== 'BucketOwnerEnforced') settings.ownership = ownership as Ownership;
  }
  const acl = newBucketAcl(req, accounts, owner.canonicalId, settings.ownership ?? 'BucketOwnerEnforced');
  if (acl) settings.acl = acl;
  const tags = config.Tags === undefined ? undefined : tagSetOf(config.Tags, MAX_BUCKET_TAGS);
  if (tags?.length) settings.tags = tags;
  const created = state.createBucket(name(req.bucket), region, owner.id, settings);
  const headers: Record<string, string> = created ? { location: `/${req.bucket}` } : {};
  return { status: 200, headers };
};

/**
 * The ACL a CreateBucket asks for. Since April 2023 a new bucket has ACLs disabled unless the request sets another
 * Object Ownership: then an ACL granting anyone but the owner is 400 InvalidBucketAclWithObjectOwnership
 * (object-ownership-error-responses.html); with ACLs enabled, a public one still meets the new bucket's Block
 * Public Access: 400 InvalidBucketAclWithBlockPublicAccessError (observed: "Bucket cannot have public ACLs set with
 * BlockPublicAccess enabled").
 */
function newBucketAcl(req: Parameters<S3Handler>[0], accounts: Parameters<S3Handler>[1]['accounts'], owner: string, ownership: Ownership): Acl | undefined {
  const requested = requestedAcl(req.headers, accounts, BUCKET_CANNED);
  if (!requested) return undefined;
  // bucket-owner-read and bucket-owner-full-control are object ACLs: "If you specify this canned ACL when creating a bucket, Amazon S3 ignores it."
  const acl = 'canned' in requested ? cannedAcl(requested.canned.startsWith('bucket-owner') ? 'private' : requested.canned, owner, owner) : { owner, grants: requested.grants };
  if (ownership === 'BucketOwnerEnforced') {
    if (!ownerOnly(acl, owner)) throw new S3Error('InvalidBucketAclWithObjectOwnership', 400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
    return undefined;
  }
  if (isPublicAcl(acl)) throw new S3Error('InvalidBucketAclWithBlockPublicAccessError', 400, 'Bucket cannot have public ACLs set with BlockPublicAccess enabled');
  return acl;
}

export const deleteBucket: S3Handler = (req, { state }) => {
  state.deleteBucket(name(req.bucket));
  return { status: 204 };
};

// API_HeadBucket.html: 200 with the bucket's region; errors carry no body on HEAD.
export const headBucket: S3Handler = (req, { state }) => {
  const b = state.bucket(name(req.bucket));
  return { status: 200, headers: { 'x-amz-bucket-region': b.region } };
};

// API_GetBucketLocation.html: us-east-1 is an empty LocationConstraint.
export const getBucketLocation: S3Handler = (req, { state }) => {
  const b = state.bucket(name(req.bucket));
  const value = b.region === 'us-east-1' ? '' : b.region;
  return xmlResponse(`<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${value}</LocationConstraint>`);
};

// API_GetBucketVersioning.html: never-configured buckets answer an empty configuration.
export const getBucketVersioning: S3Handler = (req, { state }) => {
  const b = state.bucket(name(req.bucket));
  return xmlResponse(doc('VersioningConfiguration', b.versioning === 'Unversioned' ? '' : leaf('Status', b.versioning)));
};

export const putBucketVersioning: S3Handler = (req, { state }) => {
  state.bucket(name(req.bucket));
  const config = parseXmlBody(req.body, 'VersioningConfiguration');
  const status = asText(config.Status);
  if (status !== 'Enabled' && status !== 'Suspended') throw errors.MalformedXML();
  // MFA delete needs an MFA device to check x-amz-mfa against: refused rather than stored and not enforced.
  const mfa = asText(config.MfaDelete);
  if (mfa !== undefined && mfa !== 'Disabled') {
    if (mfa !== 'Enabled') throw errors.MalformedXML();
    throw new S3Error('NotImplemented', 501, 'MFA delete is not implemented by this emulator (it has no MFA devices)');
  }
  state.setVersioning(name(req.bucket), status);
  return { status: 200 };
};

// API_GetBucketRequestPayment.html: no bucket here is Requester Pays (x-amz-request-payer is then moot, as on S3).
export const getBucketRequestPayment: S3Handler = (req, { state }) => {
  state.bucket(name(req.bucket));
  return xmlResponse(doc('RequestPaymentConfiguration', leaf('Payer', 'BucketOwner')));
};

export const putBucketRequestPayment: S3Handler = (req, { state }) => {
  state.bucket(name(req.bucket));
  const payer = asText(parseXmlBody(req.body, 'RequestPaymentConfiguration').Payer);
  if (payer !== 'BucketOwner' && payer !== 'Requester') throw errors.MalformedXML();
  if (payer === 'Requester') throw new S3Error('NotImplemented', 501, 'Requester Pays buckets are not implemented by this emulator (nothing is billed)');
  return { status: 200 };
};

// API_GetObjectLockConfiguration.html: lock-enabled buckets answer their (rule-less) configuration.
export const getObjectLockConfiguration: S3Handler = (req, { state }) => {
  const b = state.bucket(name(req.bucket));
  if (!b.objectLock) throw new S3Error('ObjectLockConfigurationNotFoundError', 404, 'Object Lock configuration does not exist for this bucket', { BucketName: b.name });
  return xmlResponse(doc('ObjectLockConfiguration', leaf('ObjectLockEnabled', 'Enabled')));
};

// API_GetBucketCors.html
export const getBucketCors: S3Handler = (req, { state }) => {
  const b = state.bucket(name(req.bucket));
  if (!b.cors) throw errors.NoSuchCORSConfiguration({ BucketName: b.name });
  const rules = b.cors.map((r) => node('CORSRule',
    leaf('ID', r.id),
    ...r.allowedHeaders.map((h) => leaf('AllowedHeader', h)),
    ...r.allowedMethods.map((m) => leaf('AllowedMethod', m)),
    ...r.allowedOrigins.map((o) => leaf('AllowedOrigin', o)),
    ...r.exposeHeaders.map((h) => leaf('ExposeHeader', h)),
    leaf('MaxAgeSeconds', r.maxAgeSeconds)));
  return xmlResponse(doc('CORSConfiguration', ...rules));
};

const strings = (v: unknown): string[] => asArray(v).map(asText).filter((s): s is string => s !== undefined);

// API_PutBucketCors.html
export const putBucketCors: S3Handler = (req, { state }) => {
  state.bucket(name(req.bucket));
  const rules: CorsRule[] = asArray(parseXmlBody(req.body, 'CORSConfiguration').CORSRule).map((raw) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const maxAge = asText(r.MaxAgeSeconds);
    return {
      id: asText(r.ID),
      allowedOrigins: strings(r.AllowedOrigin),
      allowedMethods: strings(r.AllowedMethod),
      allowedHeaders: strings(r.AllowedHeader),
      exposeHeaders: strings(r.ExposeHeader),
      maxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge),
    };
  });
  const problem = validateCorsRules(rules);
  if (problem) throw problem.startsWith('The XML') ? errors.MalformedXML() : new S3Error('InvalidRequest', 400, problem);
  state.setCors(name(req.bucket), rules);
  return { status: 200 };
};

export const deleteBucketCors: S3Handler = (req, { state }) => {
  state.setCors(name(req.bucket), undefined);
  return { status: 204 };
};
