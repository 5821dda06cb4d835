/**
 * Listings: ListObjectsV2, ListObjects (V1) and ListObjectVersions.
 * Sources: API_ListObjectsV2.html, API_ListObjects.html, API_ListObjectVersions.html.
 */
import { invalidArgument } from '../errors.ts';
import { header, intQuery, keyEncoder, xmlResponse, type S3Handler, type S3Request } from '../request.ts';
import { ARCHIVED } from '../write-settings.ts';
import { doc, leaf, node, iso } from '../xml.ts';
import { allVersions, decodeToken, encodeToken, latestVisible, walkKeys } from '../listing.ts';
import { ownerXml, type Accounts } from '../accounts.ts';
import { objectOwner } from '../access/settings.ts';
import type { Bucket, ObjectVersion } from '../model.ts';

const maxKeys = (req: S3Request): number => Math.min(intQuery(req, 'max-keys', 1000), 1000);
const encoder = keyEncoder;

/** The Owner element of a listed version: its owner's account. */
const ownerOf = (accounts: Accounts, b: Bucket, v: ObjectVersion) => ownerXml(accounts, objectOwner(b, v));

function contents(v: ObjectVersion, enc: (s: string) => string, owner: string | undefined, restoreStatus = false): string {
  // RestoreStatus is for archived objects; none is ever restored here (RestoreObject is not implemented).
  const restore = restoreStatus && v.storageClass && ARCHIVED.has(v.storageClass) ? node('RestoreStatus', leaf('IsRestoreInProgress', false)) : '';
  return node('Contents', leaf('Key', enc(v.key)), leaf('LastModified', iso(v.lastModified)), leaf('ETag', v.etag),
    v.checksum ? leaf('ChecksumAlgorithm', v.checksum.algorithm) : '', v.checksum ? leaf('ChecksumType', v.checksum.type ?? 'FULL_OBJECT') : '',
    leaf('Size', v.size), owner ?? '', leaf('StorageClass', v.storageClass ?? 'STANDARD'), restore);
}

/** x-amz-optional-object-attributes: RestoreStatus is the one S3 defines (API_ListObjectsV2.html). */
function wantsRestoreStatus(req: S3Request): boolean {
  const raw = header(req, 'x-amz-optional-object-attributes');
  if (raw === undefined) return false;
  const names = raw.split(',').map((s) => s.trim());
  const bad = names.find((n) => n !== 'RestoreStatus');
  if (bad !== undefined) throw invalidArgument('Invalid attribute name specified', { ArgumentName: 'x-amz-optional-object-attributes', ArgumentValue: bad });
  return true;
}

const prefixes = (cps: string[], enc: (s: string) => string): string[] => cps.map((p) => node('CommonPrefixes', leaf('Prefix', enc(p))));

