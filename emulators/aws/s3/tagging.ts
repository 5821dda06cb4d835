/**
 * Tag sets: the `Tagging` document (PutObjectTagging, PutBucketTagging, a POST upload's `tagging` field) and the
 * `x-amz-tagging` header (URL query syntax), with S3's limits (object-tagging.html; tagging-managing.html): up to 10
 * tags per object and 50 per bucket, unique keys of 1–128 and values of 0–256 UTF-16 units, letters, numbers,
 * spaces and `_ . : / = + - @`, no `aws:` keys. Messages as S3 answers them (issue captures: aws-cli#2841,
 * terraform-provider-aws#19895; ceph s3-tests test_put_excess_*_tags for the InvalidTag code).
 */
import { S3Error, errors, invalidArgument } from './errors.ts';
import { asArray, asString, doc, leaf, node, parseXmlBody } from './xml.ts';
import { header, type S3Request } from './request.ts';
import type { Tags } from './model.ts';

const invalidTag = (message: string) => new S3Error('InvalidTag', 400, message);
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export const MAX_OBJECT_TAGS = 10;
export const MAX_BUCKET_TAGS = 50;

/** `k1=v1&k2` (a key without `=` has the empty value), percent-decoded as UTF-8. */
export function parseTaggingHeader(value: string): Tags {
  const bad = () => invalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", { ArgumentName: 'x-amz-tagging', ArgumentValue: value });
  if (value === '') return [];
  const tags: Tags = [];
  for (const pair of value.split('&')) {
    const eq = pair.indexOf('=');
    let k: string;
    let v: string;
    try {
      k = decodeURIComponent((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
      v = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      throw bad();
    }
    if (eq >= 0 && pair.indexOf('=', eq + 1) >= 0) throw bad();
    if (tags.some(([x]) => x === k)) throw bad();
    tags.push([k, v]);
  }
  // Too many tags in the header: 400 BadRequest, as observed (terraform-provider-aws#19895).
  if (tags.length > MAX_OBJECT_TAGS) throw new S3Error('BadRequest', 400, 'Object tags cannot be greater than 10');
  checkTags(tags);
  return tags;
}

/** A Tagging document's tag set; `max` is 10 for objects, 50 for buckets. */
export function parseTaggingXml(body: Buffer, max: number): Tags {
  const set = parseXmlBody(body, 'Tagging').TagSet;
  if (set === undefined) throw errors.MalformedXML();
  return tagSetOf(set, max);
}

/** The Tag elements of a parsed TagSet (or of CreateBucketConfiguration's Tags). */
export function tagSetOf(set: unknown, max: number): Tags {
  const tags = asArray(typeof set === 'object' && set !== null ? (set as Record<string, unknown>).Tag : undefined).map((raw): [string, string] => {
    const t = (raw ?? {}) as Record<string, unknown>;
    const k = asString(t.Key);
    const v = t.Value === undefined ? undefined : asString(t.Value) ?? '';
    if (k === undefined || v === undefined) throw errors.MalformedXML();
    return [k, v];
  });
  if (tags.length > max) throw invalidTag(max === MAX_OBJECT_TAGS ? 'Object tags cannot be greater than 10' : 'Bucket tag count cannot be greater than 50');
  const seen = new Set<string>();
  for (const [k] of tags) {
    if (seen.has(k)) throw invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(k);
  }
  checkTags(tags);
  return tags;
}

function checkTags(tags: Tags): void {
  for (const [k, v] of tags) {
    if (k.length === 0 || !TAG_TEXT.test(k)) throw invalidTag('The TagKey you have provided is invalid');
    if (k.length > 128) throw invalidTag('The TagKey you have provided is too long, max 128');
    if (!TAG_TEXT.test(v)) throw invalidTag('The TagValue you have provided is invalid');
    if (v.length > 256) throw invalidTag('The TagValue you have provided is too long, max 256');
    if (k.toLowerCase().startsWith('aws:')) throw invalidTag('Your TagKey cannot be prefixed with aws:');
  }
}

/** The Tagging document, keys in order (S3 answers a tag set sorted by key: s3-tests test_put_obj_with_tags). */
export function renderTagging(tags: Tags): string {
  const sorted = [...tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return doc('Tagging', node('TagSet', ...sorted.map(([k, v]) => node('Tag', leaf('Key', k), leaf('Value', v)))));
}

/** The tags a request sets, for s3:RequestObjectTag conditions: its x-amz-tagging header or its Tagging body. */
export function requestTagsOf(req: S3Request): Tags | undefined {
  try {
    const h = header(req, 'x-amz-tagging');
    if (h !== undefined) return parseTaggingHeader(h);
    if (req.query.has('tagging') && req.body.length) return parseTaggingXml(req.body, MAX_BUCKET_TAGS);
  } catch {
    // A tag set the operation itself refuses: it answers the error, after authorization.
  }
  return undefined;
}
