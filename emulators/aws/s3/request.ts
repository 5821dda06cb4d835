/** The parsed S3 request every handler receives, and the response it returns: no Node HTTP types past here. */
import type http from 'node:http';
import type { S3State } from './state.ts';
import { invalidArgument } from './errors.ts';
import { uriEncode } from '../sigv4.ts';
import type { FileSlice } from './bodies.ts';
import type { ObjectVersion } from './model.ts';
import type { Account, Accounts } from './accounts.ts';
import type { Access } from './access/authorize.ts';
import type { Keyring } from './sse/keyring.ts';
import type { Readable } from 'node:stream';

/** Who sent a request and how (what bucket policies and ACLs are evaluated against). */
export interface Caller {
  /** The account whose key signed the request; undefined for an anonymous (unsigned) request. */
  account?: Account;
  /** s3:authType: REST-HEADER, REST-QUERY-STRING, POST, or ANONYMOUS for unsigned requests. */
  authType: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST' | 'ANONYMOUS';
  /** The peer address as the socket reports it (aws:SourceIp). */
  remoteAddress?: string;
  /** Whether the request came over TLS (aws:SecureTransport). */
  secure: boolean;
}

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
  /** The key's versions when a request with a body arrived (what a conditional write must not see change). */
  arrival?: { versions: ObjectVersion[] | undefined };
  caller: Caller;
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
  /** Bytes streamed from an open blob file instead of `body` (persistence); the sender closes the descriptor. */
  file?: FileSlice;
  /** Bytes produced as they are sent (an encrypted object decrypted chunk by chunk); the sender destroys it when the response ends. */
  stream?: Readable;
}

export interface S3Context {
  state: S3State;
  now: () => number;
  defaultRegion: string;
  accounts: Accounts;
  /** Bucket policies, ACLs and Block Public Access, evaluated per request. */
  access: Access;
  /** Server-side encryption's master key. */
  keyring: Keyring;
}

/** Reads answer synchronously (the GET hot path); writes return a promise that settles once they are durable. */
export type S3Handler = (req: S3Request, ctx: S3Context) => S3Response | Promise<S3Response>;

export function header(req: S3Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** A non-negative integer query parameter (max-keys, max-parts …), or S3's InvalidArgument naming it. */
export function intQuery(req: S3Request, name: string, fallback: number): number {
  const raw = req.query.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw invalidArgument(`Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  return Number(raw);
}

/** encoding-type=url on listings: keys and prefixes URL-encoded in the answer, '/' left readable. */
export function keyEncoder(req: S3Request): (s: string) => string {
  const type = req.query.get('encoding-type');
  if (type !== undefined && type !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: type });
  return type === 'url' ? (s) => uriEncode(s).replace(/%2F/g, '/') : (s) => s;
}

export const XML_HEADERS = { 'content-type': 'application/xml' } as const;

export function xmlResponse(body: string, status = 200, headers: Record<string, string> = {}): S3Response {
  return { status, headers: { ...XML_HEADERS, ...headers }, body };
}
