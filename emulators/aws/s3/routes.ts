/**
 * Which operation a request is: a table of (method, target level, subresource, header) → handler, with the policy
 * action S3 authorizes it as (Service Authorization Reference, "Actions defined by Amazon S3") and how much body it
 * may carry. Subresource names from the S3 API reference (e.g. `?uploads`, `?versioning`, `?cors`).
 */
import { errors } from './errors.ts';
import { BODY_LIMIT } from './wire.ts';
import type { S3Handler, S3Request } from './request.ts';
import * as bucket from './handlers/bucket.ts';
import * as list from './handlers/list.ts';
import * as object from './handlers/object.ts';
import * as multipart from './handlers/multipart.ts';
import { copyObject, uploadPartCopy } from './handlers/copy.ts';
import { listMultipartUploads } from './handlers/uploads.ts';
import { deleteObjects } from './handlers/delete-objects.ts';
import * as tagging from './handlers/tagging.ts';
import * as acl from './handlers/acl.ts';
import * as access from './handlers/bucket-access.ts';
import * as encryption from './handlers/encryption.ts';
import { getObjectAttributes } from './handlers/attributes.ts';
import { postObject } from './handlers/post-object.ts';

type Level = 'service' | 'bucket' | 'object';

export interface Route {
  method: string;
  level: Level;
  /** Query parameter that selects this operation. */
  sub?: string;
  /** Extra condition (e.g. a copy is a PUT with x-amz-copy-source). */
  when?: (req: S3Request) => boolean;
  handler: S3Handler;
  /**
   * The action checked against the bucket's policy and ACLs before the handler runs: a name, a name per request
   * (versioned forms), or null where the handler checks itself (POST uploads, DeleteObjects' keys).
   */
  action: string | ((req: S3Request) => string) | null;
  /** Largest body (default: a configuration document's, 1 MiB). */
  bodyLimit?: number;
  /** Authorize once the body is read (the body holds what a condition key needs: a tag set). */
  afterBody?: boolean;
}

/** Configuration documents (CORS, tags, ACLs, policies …) stay small; 1 MiB covers the largest S3 accepts. */
export const CONFIG_LIMIT = 1024 * 1024;
/** CompleteMultipartUpload lists up to 10,000 parts, DeleteObjects 1,000 keys of up to 1 KiB. */
const LIST_LIMIT = 8 * 1024 * 1024;

/** The `Version` form of an object action when the request names a version. */
const versioned = (plain: string, version: string) => (req: S3Request) => (req.query.has('versionId') ? version : plain);

