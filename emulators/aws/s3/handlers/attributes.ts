/**
 * GetObjectAttributes (GET /key?attributes, API_GetObjectAttributes.html): the attributes x-amz-object-attributes
 * names (ETag, Checksum, ObjectParts, StorageClass, ObjectSize), of the current version or the one named. As S3
 * answers (LocalStack's recordings against it, 2026-02-21): the ETag unquoted; Checksum only for an object stored with
 * one; ObjectParts (the count in PartsCount, as the SDK model names it) only for a multipart object, its parts listed (x-amz-max-parts, x-amz-part-number-marker) only
 * for an upload made with a checksum algorithm; names may be separated by ", ".
 */
import { invalidArgument, invalidRequest } from '../errors.ts';
import { header, xmlResponse, type S3Handler } from '../request.ts';
import { doc, leaf, node } from '../xml.ts';
import { httpDate } from '../object-headers.ts';
import { readKey } from '../sse/sse.ts';
import { writtenVersionHeader } from './object.ts';
import type { ObjectVersion } from '../model.ts';

const ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

function intHeader(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) throw invalidArgument(`Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  return Number(raw);
}

/** The part list is given only for parts uploaded with checksums (ObjectParts in the recording); else the count. */
function objectParts(v: ObjectVersion, maxParts: number, marker: number): string {
  if (!v.partChecksums || !v.checksum || !v.parts) return node('ObjectParts', leaf('PartsCount', v.parts!.length));
  const numbers = v.parts.map((_, i) => i + 1).filter((n) => n > marker);
  const page = numbers.slice(0, maxParts);
  const alg = v.checksum.algorithm;
  return node('ObjectParts', leaf('PartsCount', v.parts.length), leaf('PartNumberMarker', marker),
    leaf('NextPartNumberMarker', page.length ? page[page.length - 1] : marker), leaf('MaxParts', maxParts), leaf('IsTruncated', numbers.length > page.length),
    ...page.map((n) => node('Part', leaf(`Checksum${alg}`, v.partChecksums![n - 1]), leaf('PartNumber', n), leaf('Size', v.parts![n - 1]))));
}

export const getObjectAttributes: S3Handler = (req, ctx) => {
  const raw = header(req, 'x-amz-object-attributes');
  const wanted = raw === undefined || raw.trim() === '' ? [] : raw.split(',').map((s) => s.trim());
  if (wanted.length === 0) throw invalidRequest('The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty');
  const bad = wanted.find((a) => !ATTRIBUTES.has(a));
  if (bad !== undefined) throw invalidArgument('Invalid attribute name specified.', { ArgumentName: 'x-amz-object-attributes', ArgumentValue: bad });
  const want = new Set(wanted);
  const b = ctx.state.bucket(req.bucket!);
  const v = ctx.state.getObject(b.name, req.key!, req.query.get('versionId'));
  // An SSE-C object's attributes need its key too (API_GetObjectAttributes.html, "SSE-C").
  readKey(req, ctx, v);
  const maxParts = Math.min(intHeader(header(req, 'x-amz-max-parts'), 'x-amz-max-parts', 1000), 1000);
  const marker = intHeader(header(req, 'x-amz-part-number-marker'), 'x-amz-part-number-marker', 0);
  const out: string[] = [];
  if (want.has('ETag')) out.push(leaf('ETag', v.etag.replace(/^"|"$/g, '')));
  // A COMPOSITE checksum is named without its "-<parts>" here.
  if (want.has('Checksum') && v.checksum) out.push(node('Checksum', leaf(`Checksum${v.checksum.algorithm}`, v.checksum.value.replace(/-\d+$/, '')), leaf('ChecksumType', v.checksum.type ?? 'FULL_OBJECT')));
  if (want.has('ObjectParts') && v.parts) out.push(objectParts(v, maxParts, marker));
  if (want.has('StorageClass')) out.push(leaf('StorageClass', v.storageClass ?? 'STANDARD'));
  if (want.has('ObjectSize')) out.push(leaf('ObjectSize', v.size));
  const headers: Record<string, string> = { 'last-modified': httpDate(v.lastModified) };
  if (b.versioning !== 'Unversioned') Object.assign(headers, writtenVersionHeader(v));
  return xmlResponse(doc('GetObjectAttributesResponse', ...out), 200, headers);
};
