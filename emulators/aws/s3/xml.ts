/**
 * XML for the S3 wire: string building on the way out (cheap, no DOM), fast-xml-parser on the way in.
 */
import { XMLParser } from 'fast-xml-parser';
import { errors } from './errors.ts';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// A carriage return is escaped too: XML parsers turn a raw one into a line feed, which would change a key.
const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"'\r]/g, (c) => ESC[c]);
}

/** An element with escaped text; undefined renders nothing so optional fields stay optional. */
export function leaf(tag: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

/** An element wrapping already-rendered children. */
export function node(tag: string, ...children: string[]): string {
  return `<${tag}>${children.join('')}</${tag}>`;
}

/** A whole response document with S3's namespace on the root. */
export function doc(root: string, ...children: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NS}">${children.join('')}</${root}>`;
}

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000Z');

/** Elements that may repeat: always parsed as arrays. */
const ARRAYS = new Set(['Object', 'Part', 'CORSRule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'Tag', 'Grant', 'Rule', 'EncryptionType']);

// Values are never trimmed (a key may begin or end with spaces) and character references (&#13; for a carriage
// return, as S3's object-key guidelines ask clients to send it) are decoded.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  htmlEntities: true,
  removeNSPrefix: true,
  isArray: (name) => ARRAYS.has(name),
});

/**
 * A character reference must name a character: not NUL, not a surrogate, not past U+10FFFF (XML 1.1 allows the
 * other control characters as references, which object keys may hold).
 */
function badCharacterReference(text: string): boolean {
  for (const m of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const cp = m[1][0] === 'x' ? parseInt(m[1].slice(1), 16) : Number(m[1]);
    if (!(cp >= 1 && cp <= 0x10ffff) || (cp >= 0xd800 && cp <= 0xdfff)) return true;
  }
  return false;
}

/** Parse a request body and return the root element's content; malformed input is S3's MalformedXML. */
export function parseXmlBody(body: Buffer, root: string): Record<string, unknown> {
  let parsed: Record<string, unknown>;
  const text = body.toString('utf8');
  if (badCharacterReference(text)) throw errors.MalformedXML();
  try {
    parsed = parser.parse(text, true) as Record<string, unknown>;
  } catch {
    throw errors.MalformedXML();
  }
  const content = parsed[root];
  if (content === undefined) throw errors.MalformedXML();
  return typeof content === 'object' && content !== null ? (content as Record<string, unknown>) : {};
}

/** Text exactly as sent (object keys). */
export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** A value from a fixed vocabulary or a number (Status, PartNumber, Quiet …): surrounding whitespace is layout. */
export function asText(v: unknown): string | undefined {
  return asString(v)?.trim();
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