const ROUTES: Route[] = [
  { method: 'GET', level: 'service', handler: bucket.listBuckets, action: 's3:listallmybuckets' },

  { method: 'GET', level: 'bucket', sub: 'versioning', handler: bucket.getBucketVersioning, action: 's3:getbucketversioning' },
  { method: 'PUT', level: 'bucket', sub: 'versioning', handler: bucket.putBucketVersioning, action: 's3:putbucketversioning' },
  { method: 'GET', level: 'bucket', sub: 'cors', handler: bucket.getBucketCors, action: 's3:getbucketcors' },
  { method: 'PUT', level: 'bucket', sub: 'cors', handler: bucket.putBucketCors, action: 's3:putbucketcors' },
  { method: 'DELETE', level: 'bucket', sub: 'cors', handler: bucket.deleteBucketCors, action: 's3:putbucketcors' },
  { method: 'GET', level: 'bucket', sub: 'location', handler: bucket.getBucketLocation, action: 's3:getbucketlocation' },
  { method: 'GET', level: 'bucket', sub: 'requestPayment', handler: bucket.getBucketRequestPayment, action: 's3:getbucketrequestpayment' },
  { method: 'PUT', level: 'bucket', sub: 'requestPayment', handler: bucket.putBucketRequestPayment, action: 's3:putbucketrequestpayment' },
  { method: 'GET', level: 'bucket', sub: 'object-lock', handler: bucket.getObjectLockConfiguration, action: 's3:getbucketobjectlockconfiguration' },
  { method: 'GET', level: 'bucket', sub: 'tagging', handler: tagging.getBucketTagging, action: 's3:getbuckettagging' },
  { method: 'PUT', level: 'bucket', sub: 'tagging', handler: tagging.putBucketTagging, action: 's3:putbuckettagging' },
  { method: 'DELETE', level: 'bucket', sub: 'tagging', handler: tagging.deleteBucketTagging, action: 's3:putbuckettagging' },
  { method: 'GET', level: 'bucket', sub: 'acl', handler: acl.getBucketAcl, action: 's3:getbucketacl' },
  { method: 'PUT', level: 'bucket', sub: 'acl', handler: acl.putBucketAcl, action: 's3:putbucketacl' },
  { method: 'GET', level: 'bucket', sub: 'policy', handler: access.getBucketPolicy, action: 's3:getbucketpolicy' },
  { method: 'PUT', level: 'bucket', sub: 'policy', handler: access.putBucketPolicy, action: 's3:putbucketpolicy' },
  { method: 'DELETE', level: 'bucket', sub: 'policy', handler: access.deleteBucketPolicy, action: 's3:deletebucketpolicy' },
  { method: 'GET', level: 'bucket', sub: 'policyStatus', handler: access.getBucketPolicyStatus, action: 's3:getbucketpolicystatus' },
  { method: 'GET', level: 'bucket', sub: 'publicAccessBlock', handler: access.getPublicAccessBlock, action: 's3:getbucketpublicaccessblock' },
  { method: 'PUT', level: 'bucket', sub: 'publicAccessBlock', handler: access.putPublicAccessBlock, action: 's3:putbucketpublicaccessblock' },
  { method: 'DELETE', level: 'bucket', sub: 'publicAccessBlock', handler: access.deletePublicAccessBlock, action: 's3:putbucketpublicaccessblock' },
  { method: 'GET', level: 'bucket', sub: 'ownershipControls', handler: access.getBucketOwnershipControls, action: 's3:getbucketownershipcontrols' },
  { method: 'PUT', level: 'bucket', sub: 'ownershipControls', handler: access.putBucketOwnershipControls, action: 's3:putbucketownershipcontrols' },
  { method: 'DELETE', level: 'bucket', sub: 'ownershipControls', handler: access.deleteBucketOwnershipControls, action: 's3:putbucketownershipcontrols' },
  { method: 'GET', level: 'bucket', sub: 'encryption', handler: encryption.getBucketEncryption, action: 's3:getencryptionconfiguration' },
  { method: 'PUT', level: 'bucket', sub: 'encryption', handler: encryption.putBucketEncryption, action: 's3:putencryptionconfiguration' },
  { method: 'DELETE', level: 'bucket', sub: 'encryption', handler: encryption.deleteBucketEncryption, action: 's3:putencryptionconfiguration' },
  { method: 'GET', level: 'bucket', sub: 'uploads', handler: listMultipartUploads, action: 's3:listbucketmultipartuploads' },
  { method: 'GET', level: 'bucket', sub: 'versions', handler: list.listObjectVersions, action: 's3:listbucketversions' },
  { method: 'POST', level: 'bucket', sub: 'delete', handler: deleteObjects, action: null, bodyLimit: LIST_LIMIT },
  // A browser form upload: the form carries its own signature (or none), so the handler authenticates and authorizes.
  { method: 'POST', level: 'bucket', handler: postObject, action: null, bodyLimit: BODY_LIMIT },
  { method: 'GET', level: 'bucket', when: (r) => r.query.get('list-type') === '2', handler: list.listObjectsV2, action: 's3:listbucket' },
  { method: 'GET', level: 'bucket', handler: list.listObjectsV1, action: 's3:listbucket' },
  { method: 'PUT', level: 'bucket', handler: bucket.createBucket, action: 's3:createbucket' },
  { method: 'DELETE', level: 'bucket', handler: bucket.deleteBucket, action: 's3:deletebucket' },
  { method: 'HEAD', level: 'bucket', handler: bucket.headBucket, action: 's3:listbucket' },

  { method: 'GET', level: 'object', sub: 'tagging', handler: tagging.getObjectTagging, action: versioned('s3:getobjecttagging', 's3:getobjectversiontagging') },
  { method: 'PUT', level: 'object', sub: 'tagging', handler: tagging.putObjectTagging, action: versioned('s3:putobjecttagging', 's3:putobjectversiontagging'), afterBody: true },
  { method: 'DELETE', level: 'object', sub: 'tagging', handler: tagging.deleteObjectTagging, action: versioned('s3:deleteobjecttagging', 's3:deleteobjectversiontagging') },
  { method: 'GET', level: 'object', sub: 'acl', handler: acl.getObjectAcl, action: versioned('s3:getobjectacl', 's3:getobjectversionacl') },
  { method: 'PUT', level: 'object', sub: 'acl', handler: acl.putObjectAcl, action: versioned('s3:putobjectacl', 's3:putobjectversionacl') },
  { method: 'GET', level: 'object', sub: 'attributes', handler: getObjectAttributes, action: versioned('s3:getobjectattributes', 's3:getobjectversionattributes') },
  { method: 'POST', level: 'object', sub: 'uploads', handler: multipart.createMultipartUpload, action: 's3:putobject' },
  { method: 'PUT', level: 'object', sub: 'uploadId', when: (r) => r.query.has('partNumber') && !r.headers['x-amz-copy-source'], handler: multipart.uploadPart, action: 's3:putobject', bodyLimit: BODY_LIMIT },
  { method: 'PUT', level: 'object', sub: 'uploadId', when: (r) => r.query.has('partNumber') && !!r.headers['x-amz-copy-source'], handler: uploadPartCopy, action: 's3:putobject' },
  { method: 'GET', level: 'object', sub: 'uploadId', handler: multipart.listParts, action: 's3:listmultipartuploadparts' },
  { method: 'POST', level: 'object', sub: 'uploadId', handler: multipart.completeMultipartUpload, action: 's3:putobject', bodyLimit: LIST_LIMIT },
  { method: 'DELETE', level: 'object', sub: 'uploadId', handler: multipart.abortMultipartUpload, action: 's3:abortmultipartupload' },
  { method: 'PUT', level: 'object', when: (r) => !!r.headers['x-amz-copy-source'] && !r.query.has('uploadId'), handler: copyObject, action: 's3:putobject' },
  { method: 'PUT', level: 'object', when: (r) => !r.query.has('uploadId'), handler: object.putObject, action: 's3:putobject', bodyLimit: BODY_LIMIT },
  // UpdateObjectEncryption re-wraps a key under KMS only (API_UpdateObjectEncryption.html): there is no KMS here.
  { method: 'PUT', level: 'object', sub: 'encryption', handler: encryption.updateObjectEncryption, action: 's3:putobject' },
  { method: 'GET', level: 'object', handler: object.getObject, action: versioned('s3:getobject', 's3:getobjectversion') },
  { method: 'HEAD', level: 'object', handler: object.headObject, action: versioned('s3:getobject', 's3:getobjectversion') },
  { method: 'DELETE', level: 'object', handler: object.deleteObject, action: versioned('s3:deleteobject', 's3:deleteobjectversion') },
];

