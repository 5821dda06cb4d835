/**
 * S3's policy actions and the resource each acts on, from the Service Authorization Reference ("Actions defined by
 * Amazon S3", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). A bucket
 * policy may name only these (anything else is "Policy has invalid action"), and a statement's actions must apply
 * to one of its resources ("Action does not apply to any resource(s) in statement").
 */

export type ActionKind = 'bucket' | 'object' | 'account';

const OBJECT = `AbortMultipartUpload BypassGovernanceRetention DeleteObject DeleteObjectTagging DeleteObjectVersion
  DeleteObjectVersionTagging GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold GetObjectRetention
  GetObjectTagging GetObjectTorrent GetObjectVersion GetObjectVersionAcl GetObjectVersionAttributes
  GetObjectVersionForReplication GetObjectVersionTagging GetObjectVersionTorrent InitiateReplication
  ListMultipartUploadParts ObjectOwnerOverrideToBucketOwner PutObject PutObjectAcl PutObjectLegalHold
  PutObjectRetention PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging ReplicateDelete ReplicateObject
  ReplicateTags RestoreObject GetObjectAnnotation PutObjectAnnotation`;

const BUCKET = `CreateBucket DeleteBucket DeleteBucketOwnershipControls DeleteBucketPolicy DeleteBucketWebsite
  GetAccelerateConfiguration GetAnalyticsConfiguration GetBucketAcl GetBucketCORS GetBucketLocation GetBucketLogging
  GetBucketNotification GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy
  GetBucketPolicyStatus GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging GetBucketVersioning
  GetBucketWebsite GetEncryptionConfiguration GetIntelligentTieringConfiguration GetInventoryConfiguration
  GetLifecycleConfiguration GetMetricsConfiguration GetReplicationConfiguration ListBucket ListBucketMultipartUploads
  ListBucketVersions PutAccelerateConfiguration PutAnalyticsConfiguration PutBucketAcl PutBucketCORS PutBucketLogging
  PutBucketNotification PutBucketObjectLockConfiguration PutBucketOwnershipControls PutBucketPolicy
  PutBucketPublicAccessBlock PutBucketRequestPayment PutBucketTagging PutBucketVersioning PutBucketWebsite
  PutEncryptionConfiguration PutIntelligentTieringConfiguration PutInventoryConfiguration PutLifecycleConfiguration
  PutMetricsConfiguration PutReplicationConfiguration GetBucketMetadataTableConfiguration
  CreateBucketMetadataTableConfiguration DeleteBucketMetadataTableConfiguration PutBucketAbac GetBucketAbac
  ListBucketByTags`;

const ACCOUNT = `ListAllMyBuckets GetAccountPublicAccessBlock PutAccountPublicAccessBlock CreateJob ListJobs
  ListAccessPoints ListStorageLensConfigurations PutStorageLensConfiguration GetStorageLensConfiguration
  ListMultiRegionAccessPoints CreateAccessPoint`;

/** Lower-cased `s3:name` → kind (actions compare without regard to case). */
export const ACTIONS: ReadonlyMap<string, ActionKind> = new Map([
  ...OBJECT.split(/\s+/).map((n): [string, ActionKind] => [`s3:${n.toLowerCase()}`, 'object']),
  ...BUCKET.split(/\s+/).map((n): [string, ActionKind] => [`s3:${n.toLowerCase()}`, 'bucket']),
  ...ACCOUNT.split(/\s+/).map((n): [string, ActionKind] => [`s3:${n.toLowerCase()}`, 'account']),
]);

/**
 * For ACLs and ownership an object action either reads or changes one object (judged by that object's owner and
 * ACL), or writes into the bucket (judged by the bucket's: PutObject, DeleteObject, multipart uploads).
 */
export const WRITES_INTO_BUCKET = new Set(['s3:putobject', 's3:deleteobject', 's3:deleteobjectversion', 's3:abortmultipartupload', 's3:listmultipartuploadparts']);

/** Which ACL permission grants an action, where an ACL can grant it at all (acl-overview.html, "ACL permissions"). */
export function aclPermissionFor(action: string): { on: 'bucket' | 'object'; permission: 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' } | undefined {
  switch (action) {
    case 's3:listbucket': case 's3:listbucketversions': case 's3:listbucketmultipartuploads':
      return { on: 'bucket', permission: 'READ' };
    case 's3:putobject': case 's3:deleteobject': case 's3:deleteobjectversion': case 's3:abortmultipartupload':
      return { on: 'bucket', permission: 'WRITE' };
    case 's3:getbucketacl': return { on: 'bucket', permission: 'READ_ACP' };
    case 's3:putbucketacl': return { on: 'bucket', permission: 'WRITE_ACP' };
    case 's3:getobject': case 's3:getobjectversion': case 's3:getobjectattributes': case 's3:getobjectversionattributes': case 's3:getobjecttorrent':
      return { on: 'object', permission: 'READ' };
    case 's3:getobjectacl': case 's3:getobjectversionacl': return { on: 'object', permission: 'READ_ACP' };
    case 's3:putobjectacl': case 's3:putobjectversionacl': return { on: 'object', permission: 'WRITE_ACP' };
    default: return undefined;
  }
}

/** The bucket owner's root can always manage the bucket policy, whatever it denies (API_PutBucketPolicy.html). */
export const OWNER_ALWAYS = new Set(['s3:getbucketpolicy', 's3:putbucketpolicy', 's3:deletebucketpolicy']);
