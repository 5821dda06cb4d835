/**
 * ListMultipartUploads (GET /bucket?uploads): uploads in progress, by key and then initiation time, with prefix,
 * delimiter, key-marker/upload-id-marker paging and encoding-type=url. Source: API_ListMultipartUploads.html.
 */
import { intQuery, keyEncoder, xmlResponse, type S3Handler } from '../request.ts';
import { doc, leaf, node, iso } from '../xml.ts';
import { compareKeys, walkKeys } from '../listing.ts';
import { ownerXml } from '../accounts.ts';
import { bucketOwner } from '../access/settings.ts';
import type { Upload } from '../model.ts';

export const listMultipartUploads: S3Handler = (req, { state, accounts }) => {
  const b = state.bucket(req.bucket!);
  const enc = keyEncoder(req);
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') || undefined;
  const keyMarker = req.query.get('key-marker') || undefined;
  // upload-id-marker only counts together with key-marker.
  const uploadIdMarker = keyMarker ? req.query.get('upload-id-marker') || undefined : undefined;
  const maxUploads = Math.min(intQuery(req, 'max-uploads', 1000), 1000);

  const byKey = new Map<string, Upload[]>();
  for (const u of state.uploadsIn(b.name)) byKey.set(u.key, [...(byKey.get(u.key) ?? []), u]);
  for (const list of byKey.values()) list.sort((x, y) => x.initiated - y.initiated || (x.uploadId < y.uploadId ? -1 : 1));
  const expand = (key: string): Upload[] => {
    const list = byKey.get(key) ?? [];
    if (key !== keyMarker || uploadIdMarker === undefined) return list;
    const at = list.findIndex((u) => u.uploadId === uploadIdMarker);
    return at >= 0 ? list.slice(at + 1) : list.filter((u) => u.uploadId > uploadIdMarker);
  };
  const keys = [...byKey.keys()].sort(compareKeys);
  const page = walkKeys(keys, { prefix, delimiter, maxKeys: maxUploads, after: keyMarker, inclusive: uploadIdMarker !== undefined }, expand);

  const last = page.items[page.items.length - 1];
  const nextIsUpload = last !== undefined && page.last === last.key;
  return xmlResponse(doc('ListMultipartUploadsResult',
    leaf('Bucket', b.name), leaf('KeyMarker', enc(keyMarker ?? '')), leaf('UploadIdMarker', uploadIdMarker ?? ''),
    page.isTruncated && page.last !== undefined ? leaf('NextKeyMarker', enc(page.last)) : '',
    page.isTruncated && nextIsUpload ? leaf('NextUploadIdMarker', last.uploadId) : '',
    delimiter !== undefined ? leaf('Delimiter', enc(delimiter)) : '', leaf('Prefix', enc(prefix)),
    leaf('MaxUploads', maxUploads), leaf('IsTruncated', page.isTruncated),
    req.query.get('encoding-type') ? leaf('EncodingType', 'url') : '',
    ...page.items.map((u) => {
      const who = u.settings?.owner ?? bucketOwner(b);
      return node('Upload', leaf('Key', enc(u.key)), leaf('UploadId', u.uploadId), ownerXml(accounts, who, 'Initiator'), ownerXml(accounts, who), leaf('StorageClass', u.settings?.storageClass ?? 'STANDARD'), leaf('Initiated', iso(u.initiated)),
        u.checksum ? leaf('ChecksumAlgorithm', u.checksum.algorithm) + leaf('ChecksumType', u.checksum.type) : '');
    }),
    ...page.commonPrefixes.map((p) => node('CommonPrefixes', leaf('Prefix', enc(p))))));
};
