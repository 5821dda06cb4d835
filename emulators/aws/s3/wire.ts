/**
 * The HTTP side of S3: from a Node request to an S3Request (address, auth, body framing) and from an
 * S3Response or S3Error back to the wire, with CORS headers when a bucket rule matches.
 */
import type http from 'node:http';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { deriveSigningKey, memo, parseQuery, verifySigV4 } from '../sigv4.ts';
import { errors, S3Error } from './errors.ts';
import { resolveAddress } from './address.ts';
import { decodeAwsChunked, readBody, type ChunkSigning } from './body.ts';
import { corsHeaders, findCorsRule, type CorsRequest } from './cors.ts';
import { escapeXml } from './xml.ts';
import type { Caller, S3Context, S3Request, S3Response } from './request.ts';
import type { Accounts } from './accounts.ts';
import type { FileSlice } from './bodies.ts';
import type { Address } from './address.ts';

/** Largest body accepted in one request: S3's single PUT limit is 5 GB; an in-memory fake stops far lower. */
export const BODY_LIMIT = 512 * 1024 * 1024;

export interface WireOptions {
  accounts: Accounts;
  now: () => number;
}

export interface Incoming {
  method: string;
  rawPath: string;
  rawQuery: string;
  address: Address;
  query: ReadonlyMap<string, string>;
}

/** Query maps are shared between requests with the same query string (replayed presigned URLs): read-only. */
const queryMaps = memo<ReadonlyMap<string, string>>(256);

function queryMap(rawQuery: string): ReadonlyMap<string, string> {
  return queryMaps(rawQuery, () => {
    const query = new Map<string, string>();
    for (const [k, v] of parseQuery(rawQuery)) if (!query.has(k)) query.set(k, v);
    return query;
  });
}

export function parseIncoming(req: http.IncomingMessage): Incoming {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  return { method: (req.method ?? 'GET').toUpperCase(), rawPath, rawQuery, address: resolveAddress(req.headers.host, rawPath), query: queryMap(rawQuery) };
}

const NO_BODY = Buffer.alloc(0);
const NO_TRAILERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A request whose signature was checked (or that carries none: an anonymous request). */
export interface Identified {
  caller: Caller;
  region: string;
  /** The verified signature, for aws-chunked chunk signatures. */
  auth?: Extract<ReturnType<typeof verifySigV4>, { ok: true }>;
}

/** Query parameters that carry a presigned URL's own authentication (never hoisted into headers). */
const AUTH_PARAMS = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-expires', 'x-amz-signedheaders', 'x-amz-signature', 'x-amz-security-token']);

/** Whether the request claims a signature at all: an Authorization header or query authentication (SigV4 or SigV2). */
function claimsSignature(req: http.IncomingMessage, query: ReadonlyMap<string, string>): boolean {
  return req.headers.authorization !== undefined || query.has('X-Amz-Signature') || query.has('X-Amz-Credential') || query.has('X-Amz-Algorithm') || query.has('AWSAccessKeyId') || query.has('Signature');
}

/**
 * Verify the signature and name the caller. A request with no signature at all is anonymous (AccessDenied comes
 * later, from the bucket's policy and ACLs, as on S3); a bad signature is refused here.
 */
export function identify(req: http.IncomingMessage, inc: Incoming, opts: WireOptions, defaultRegion: string): Identified {
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  if (!claimsSignature(req, inc.query)) {
    return { caller: { authType: 'ANONYMOUS', secure, remoteAddress: req.socket.remoteAddress }, region: defaultRegion };
  }
  const auth = verifySigV4({ method: inc.method, path: inc.rawPath, rawQuery: inc.rawQuery, headers: req.headers }, opts.accounts.credentials, opts.now());
  if (!auth.ok) throw new S3Error(auth.code, auth.status, auth.message);
  const caller: Caller = { account: opts.accounts.byAccessKey(auth.accessKeyId), authType: auth.presigned ? 'REST-QUERY-STRING' : 'REST-HEADER', secure, remoteAddress: req.socket.remoteAddress };
  return { caller, region: auth.region || defaultRegion, auth };
}