/** Subresources S3 has but this emulator does not: answered 501 rather than mistaken for a plain GET/PUT. */
const UNSUPPORTED = ['lifecycle', 'website', 'logging', 'notification', 'replication',
  'accelerate', 'analytics', 'inventory', 'metrics', 'intelligent-tiering', 'object-lock', 'legal-hold',
  'retention', 'restore', 'select', 'torrent', 'metadataTable', 'metadataConfiguration', 'abac', 'renameObject'];

const SUBS = new Set(ROUTES.map((r) => r.sub).filter((s): s is string => s !== undefined));

export function route(req: S3Request): Route {
  const level: Level = req.bucket === undefined ? 'service' : req.key === undefined ? 'bucket' : 'object';
  const sub = [...SUBS].find((s) => req.query.has(s));
  const match = ROUTES.find((r) => r.method === req.method && r.level === level && r.sub === sub && (!r.when || r.when(req)));
  // A subresource this emulator lacks must not fall through to the plain operation (GET ?tagging is not a GET).
  const unsupported = UNSUPPORTED.find((s) => req.query.has(s));
  if (unsupported !== undefined && match?.sub !== unsupported) throw errors.NotImplemented();
  if (match) return match;
  throw errors.MethodNotAllowed({ Method: req.method, ResourceType: level === 'object' ? 'OBJECT' : level === 'bucket' ? 'BUCKET' : 'SERVICE' });
}

/** The action a request is checked as, or null when its handler checks (per key, per upload form). */
export function actionOf(r: Route, req: S3Request): string | null {
  return typeof r.action === 'function' ? r.action(req) : r.action;
}
