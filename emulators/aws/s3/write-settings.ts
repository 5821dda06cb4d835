/**
 * What an object write sets besides bytes and headers, read from its request once for PutObject, CopyObject,
 * CreateMultipartUpload and POST uploads: the owner and ACL (Object Ownership and Block Public Access applied),
 * tags, storage class and website redirect. Request options this edge does not perform are refused here, never
 * accepted and dropped: object lock retention and legal hold (501, or S3's 400 on a bucket without Object Lock).
 */
import { S3Error, errors, invalidArgument, invalidRequest } from './errors.ts';
import { header, type S3Context, type S3Request } from './request.ts';
import { OBJECT_CANNED, cannedAcl, isPublicAcl, ownerOnly, requestedAcl, type Acl, type RequestedAcl } from './access/acl.ts';
import { aclsEnabled, blockOf, bucketOwner, ownershipOf } from './access/settings.ts';
import { parseTaggingHeader } from './tagging.ts';
import type { Bucket, ObjectSettings, Tags } from './model.ts';

/**
 * Storage classes a general purpose bucket takes (API_PutObject.html, x-amz-storage-class); OUTPOSTS, SNOW,
 * EXPRESS_ONEZONE and the FSx ones belong to other kinds of storage.
 */
const STORAGE_CLASSES = new Set(['STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR']);
/** Objects in these classes are archived: a GET needs a RestoreObject first (InvalidObjectState). */
export const ARCHIVED = new Set(['GLACIER', 'DEEP_ARCHIVE']);

export interface WriteOptions {
  /** A copy's source tags, kept whatever x-amz-tagging says (x-amz-tagging-directive COPY, the default). */
  copiedTags?: Tags;
}

/** The settings an object write asks for, checked; the caller is the writer (undefined: anonymous). */
export function writeSettings(req: S3Request, ctx: S3Context, b: Bucket, opts: WriteOptions = {}): ObjectSettings {
  refuseObjectLock(req, b);
  // Appending at an offset is for directory buckets (S3 Express One Zone), which this edge does not have.
  if (req.headers['x-amz-write-offset-bytes'] !== undefined) {
    throw new S3Error('NotImplemented', 501, 'A header you provided implies functionality that is not implemented', { Header: 'x-amz-write-offset-bytes' });
  }
  const out: ObjectSettings = {};
  Object.assign(out, ownerAndAcl(req, ctx, b));
  const tagging = header(req, 'x-amz-tagging');
  const tags = opts.copiedTags ?? (tagging !== undefined ? parseTaggingHeader(tagging) : undefined);
  if (tags?.length) out.tags = tags;
  const storageClass = header(req, 'x-amz-storage-class');
  if (storageClass !== undefined) {
    if (!STORAGE_CLASSES.has(storageClass)) throw new S3Error('InvalidStorageClass', 400, 'The storage class you specified is not valid', { StorageClassRequested: storageClass });
    if (storageClass !== 'STANDARD') out.storageClass = storageClass;
  }
  const redirect = header(req, 'x-amz-website-redirect-location');
  if (redirect !== undefined) out.websiteRedirect = checkRedirect(redirect);
  return out;
}

/** "The value must be prefixed by /, http://, or https://. The length of the value is limited to 2 KB." */
function checkRedirect(v: string): string {
  if (!/^(\/|https?:\/\/)/.test(v)) throw invalidArgument("The website redirect location must have a prefix of 'http://' or 'https://' or '/'.", { ArgumentName: 'x-amz-website-redirect-location', ArgumentValue: v });
  if (Buffer.byteLength(v) > 2048) throw invalidArgument('The length of website redirect location you specified exceeds the maximum allowed length of 2K.', { ArgumentName: 'x-amz-website-redirect-location' });
  return v;
}

/**
 * Retention and legal holds are not performed here: on a bucket without Object Lock the headers are S3's own 400,
 * on a lock-enabled bucket 501 (storing them would promise a retention nothing enforces).
 */
function refuseObjectLock(req: S3Request, b: Bucket): void {
  const named = ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold'].find((h) => req.headers[h] !== undefined);
  if (named === undefined) return;
  if (!b.objectLock) throw invalidRequest('Bucket is missing Object Lock Configuration');
  throw new S3Error('NotImplemented', 501, 'A header you provided implies functionality that is not implemented', { Header: named });
}

/**
 * Who owns the new object and its ACL, by the bucket's Object Ownership (about-object-ownership.html):
 * BucketOwnerEnforced — the bucket owner, and only no ACL or bucket-owner-full-control (or grants equal to it) is
 * accepted, else 400 AccessControlListNotSupported "The bucket does not allow ACLs"; BucketOwnerPreferred — the
 * bucket owner when the request says bucket-owner-full-control, else the writer; ObjectWriter or no controls — the
 * writer. A public ACL meets BlockPublicAcls: 403 AccessDenied.
 */
function ownerAndAcl(req: S3Request, ctx: S3Context, b: Bucket): Pick<ObjectSettings, 'owner' | 'acl'> {
  const requested = requestedAcl(req.headers, ctx.accounts, OBJECT_CANNED);
  const bucketOwnerId = bucketOwner(b);
  const bucketCanonical = ctx.access.canonical(bucketOwnerId);
  if (!aclsEnabled(b)) {
    if (requested && !('canned' in requested && requested.canned === 'bucket-owner-full-control') && !('grants' in requested && ownerOnly({ owner: bucketCanonical, grants: requested.grants }, bucketCanonical))) {
      throw new S3Error('AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
    }
    return {};
  }
  const writer = req.caller.account;
  const handedOver = ownershipOf(b) === 'BucketOwnerPreferred' && requested !== undefined && 'canned' in requested && requested.canned === 'bucket-owner-full-control';
  const ownerId = handedOver || !writer ? bucketOwnerId : writer.id;
  const acl = aclFor(requested, ctx.access.canonical(ownerId), bucketCanonical);
  if (acl && isPublicAcl(acl) && blockOf(b).BlockPublicAcls) throw errors.AccessDenied();
  const out: Pick<ObjectSettings, 'owner' | 'acl'> = {};
  if (ownerId !== bucketOwnerId) out.owner = ownerId;
  if (acl && !(acl.grants.length === 1 && ownerOnly(acl, acl.owner))) out.acl = acl;
  return out;
}

function aclFor(requested: RequestedAcl, owner: string, bucketOwner: string): Acl | undefined {
  if (!requested) return undefined;
  return 'canned' in requested ? cannedAcl(requested.canned, owner, bucketOwner) : { owner, grants: requested.grants };
}