// A presigned URL's x-amz-* query parameters are signed headers moved into the query (the SDK presigners hoist
// x-amz-meta-*, x-amz-tagging, x-amz-acl …): S3 applies them as the headers they stand for (floci-io/floci#3608,
// checked against S3). Checksums are the exception: S3 ignores them in a query (aws-sdk-go-v2#2610; LocalStack's
// maintainers on localstack#12169), which matters since SDK v3 signs the CRC32 of an empty body into every
// presigned PutObject URL.
const hoistedByQuery = memo<readonly [string, string][]>(256);

function hoisted(rawQuery: string, query: ReadonlyMap<string, string>): readonly [string, string][] {
  return hoistedByQuery(rawQuery, () => {
    const out: [string, string][] = [];
    for (const [k, v] of query) {
      const name = k.toLowerCase();
      if (name.startsWith('x-amz-') && !AUTH_PARAMS.has(name) && !name.startsWith('x-amz-checksum-') && name !== 'x-amz-sdk-checksum-algorithm') out.push([name, v]);
    }
    return out;
  });
}

/** The request without its body: enough to route and authorize it before any byte of the body is read. */
export function requestHead(req: http.IncomingMessage, inc: Incoming, who: Identified): S3Request {
  let headers = req.headers;
  if (who.caller.authType === 'REST-QUERY-STRING') {
    const extra = hoisted(inc.rawQuery, inc.query);
    if (extra.length) {
      headers = { ...req.headers };
      for (const [k, v] of extra) if (headers[k] === undefined) headers[k] = v;
    }
  }
  return { method: inc.method, bucket: inc.address.bucket, key: inc.address.key, query: inc.query, headers, body: NO_BODY, trailers: NO_TRAILERS, region: who.region, resource: inc.rawPath, caller: who.caller };
}

/** Read and unframe the body (aws-chunked framing removed, chunk signatures verified when the payload is signed). */
export async function readRequestBody(req: http.IncomingMessage, who: Identified, opts: WireOptions, limit: number): Promise<{ body: Buffer; trailers: Record<string, string> }> {
  const raw = await readBody(req, limit, limit < BODY_LIMIT ? tooBig : undefined);
  return unframe(req, raw, opts, who.auth);
}

/** A configuration body past its limit (S3 error codes: MaxMessageLengthExceeded). */
const tooBig = () => new S3Error('MaxMessageLengthExceeded', 400, 'Your request was too big.');

