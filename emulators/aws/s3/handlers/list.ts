/**
 * Listings: ListObjectsV2, ListObjects (V1) and ListObjectVersions.
 * Sources: API_ListObjectsV2.html, API_ListObjects.html, API_ListObjectVersions.html.
 */
import { invalidArgument } from '../errors.ts';
import { xmlResponse, type S3Handler, type S3Request } from '../request.ts';
import { doc, leaf, node, iso } from '../xml.ts';
import { allVersions, decodeToken, encodeToken, latestVisible, walkKeys } from '../listing.ts';
import { OWNER, type ObjectVersion } from '../model.ts';
import { uriEncode } from '../../sigv4.ts';

const MAX_KEYS = 1000;

function maxKeys(req: S3Request): number {
  const raw = req.query.get('max-keys');
  if (raw === undefined) return MAX_KEYS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw invalidArgument('Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: raw });
  return Math.min(n, MAX_KEYS);
}

/** encoding-type=url: S3 URL-encodes keys and prefixes in the answer, leaving '/' readable. */
function encoder(req: S3Request): (s: string) => string {
  const type = req.query.get('encoding-type');
  if (type !== undefined && type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: type });
  return type === 'url' ? (s) => uriEncode(s).replace(/%2F/g, '/') : (s) => s;
}

const owner = node('Owner', leaf('ID', OWNER.id), leaf('DisplayName', OWNER.displayName));

function contents(v: ObjectVersion, enc: (s: string) => string, withOwner: boolean): string {
  return node('Contents', leaf('Key', enc(v.key)), leaf('LastModified', iso(v.lastModified)), leaf('ETag', v.etag),
    v.checksum ? leaf('ChecksumAlgorithm', v.checksum.algorithm) : '', leaf('Size', v.body.length), withOwner ? owner : '', leaf('StorageClass', 'STANDARD'));
}

const prefixes = (cps: string[], enc: (s: string) => string): string[] => cps.map((p) => node('CommonPrefixes', leaf('Prefix', enc(p))));

export const listObjectsV2: S3Handler = (req, { state }) => {
  const b = state.bucket(req.bucket!);
  const enc = encoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const token = req.query.get('continuation-token');
  const startAfter = req.query.get('start-after');
  let after = startAfter;
  if (token !== undefined) {
    after = decodeToken(token);
    if (after === undefined) throw invalidArgument('The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  const mk = maxKeys(req);
  const page = walkKeys(state.sortedKeys(b), { prefix, delimiter, maxKeys: mk, after }, latestVisible(b.objects));
  const fetchOwner = req.query.get('fetch-owner') === 'true';
  return xmlResponse(doc('ListBucketResult',
    leaf('Name', b.name), leaf('Prefix', enc(prefix)), delimiter !== undefined ? leaf('Delimiter', enc(delimiter)) : '',
    leaf('MaxKeys', mk), leaf('KeyCount', page.items.length + page.commonPrefixes.length),
    leaf('IsTruncated', page.isTruncated), req.query.get('encoding-type') ? leaf('EncodingType', 'url') : '',
    token !== undefined ? leaf('ContinuationToken', token) : '',
    page.isTruncated && page.last !== undefined ? leaf('NextContinuationToken', encodeToken(page.last)) : '',
    startAfter !== undefined ? leaf('StartAfter', enc(startAfter)) : '',
    ...page.items.map((v) => contents(v, enc, fetchOwner)), ...prefixes(page.commonPrefixes, enc)));
};

// V1: NextMarker is only returned when a delimiter is used (API_ListObjects.html).
export const listObjectsV1: S3Handler = (req, { state }) => {
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
    ...page.items.map((v) => contents(v, enc, true)), ...prefixes(page.commonPrefixes, enc)));
};

export const listObjectVersions: S3Handler = (req, { state }) => {
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
    if (v.deleteMarker) return node('DeleteMarker', owner, leaf('Key', enc(v.key)), leaf('VersionId', v.versionId), leaf('IsLatest', isLatest), leaf('LastModified', iso(v.lastModified)));
    return node('Version', leaf('ETag', v.etag), leaf('IsLatest', isLatest), leaf('Key', enc(v.key)), leaf('LastModified', iso(v.lastModified)), owner, leaf('Size', v.body.length), leaf('StorageClass', 'STANDARD'), leaf('VersionId', v.versionId));
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
