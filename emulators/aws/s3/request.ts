/** The parsed S3 request every handler receives, and the response it returns: no Node HTTP types past here. */
import type http from 'node:http';
import type { S3State } from './state.ts';

export interface S3Request {
  method: string;
  bucket?: string;
  key?: string;
  /** Decoded query parameters (first value wins). */
  query: ReadonlyMap<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Decoded body (aws-chunked framing removed). */
  body: Buffer;
  /** Trailing headers of an aws-chunked body. */
  trailers: Record<string, string>;
  /** Region from the request's signature scope. */
  region: string;
  /** For the <Resource> element of errors. */
  resource: string;
}

export interface S3Response {
  status: number;
  headers?: Record<string, string>;
  /**
   * Precomputed flat [name, value, …] pairs (a stored object's GET headers), sent after `headers`: they include
   * content-length and repeat no name of `headers`. `body` is then the stored object's own Buffer.
   */
  headerPairs?: readonly string[];
  body?: Buffer | string;
}

export interface S3Context {
  state: S3State;
  now: () => number;
  defaultRegion: string;
}

export type S3Handler = (req: S3Request, ctx: S3Context) => S3Response;

export function header(req: S3Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export const XML_HEADERS = { 'content-type': 'application/xml' } as const;

export function xmlResponse(body: string, status = 200, headers: Record<string, string> = {}): S3Response {
  return { status, headers: { ...XML_HEADERS, ...headers }, body };
}