/** Strip aws-chunked framing (verifying chunk signatures when the payload is signed). */
function unframe(req: http.IncomingMessage, raw: Buffer, opts: WireOptions, auth: Identified['auth']): { body: Buffer; trailers: Record<string, string> } {
  let body = raw;
  let trailers: Record<string, string> = {};
  const sha = req.headers['x-amz-content-sha256'];
  const chunked = typeof sha === 'string' && sha.startsWith('STREAMING-') || String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
  if (chunked) {
    const signed = typeof sha === 'string' && sha.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    let signing: ChunkSigning | undefined;
    if (signed && auth) {
      const [date, region, service] = auth.scope.split('/');
      signing = { signingKey: deriveSigningKey(opts.accounts.credentials[auth.accessKeyId], date, region, service), amzDate: auth.amzDate, scope: auth.scope, seedSignature: auth.signature };
    }
    ({ body, trailers } = decodeAwsChunked(body, signing));
    const declared = req.headers['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== body.length) throw errors.IncompleteBody();
  }
  return { body, trailers };
}

// Request ids only need to be unique: a random per-process prefix and a counter cost no entropy per request.
const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let idCounter = 0;

export function newRequestId(): string {
  idCounter = (idCounter + 1) % 0x100000000;
  return ID_PREFIX + idCounter.toString(16).toUpperCase().padStart(8, '0');
}

/** S3's error document (ErrorResponses.html, "REST error responses"). */
export function renderError(e: S3Error, resource: string, requestId: string): S3Response {
  const extra = Object.entries(e.extra).map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message>${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  return { status: e.status, headers: { 'content-type': 'application/xml', ...e.headers }, body };
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * One writeHead with a flat header array and one end: no intermediate header object. A small stored body goes out
 * as a cached latin1 string (byte for byte the same), which Node writes together with the head in one write
 * instead of a writev of two buffers.
 */
export function send(res: http.ServerResponse, method: string, out: S3Response, requestId: string, extra: Readonly<Record<string, string>> = NO_HEADERS): void {
  const bodiless = method === 'HEAD' || out.status === 304;
  const list: string[] = ['x-amz-request-id', requestId, 'x-amz-id-2', requestId, 'server', 'AmazonS3'];
  const own = out.headers ?? NO_HEADERS;
  for (const k in extra) if (!(k in own)) list.push(k, extra[k]);
  for (const k in own) list.push(k, own[k]);
  const body = out.body === undefined ? undefined : typeof out.body === 'string' ? Buffer.from(out.body) : out.body;
  if (out.headerPairs) for (const x of out.headerPairs) list.push(x);
  // HEAD answers carry the object's Content-Length but no bytes; errors on HEAD carry no body at all.
  else if (own['content-length'] === undefined) list.push('content-length', String(bodiless ? 0 : body?.length ?? 0));
  res.writeHead(out.status, list);
  if (out.file) return streamFile(res, out.file, bodiless);
  if (out.stream) return pipeStream(res, out.stream, bodiless);
  if (bodiless || body === undefined) res.end();
  else if (out.headerPairs && body.length <= LATIN1_LIMIT) res.end(latin1Of(body), 'latin1');
  else res.end(body);
}

/** A blob slice as the response body; the descriptor is closed however the response ends. */
function streamFile(res: http.ServerResponse, file: FileSlice, bodiless: boolean): void {
  if (bodiless) {
    fs.close(file.fd, () => {});
    res.end();
    return;
  }
  const stream = fs.createReadStream('', { fd: file.fd, start: file.start, end: file.end, autoClose: true });
  // Headers are already out: a read error can only cut the connection (the client sees a short body).
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** Bytes produced while they are sent (decryption): an error after the head can only cut the connection. */
function pipeStream(res: http.ServerResponse, stream: Readable, bodiless: boolean): void {
  if (bodiless) {
    stream.destroy();
    res.end();
    return;
  }
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

/** Stored bodies up to this size keep a latin1 copy for single-write responses (memory doubles only for small ones). */
const LATIN1_LIMIT = 64 * 1024;
const latin1Bodies = new WeakMap<Buffer, string>();

function latin1Of(body: Buffer): string {
  let s = latin1Bodies.get(body);
  if (s === undefined) latin1Bodies.set(body, (s = body.toString('latin1')));
  return s;
}

/** CORS headers for an actual (non-preflight) request from a browser origin, when a rule allows it. */
export function corsForRequest(origin: string | undefined, method: string, bucket: string | undefined, ctx: S3Context): Readonly<Record<string, string>> {
  if (!origin || !bucket) return NO_HEADERS;
  const rules = ctx.state.buckets.get(bucket)?.cors;
  const creq: CorsRequest = { origin, method, requestHeaders: [] };
  const rule = findCorsRule(rules, creq);
  return rule ? corsHeaders(rule, creq, false) : NO_HEADERS;
}

/** OPTIONS preflight, answered without authentication (RESTOPTIONSobject.html). */
export function preflight(req: http.IncomingMessage, bucket: string | undefined, ctx: S3Context): S3Response {
  const origin = req.headers.origin;
  const method = req.headers['access-control-request-method'];
  if (!origin) throw new S3Error('BadRequest', 400, 'Insufficient information. Origin request header needed.');
  if (!method || typeof method !== 'string') throw new S3Error('BadRequest', 400, 'Invalid Access-Control-Request-Method: null');
  if (!bucket) throw errors.AccessDenied();
  const b = ctx.state.bucket(bucket);
  // Observed S3 texts for a bucket without CORS and for a request no rule allows.
  if (!b.cors) throw new S3Error('AccessForbidden', 403, 'CORSResponse: CORS is not enabled for this bucket.', { Method: method, ResourceType: 'BUCKET' });
  const requested = String(req.headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  const creq: CorsRequest = { origin, method, requestHeaders: requested };
  const rule = findCorsRule(b.cors, creq);
  if (!rule) throw new S3Error('AccessForbidden', 403, 'CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource\'s CORS spec.', { Method: method, ResourceType: 'OBJECT' });
  return { status: 200, headers: corsHeaders(rule, creq, true) };
}
