/**
 * A request as the generator builds it: editable fields first (mutations change them, signers read them), then
 * `serialize` writes the bytes exactly as the fields say — including header values with CR/LF in them, two
 * Content-Lengths, or a Content-Length that does not match the body.
 */
import type { RawRequest } from './client.ts';

export interface RequestModel {
  method: string;
  /** Raw path, as it will be written (not encoded or checked here). */
  path: string;
  /** Raw query without `?` ("" for none). */
  query: string;
  /** When set, the target is written in absolute form: `http://<absolute><path>`. */
  absolute?: string;
  /** Written in order; names and values as they are (a value may hold CR/LF on purpose). */
  headers: [string, string][];
  body: Buffer;
  version: string;
  /** How the body is framed: a Content-Length (unless one is already among the headers), chunked, or nothing. */
  framing: 'length' | 'chunked' | 'none';
  /** Chunk size for chunked framing; `badChunk` writes a malformed chunk header instead of the real one. */
  chunk?: { size: number; badChunk?: string };
  /** Hang up after this share of the bytes (0-1), without waiting for an answer. */
  hangUp?: number;
  /** Half-close after writing: set when the request promises more body than it carries. */
  halfClose?: boolean;
  /** Who the request is made as (the gateway's x-user-email when a signer stands in for the gateway); not sent. */
  identity?: string;
}

export const header = (m: RequestModel, name: string): string | undefined => m.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

export function setHeader(m: RequestModel, name: string, value: string): void {
  const i = m.headers.findIndex(([k]) => k.toLowerCase() === name.toLowerCase());
  if (i < 0) m.headers.push([name, value]);
  else m.headers[i] = [m.headers[i][0], value];
}

export function removeHeader(m: RequestModel, name: string): void {
  m.headers = m.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
}

export const target = (m: RequestModel): string => `${m.absolute !== undefined ? `http://${m.absolute}` : ''}${m.path}${m.query ? `?${m.query}` : ''}`;

export function serialize(m: RequestModel): RawRequest {
  const lines = [`${m.method} ${target(m)} ${m.version}`];
  for (const [k, v] of m.headers) lines.push(`${k}: ${v}`);
  const hasLength = m.headers.some(([k]) => k.toLowerCase() === 'content-length');
  let body = m.body;
  if (m.framing === 'length' && !hasLength && (m.body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(m.method))) lines.push(`Content-Length: ${m.body.length}`);
  if (m.framing === 'chunked') {
    lines.push('Transfer-Encoding: chunked');
    body = chunked(m.body, m.chunk?.size ?? 4096, m.chunk?.badChunk);
  }
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  const bytes = Buffer.concat([head, body]);
  return {
    bytes,
    noBody: m.method === 'HEAD',
    halfClose: m.halfClose,
    hangUpAfter: m.hangUp === undefined ? undefined : Math.max(1, Math.floor(bytes.length * m.hangUp)),
  };
}

function chunked(body: Buffer, size: number, bad?: string): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.from(`${at === 0 && bad !== undefined ? bad : piece.length.toString(16)}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`${body.length === 0 && bad !== undefined ? bad : '0'}\r\n\r\n`, 'latin1'));
  return Buffer.concat(parts);
}

export interface RequestSpec {
  query?: string;
  headers?: Record<string, string>;
  /** A JSON body (sets Content-Type: application/json unless a content-type header is given). */
  json?: unknown;
  body?: string | Buffer;
}

/** A well-formed request to start from: Host and Connection: close set, the body's Content-Length left to serialize. */
export function request(method: string, path: string, spec: RequestSpec = {}): RequestModel {
  const headers: [string, string][] = [['Host', '127.0.0.1'], ['Connection', 'close']];
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers.push([k, v]);
  let body: Buffer = Buffer.alloc(0);
  if (spec.json !== undefined) {
    body = Buffer.from(JSON.stringify(spec.json), 'utf8');
    if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
  } else if (spec.body !== undefined) body = Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, 'utf8');
  return { method, path, query: spec.query ?? '', headers, body, version: 'HTTP/1.1', framing: 'length' };
}
