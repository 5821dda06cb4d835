/**
 * Object and bucket tagging: Put/Get/DeleteObjectTagging (a version with ?versionId) and Put/Get/DeleteBucketTagging.
 * Sources: API_PutObjectTagging.html, API_GetObjectTagging.html, API_DeleteObjectTagging.html and the bucket pages.
 */
import { S3Error } from '../errors.ts';
import { xmlResponse, type S3Handler, type S3Request } from '../request.ts';
import { MAX_BUCKET_TAGS, MAX_OBJECT_TAGS, parseTaggingXml, renderTagging } from '../tagging.ts';
import { verifyIntegrity } from '../body.ts';
import { writtenVersionHeader as versionHeader } from './object.ts';

const versionOf = (req: S3Request) => req.query.get('versionId');

export const putObjectTagging: S3Handler = (req, { state }) => {
  verifyIntegrity(req.body, req.headers, req.trailers);
  const tags = parseTaggingXml(req.body, MAX_OBJECT_TAGS);
  const v = state.updateVersion(req.bucket!, req.key!, versionOf(req), ({ tags: _old, ...rest }) => (tags.length ? { ...rest, tags } : rest));
  return { status: 200, headers: versionHeader(v) };
};

// An object without tags answers an empty TagSet (s3-tests test_put_delete_tags).
export const getObjectTagging: S3Handler = (req, { state }) => {
  const v = state.getObject(req.bucket!, req.key!, versionOf(req));
  return xmlResponse(renderTagging(v.tags ?? []), 200, versionHeader(v));
};

export const deleteObjectTagging: S3Handler = (req, { state }) => {
  const v = state.updateVersion(req.bucket!, req.key!, versionOf(req), ({ tags: _old, ...rest }) => rest);
  return { status: 204, headers: versionHeader(v) };
};

// PutBucketTagging replaces the whole set; an empty set removes it.
export const putBucketTagging: S3Handler = (req, { state }) => {
  state.bucket(req.bucket!);
  verifyIntegrity(req.body, req.headers, req.trailers);
  const tags = parseTaggingXml(req.body, MAX_BUCKET_TAGS);
  state.updateBucket(req.bucket!, ({ tags: _old, ...rest }) => (tags.length ? { ...rest, tags } : rest));
  return { status: 204 };
};

// A bucket without tags: 404 NoSuchTagSet (ErrorResponses.html; s3-tests test_set_bucket_tagging).
export const getBucketTagging: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  if (!b.tags?.length) throw new S3Error('NoSuchTagSet', 404, 'The TagSet does not exist', { BucketName: b.name });
  return xmlResponse(renderTagging(b.tags));
};

export const deleteBucketTagging: S3Handler = (req, { state }) => {
  state.updateBucket(req.bucket!, ({ tags: _old, ...rest }) => rest);
  return { status: 204 };
};