export const listObjectsV2: S3Handler = (req, { state, accounts }) => {
  const b = state.bucket(req.bucket!);
  const enc = encoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after');
  let after = startAfter;
  // An empty token is no token: the listing starts over and echoes it (apache/ozone HDDS-15739, minio#5940).
  if (token) {
    after = decodeToken(token);
    if (after === undefined) throw invalidArgument('The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  const mk = maxKeys(req);
  const page = walkKeys(state.sortedKeys(b), { prefix, delimiter, maxKeys: mk, after }, latestVisible(b.objects));
  const fetchOwner = req.query.get('fetch-owner') === 'true';
  const restore = wantsRestoreStatus(req);
  return xmlResponse(doc('ListBucketResult',
    leaf('Name', b.name), leaf('Prefix', enc(prefix)), delimiter !== undefined ? leaf('Delimiter', enc(delimiter)) : '',
    leaf('MaxKeys', mk), leaf('KeyCount', page.items.length + page.commonPrefixes.length),
    leaf('IsTruncated', page.isTruncated), req.query.get('encoding-type') ? leaf('EncodingType', 'url') : '',
    token !== undefined ? leaf('ContinuationToken', token) : '',
    page.isTruncated && page.last !== undefined ? leaf('NextContinuationToken', encodeToken(page.last)) : '',
    startAfter !== undefined ? leaf('StartAfter', enc(startAfter)) : '',
    ...page.items.map((v) => contents(v, enc, fetchOwner ? ownerOf(accounts, b, v) : undefined, restore)), ...prefixes(page.commonPrefixes, enc)));
};

// V1: NextMarker is only returned when a delimiter is used (API_ListObjects.html).
export const listObjectsV1: S3Handler = (req, { state, accounts }) => {
  const b = state.bucket(req.bucket!);
  const enc = encoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const marker = req.query.get('marker') ?? '';
  const mk = maxKeys(req);
  const page = walkKeys(state.sortedKeys(b), { prefix, delimiter, maxKeys: mk, after: marker || undefined }, latestVisible(b.objects));
  return xmlResponse(doc('ListBucketResult',
    leaf('Name', b.name), leaf('Prefix', enc(prefix)), leaf('Marker', enc(marker)), leaf('MaxKeys', mk),
    delimiter !== undefined ? leaf('Delimiter', enc(delimiter)) : '', leaf('IsTruncated', page.isTruncated),
    req.query.get('encoding-type') ? leaf('EncodingType', 'url') : '',
    page.isTruncated && delimiter && page.last ? leaf('NextMarker', enc(page.last)) : '',
    ...page.items.map((v) => contents(v, enc, ownerOf(accounts, b, v), wantsRestoreStatus(req))), ...prefixes(page.commonPrefixes, enc)));
};

export const listObjectVersions: S3Handler = (req, { state, accounts }) => {
  const b = state.bucket(req.bucket!);
  const enc = encoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const keyMarker = req.query.get('key-marker') || undefined;
  const versionIdMarker = keyMarker ? req.query.get('version-id-marker') || undefined : undefined;
  const mk = maxKeys(req);
  const page = walkKeys(state.sortedKeys(b), { prefix, delimiter, maxKeys: mk, after: keyMarker, inclusive: versionIdMarker !== undefined }, allVersions(b.objects, keyMarker, versionIdMarker));
  const entries = page.items.map((v) => {
    const isLatest = b.objects.get(v.key)?.[0] === v;
    const owner = ownerOf(accounts, b, v);
    if (v.deleteMarker) return node('DeleteMarker', owner, leaf('Key', enc(v.key)), leaf('VersionId', v.versionId), leaf('IsLatest', isLatest), leaf('LastModified', iso(v.lastModified)));
    return node('Version', leaf('ETag', v.etag), leaf('IsLatest', isLatest), leaf('Key', enc(v.key)), leaf('LastModified', iso(v.lastModified)), owner, leaf('Size', v.size), leaf('StorageClass', v.storageClass ?? 'STANDARD'), leaf('VersionId', v.versionId));
  });
  const lastItem = page.items[page.items.length - 1];
  const nextIsItem = lastItem !== undefined && page.last === lastItem.key;
  return xmlResponse(doc('ListVersionsResult',
    leaf('IsTruncated', page.isTruncated), leaf('KeyMarker', enc(keyMarker ?? '')), leaf('VersionIdMarker', versionIdMarker ?? ''),
    page.isTruncated && page.last !== undefined ? leaf('NextKeyMarker', enc(page.last)) : '',
    page.isTruncated && nextIsItem ? leaf('NextVersionIdMarker', lastItem.versionId) : '',
    leaf('Name', b.name), leaf('Prefix', enc(prefix)), delimiter !== undefined ? leaf('Delimiter', enc(delimiter)) : '', leaf('MaxKeys', mk),
    req.query.get('encoding-type') ? leaf('EncodingType', 'url') : '',
    ...entries, ...prefixes(page.commonPrefixes, enc)));
};
