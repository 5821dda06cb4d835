/**
 * Bucket and object ACLs: Put/GetBucketAcl and Put/GetObjectAcl (a version with ?versionId). Sources:
 * API_PutBucketAcl.html, API_PutObjectAcl.html, API_GetBucketAcl.html, API_GetObjectAcl.html, and for disabled ACLs
 * object-ownership-error-responses.html: reads answer the owner with FULL_CONTROL, writes 400
 * AccessControlListNotSupported unless they grant only the bucket owner full control.
 */
import { S3Error, errors, invalidRequest } from '../errors.ts';
import { xmlResponse, type S3Context, type S3Handler, type S3Request } from '../request.ts';
import { BUCKET_CANNED, OBJECT_CANNED, cannedAcl, isPublicAcl, ownerOnly, parseAccessControlPolicy, privateAcl, renderAcl, requestedAcl, withoutPublicGrants, type Acl } from '../access/acl.ts';
import { aclsEnabled, blockOf, bucketOwner, objectOwner } from '../access/settings.ts';
import { verifyIntegrity } from '../body.ts';
import { writtenVersionHeader as versionHeader } from './object.ts';
import type { Bucket } from '../model.ts';

/** What GET ?acl shows: the ACL in force (ACLs disabled: the owner alone; IgnorePublicAcls: public grants hidden). */
function effective(b: Bucket, acl: Acl | undefined, owner: string): Acl {
  if (!aclsEnabled(b)) return privateAcl(owner);
  const a = acl ?? privateAcl(owner);
  return blockOf(b).IgnorePublicAcls ? withoutPublicGrants(a) : a;
}

export const getBucketAcl: S3Handler = (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  return xmlResponse(renderAcl(effective(b, b.acl, ctx.access.canonical(bucketOwner(b))), ctx.accounts));
};

export const getObjectAcl: S3Handler = (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  const v = ctx.state.getObject(b.name, req.key!, req.query.get('versionId'));
  return xmlResponse(renderAcl(effective(b, v.acl, ctx.access.canonical(objectOwner(b, v))), ctx.accounts), 200, versionHeader(v));
};

/** The ACL a PUT ?acl sets: from headers or from the body, never both. */
function newAcl(req: S3Request, ctx: S3Context, owner: string, bucketOwnerCanonical: string, canned: string[]): Acl {
  verifyIntegrity(req.body, req.headers, req.trailers);
  const fromHeaders = requestedAcl(req.headers, ctx.accounts, canned);
  if (fromHeaders && req.body.length) throw invalidRequest('You cannot specify access permission using both the body and the request headers.');
  if (!fromHeaders && !req.body.length) throw new S3Error('MissingSecurityHeader', 400, 'Your request was missing a required header', { MissingHeaderName: 'x-amz-acl' });
  if (fromHeaders) return 'canned' in fromHeaders ? cannedAcl(fromHeaders.canned, owner, bucketOwnerCanonical) : { owner, grants: fromHeaders.grants };
  return parseAccessControlPolicy(req.body, ctx.accounts, owner);
}

/** ACLs disabled: only a grant of full control to the bucket owner alone (bucket-owner-full-control) is accepted. */
function checkSettable(req: S3Request, b: Bucket, acl: Acl, bucketOwnerCanonical: string): void {
  if (!aclsEnabled(b)) {
    const canned = req.headers['x-amz-acl'];
    if (canned !== undefined ? canned !== 'bucket-owner-full-control' : !ownerOnly(acl, bucketOwnerCanonical)) {
      throw new S3Error('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
    }
  }
  // BlockPublicAcls: "PUT Bucket acl and PUT Object acl calls fail if the specified ACL is public."
  if (isPublicAcl(acl) && blockOf(b).BlockPublicAcls) throw errors.AccessDenied();
}

export const putBucketAcl: S3Handler = (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  const owner = ctx.access.canonical(bucketOwner(b));
  const acl = newAcl(req, ctx, owner, owner, BUCKET_CANNED);
  checkSettable(req, b, acl, owner);
  if (!aclsEnabled(b)) return { status: 200 };
  ctx.state.updateBucket(b.name, ({ acl: _old, ...rest }) => ({ ...rest, acl }));
  return { status: 200 };
};

export const putObjectAcl: S3Handler = (req, ctx) => {
  const b = ctx.state.bucket(req.bucket!);
  const v = ctx.state.getObject(b.name, req.key!, req.query.get('versionId'));
  const bucketCanonical = ctx.access.canonical(bucketOwner(b));
  const acl = newAcl(req, ctx, ctx.access.canonical(objectOwner(b, v)), bucketCanonical, OBJECT_CANNED);
  checkSettable(req, b, acl, bucketCanonical);
  if (!aclsEnabled(b)) return { status: 200, headers: versionHeader(v) };
  const w = ctx.state.updateVersion(b.name, v.key, v.versionId, ({ acl: _old, ...rest }) => ({ ...rest, acl }));
  return { status: 200, headers: versionHeader(w) };
};

