/**
 * The HTTP side of S3: from a Node request to an S3Request (address, auth, body framing) and from an
 * S3Response or S3Error back to the wire, with CORS headers when a bucket rule matches.
 */
import type http from 'node:http';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { deriveSigningKey, memo, parseQuery, verifySigV4 } from '../sigv4.ts';
import { errors, S3Error } from './errors.ts';
import { resolveAddress } from './address.ts';
import { decodeAwsChunked, readBody, type ChunkSigning } from './body.ts';
import { corsHeaders, findCorsRule, type CorsRequest } from './cors.ts';
import { escapeXml } from './xml.ts';
import type { S3Context, S3Request, S3Response } from './request.ts';
import type { FileSlice } from './bodies.ts';
import type { Address } from './address.ts';

/** Largest body accepted in one request: S3's single PUT limit is 5 GB; an in-memory fake stops far lower. */
const BODY_LIMIT = 512 * 1024 * 1024;

export interface WireOptions {
  credentials: Record<string, string>;
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

/**
 * Verify the signature, then read and unframe the body. Throws S3Error. Requests without a body (GET, HEAD,
 * DELETE) are answered synchronously: no promise on the read hot path.
 */
export function authenticate(req: http.IncomingMessage, inc: Incoming, opts: WireOptions, defaultRegion: string): S3Request | Promise<S3Request> {
  const auth = verifySigV4({ method: inc.method, path: inc.rawPath, rawQuery: inc.rawQuery, headers: req.headers }, opts.credentials, opts.now());
  if (!auth.ok) {
    req.resume();
    throw new S3Error(auth.code, auth.status, auth.message);
  }
  const region = auth.region || defaultRegion;
  if (inc.method !== 'PUT' && inc.method !== 'POST') {
    req.resume();
    return s3Request(req, inc, region, NO_BODY, {});
  }
  return readBody(req, BODY_LIMIT).then((raw) => {
    const { body, trailers } = unframe(req, raw, opts, auth);
    return s3Request(req, inc, region, body, trailers);
  });
}

function s3Request(req: http.IncomingMessage, inc: Incoming, region: string, body: Buffer, trailers: Record<string, string>): S3Request {
  return { method: inc.method, bucket: inc.address.bucket, key: inc.address.key, query: inc.query, headers: req.headers, body, trailers, region, resource: inc.rawPath };
}

/** Strip aws-chunked framing (verifying chunk signatures when the payload is signed). */
function unframe(req: http.IncomingMessage, raw: Buffer, opts: WireOptions, auth: Extract<ReturnType<typeof verifySigV4>, { ok: true }>): { body: Buffer; trailers: Record<string, string> } {
  let body = raw;
  let trailers: Record<string, string> = {};
  const sha = req.headers['x-amz-content-sha256'];
  const chunked = typeof sha === 'string' && sha.startsWith('STREAMING-') || String(req.headers['content-encoding'] ?? '').includes('aws-chunked');
  if (chunked) {
    const signed = typeof sha === 'string' && sha.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    let signing: ChunkSigning | undefined;
    if (signed) {
      const [date, region, service] = auth.scope.split('/');
      signing = { signingKey: deriveSigningKey(opts.credentials[auth.accessKeyId], date, region, service), amzDate: auth.amzDate, scope: auth.scope, seedSignature: auth.signature };
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
