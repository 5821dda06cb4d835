/**
 * The multipart/form-data body of a POST upload (RFC 7578 over RFC 2046 §5.1), read from the body already in memory:
 * the fields before the part named `file` (names compared without regard to case, values as UTF-8), then the file's
 * bytes; anything after the file is ignored, as S3 ignores it ("Any fields below it are ignored", HTTPPOSTForms).
 * S3's limits: the fields before the file, boundaries included, at most 20,480 bytes (observed
 * MaxPostPreDataLengthExceeded, MaxPostPreDataLengthBytes 20480); exactly one file.
 */
import { S3Error, invalidArgument } from '../errors.ts';

export const MAX_PRE_DATA = 20480;

export interface FormField {
  /** As sent (S3 names an uncovered field as sent in "Extra input fields"). */
  name: string;
  value: string;
}

export interface Form {
  fields: FormField[];
  file: Buffer;
  /** The file part's filename parameter, path removed; undefined when the part has none. */
  filename?: string;
  /** The file part's own Content-Type (not the object's: S3 takes the Content-Type field). */
  fileType?: string;
}

export const malformedPost = () => new S3Error('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.');

/** The boundary of a multipart/form-data Content-Type, or undefined for another type (S3 answers 412 then). */
export function boundaryOf(contentType: string | undefined): string | undefined | null {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? m[1] ?? m[2] : null;
}

/**
 * Parameters of Content-Disposition: form-data; name="…"; filename="…". Browsers quote values without backslash
 * escapes, writing `"`, CR and LF as %22, %0D and %0A (WHATWG HTML, multipart/form-data encoding): a filename keeps
 * its backslashes (C:\dir\file.txt) until the path is cut off.
 */
function disposition(value: string): { name?: string; filename?: string } | undefined {
  if (!/^\s*form-data\s*(;|$)/i.test(value)) return undefined;
  const out: { name?: string; filename?: string } = {};
  for (const m of value.matchAll(/;\s*([A-Za-z*-]+)\s*=\s*(?:"([^"]*)"|([^;\s]*))/g)) {
    const v = (m[2] ?? m[3]).replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
    const k = m[1].toLowerCase();
    if (k === 'name') out.name = v;
    else if (k === 'filename') out.filename = v;
  }
  return out;
}

/** Split the body at its boundaries and read the fields up to the file. */
export function parseForm(body: Buffer, boundary: string): Form {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at < 0) throw malformedPost();
  const fields: FormField[] = [];
  for (;;) {
    at += delimiter.length;
    // The close delimiter ends the body; transport padding may follow a delimiter before its CRLF.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) break;
    while (body[at] === 0x20 || body[at] === 0x09) at++;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) throw malformedPost();
    const headersEnd = body.indexOf('\r\n\r\n', at);
    if (headersEnd < 0) throw malformedPost();
    const headers = parseHeaders(body.subarray(at + 2, headersEnd).toString('latin1'));
    const start = headersEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw malformedPost();
    const d = disposition(headers['content-disposition'] ?? '');
    if (!d || d.name === undefined) throw malformedPost();
    if (d.name.toLowerCase() === 'file') {
      if (start > MAX_PRE_DATA) throw preDataTooLarge();
      const filename = d.filename === undefined ? undefined : d.filename.replace(/^.*[/\\]/, '');
      return { fields, file: body.subarray(start, next), filename: filename === undefined ? undefined : decodeUtf8(filename), fileType: headers['content-type'] };
    }
    if (start > MAX_PRE_DATA) throw preDataTooLarge();
    fields.push({ name: decodeUtf8(d.name), value: body.subarray(start, next).toString('utf8') });
    at = next + 2;
  }
  if (body.indexOf(delimiter) > MAX_PRE_DATA) throw preDataTooLarge();
  // No part named file: "POST requires exactly one file upload per request." (observed as InvalidArgument).
  throw invalidArgument('POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: '0' });
}

function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformedPost();
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** Part headers arrive as bytes; browsers send UTF-8 names and filenames. */
const decodeUtf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

const preDataTooLarge = () => new S3Error('MaxPostPreDataLengthExceeded', 400, 'Your POST request fields preceeding the upload file was too large.', { MaxPostPreDataLengthBytes: String(MAX_PRE_DATA) });
