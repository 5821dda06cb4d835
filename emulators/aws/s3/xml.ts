/**
 * XML for the S3 wire: string building on the way out (cheap, no DOM), fast-xml-parser on the way in.
 */
import { XMLParser } from 'fast-xml-parser';
import { errors } from './errors.ts';

export const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESC[c]);
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

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  removeNSPrefix: true,
  isArray: (name) => ['Object', 'Part', 'CORSRule', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader'].includes(name),
});

/** Parse a request body and return the root element's content; malformed input is S3's MalformedXML. */
export function parseXmlBody(body: Buffer, root: string): Record<string, unknown> {
  let parsed: Record<string, unknown>;
  try {
    parsed = parser.parse(body.toString('utf8'), true) as Record<string, unknown>;
  } catch {
    throw errors.MalformedXML();
  }
  const content = parsed[root];
  if (content === undefined) throw errors.MalformedXML();
  return typeof content === 'object' && content !== null ? (content as Record<string, unknown>) : {};
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
