/**
 * Which operation a request is: a table of (method, target level, subresource, header) → handler.
 * Subresource names from the S3 API reference (e.g. `?uploads`, `?versioning`, `?cors`).
 */
import { errors } from './errors.ts';
import type { S3Handler, S3Request } from './request.ts';
import * as bucket from './handlers/bucket.ts';
import * as list from './handlers/list.ts';
import * as object from './handlers/object.ts';
import * as multipart from './handlers/multipart.ts';
import { copyObject, uploadPartCopy } from './handlers/copy.ts';
import { listMultipartUploads } from './handlers/uploads.ts';
import { deleteObjects } from './handlers/delete-objects.ts';

type Level = 'service' | 'bucket' | 'object';

interface Route {
  method: string;
  level: Level;
  /** Query parameter that selects this operation. */
  sub?: string;
  /** Extra condition (e.g. a copy is a PUT with x-amz-copy-source). */
  when?: (req: S3Request) => boolean;
  handler: S3Handler;
}

const ROUTES: Route[] = [
  { method: 'GET', level: 'service', handler: bucket.listBuckets },

  { method: 'GET', level: 'bucket', sub: 'versioning', handler: bucket.getBucketVersioning },
  { method: 'PUT', level: 'bucket', sub: 'versioning', handler: bucket.putBucketVersioning },
  { method: 'GET', level: 'bucket', sub: 'cors', handler: bucket.getBucketCors },
  { method: 'PUT', level: 'bucket', sub: 'cors', handler: bucket.putBucketCors },
  { method: 'DELETE', level: 'bucket', sub: 'cors', handler: bucket.deleteBucketCors },
  { method: 'GET', level: 'bucket', sub: 'location', handler: bucket.getBucketLocation },
  { method: 'GET', level: 'bucket', sub: 'object-lock', handler: bucket.getObjectLockConfiguration },
  { method: 'GET', level: 'bucket', sub: 'uploads', handler: listMultipartUploads },
  { method: 'GET', level: 'bucket', sub: 'versions', handler: list.listObjectVersions },
  { method: 'POST', level: 'bucket', sub: 'delete', handler: deleteObjects },
  { method: 'GET', level: 'bucket', when: (r) => r.query.get('list-type') === '2', handler: list.listObjectsV2 },
  { method: 'GET', level: 'bucket', handler: list.listObjectsV1 },
  { method: 'PUT', level: 'bucket', handler: bucket.createBucket },
  { method: 'DELETE', level: 'bucket', handler: bucket.deleteBucket },
  { method: 'HEAD', level: 'bucket', handler: bucket.headBucket },

  { method: 'POST', level: 'object', sub: 'uploads', handler: multipart.createMultipartUpload },
  { method: 'PUT', level: 'object', sub: 'uploadId', when: (r) => r.query.has('partNumber') && !r.headers['x-amz-copy-source'], handler: multipart.uploadPart },
  { method: 'PUT', level: 'object', sub: 'uploadId', when: (r) => r.query.has('partNumber') && !!r.headers['x-amz-copy-source'], handler: uploadPartCopy },
  { method: 'GET', level: 'object', sub: 'uploadId', handler: multipart.listParts },
  { method: 'POST', level: 'object', sub: 'uploadId', handler: multipart.completeMultipartUpload },
  { method: 'DELETE', level: 'object', sub: 'uploadId', handler: multipart.abortMultipartUpload },
  { method: 'PUT', level: 'object', when: (r) => !!r.headers['x-amz-copy-source'] && !r.query.has('uploadId'), handler: copyObject },
  { method: 'PUT', level: 'object', when: (r) => !r.query.has('uploadId'), handler: object.putObject },
  { method: 'GET', level: 'object', handler: object.getObject },
  { method: 'HEAD', level: 'object', handler: object.headObject },
  { method: 'DELETE', level: 'object', handler: object.deleteObject },
];

/** Subresources S3 has but this emulator does not: answered 501 rather than mistaken for a plain GET/PUT. */
const UNSUPPORTED = ['acl', 'policy', 'tagging', 'lifecycle', 'website', 'logging', 'notification', 'replication', 'encryption',
  'ownershipControls', 'publicAccessBlock', 'accelerate', 'requestPayment', 'analytics', 'inventory', 'metrics',
  'intelligent-tiering', 'object-lock', 'legal-hold', 'retention', 'attributes', 'restore', 'select', 'torrent', 'policyStatus'];

const SUBS = new Set(ROUTES.map((r) => r.sub).filter((s): s is string => s !== undefined));

export function route(req: S3Request): S3Handler {
  const level: Level = req.bucket === undefined ? 'service' : req.key === undefined ? 'bucket' : 'object';
  const sub = [...SUBS].find((s) => req.query.has(s));
  const match = ROUTES.find((r) => r.method === req.method && r.level === level && r.sub === sub && (!r.when || r.when(req)));
  // A subresource this emulator lacks must not fall through to the plain operation (GET ?tagging is not a GET).
  const unsupported = UNSUPPORTED.find((s) => req.query.has(s));
  if (unsupported !== undefined && match?.sub !== unsupported) throw errors.NotImplemented();
  if (match) return match.handler;
  throw errors.MethodNotAllowed({ Method: req.method, ResourceType: level === 'object' ? 'OBJECT' : level === 'bucket' ? 'BUCKET' : 'SERVICE' });
}
