/**
 * AWS Signature Version 4 verification, service-agnostic: the edge reuses it for S3, SSM and SQS.
 * Header auth and presigned (query) auth share one canonical-request builder.
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Request {
  method: string;
  /** Raw path as on the wire (still percent-encoded). */
  path: string;
  rawQuery: string;
  /** Node's `req.headers` can be passed as is (values one character per byte): names are matched lower-cased, list values joined with ','. */
  headers: Record<string, string | string[] | undefined>;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string; presigned: boolean; signature: string; amzDate: string; scope: string }
  | { ok: false; status: number; code: string; message: string };

type Failure = Extract<SigV4Result, { ok: false }>;

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ALGORITHM = 'AWS4-HMAC-SHA256';
/** S3 rejects requests more than 15 minutes away from its clock (RequestTimeTooSkewed, S3 error-code table). */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most 7 days (sigv4-query-string-auth.html). */
const MAX_EXPIRES_S = 604800;

const fail = (status: number, code: string, message: string): Failure => ({ ok: false, status, code, message });

// Messages as S3 returns them (S3 ErrorResponses list / observed responses).
const ERR = {
  missing: () => fail(403, 'AccessDenied', 'Access Denied'),
  unknownKey: () => fail(403, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'),
  mismatch: () => fail(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.'),
  expired: () => fail(403, 'AccessDenied', 'Request has expired'),
  notYetValid: () => fail(403, 'AccessDenied', 'Request is not valid yet'),
  skewed: () => fail(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.'),
  headerMalformed: (why: string) => fail(400, 'AuthorizationHeaderMalformed', `The authorization header is malformed; ${why}`),
  queryMalformed: (why: string) => fail(400, 'AuthorizationQueryParametersError', why),
};

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * A memo for pure functions of strings on the request hot path (signing keys, parsed auth): replayed requests and
 * one key per day make hits the rule. Cleared whole when full, so memory stays bounded whatever clients send.
 */
export function memo<T>(limit: number): (key: string, make: () => T) => T {
  const cache = new Map<string, T>();
  return (key, make) => {
    let v = cache.get(key);
    if (v === undefined) {
      if (cache.size >= limit) cache.clear();
      v = make();
      cache.set(key, v);
    }
    return v;
  };
}

const signingKeys = memo<Buffer>(256);

/** The key changes only with secret, day, region and service, so it is derived once per combination (4 HMACs saved per request). */
export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return signingKeys(`${secret}\0${date}\0${region}\0${service}`, () => hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request'));
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** RFC 3986 encoding as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ stay literal. */
export function uriEncode(s: string): string {
  if (UNRESERVED.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** Parse a raw query string into decoded pairs, keeping order and duplicates. */
export function parseQuery(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery.split('&').filter(Boolean).map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))];
  });
}

function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** S3 signs the path exactly as sent; every other service signs the normalized path encoded a second time. */
function canonicalPath(path: string, service: string): string {
  if (service === 's3') return path || '/';
  const segs: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segs.pop();
    else segs.push(seg);
  }
  const normalized = `/${segs.join('/')}${segs.length && path.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

function canonicalHeaders(headers: Record<string, string>, signed: string[]): string | undefined {
  let out = '';
  for (const name of signed) {
    const v = headers[name];
    if (v === undefined) return undefined;
    out += `${name}:${v.trim().replace(/\s+/g, ' ')}\n`;
  }
  return out;
}

/** "20240101T000000Z" → epoch ms, or NaN. */
export function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

interface Parsed {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  /** amzDate in epoch ms (NaN when malformed). */
  time: number;
  presigned: boolean;
  /** The canonical query string (X-Amz-Signature removed when presigned). */
  canonicalQuery: string;
  expires?: number;
}

function parseCredential(cred: string): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  const parts = cred.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = parts;
  return { accessKeyId, date, region, service };
}

function parseHeaderAuth(auth: string, rawQuery: string, amzDate: string): Parsed | Failure {
  if (!auth.startsWith(`${ALGORITHM} `)) return fail(400, 'InvalidArgument', 'Unsupported Authorization Type');
  const fields: Record<string, string> = {};
  for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const cred = fields.Credential ? parseCredential(fields.Credential) : undefined;
  if (!cred) return ERR.headerMalformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  if (!fields.SignedHeaders || !fields.Signature) return ERR.headerMalformed('missing SignedHeaders or Signature.');
  return { ...cred, signedHeaders: fields.SignedHeaders.split(';'), signature: fields.Signature, amzDate, time: parseAmzDate(amzDate), presigned: false, canonicalQuery: canonicalQuery(parseQuery(rawQuery)) };
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];

function parsePresigned(pairs: [string, string][]): Parsed | Failure {
  const q = new Map(pairs);
  if (PRESIGN_PARAMS.some((p) => !q.get(p))) {
    return ERR.queryMalformed('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  if (q.get('X-Amz-Algorithm') !== ALGORITHM) return ERR.queryMalformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const cred = parseCredential(q.get('X-Amz-Credential')!);
  if (!cred) return ERR.queryMalformed(`Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  const expires = Number(q.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 0) return ERR.queryMalformed('X-Amz-Expires should be a number');
  // Observed S3 response text for X-Amz-Expires above a week.
  if (expires > MAX_EXPIRES_S) return ERR.queryMalformed('X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds');
  return {
    ...cred,
    signedHeaders: q.get('X-Amz-SignedHeaders')!.split(';'),
    signature: q.get('X-Amz-Signature')!,
    amzDate: q.get('X-Amz-Date')!,
    time: parseAmzDate(q.get('X-Amz-Date')!),
    presigned: true,
    canonicalQuery: canonicalQuery(pairs.filter(([k]) => k !== 'X-Amz-Signature')),
    expires,
  };
}

function checkTime(p: Parsed, now: number): Failure | undefined {
  const t = p.time;
  if (Number.isNaN(t)) return p.presigned ? ERR.queryMalformed('X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd\'T\'HHmmss\'Z\'"') : ERR.missing();
  if (p.amzDate.slice(0, 8) !== p.date) return p.presigned ? ERR.queryMalformed('Invalid credential date. Date is not the same as X-Amz-Date.') : ERR.headerMalformed(`Invalid credential date "${p.date}". This date is not the same as X-Amz-Date: "${p.amzDate.slice(0, 8)}".`);
  if (p.presigned) {
    if (t - now > MAX_SKEW_MS) return ERR.notYetValid();
    if (now > t + (p.expires ?? 0) * 1000) return ERR.expired();
    return undefined;
  }
  return Math.abs(now - t) > MAX_SKEW_MS ? ERR.skewed() : undefined;
}

/**
 * The payload hash the canonical request uses. A hex x-amz-content-sha256 is a claim about the body: when the
 * caller knows the body's real hash (`opts.payloadHash`) that is used instead, so a swapped body fails the signature.
 */
function payloadHashFor(p: Parsed, headers: Record<string, string>, opts: { payloadHash?: string }): string {
  const declared = headers['x-amz-content-sha256'];
  if (declared && !/^[0-9a-f]{64}$/.test(declared)) return declared;
  if (opts.payloadHash) return opts.payloadHash;
  if (declared) return declared;
  return p.presigned ? 'UNSIGNED-PAYLOAD' : EMPTY_SHA256;
}

function lowerHeaders(h: SigV4Request['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}

/**
 * Parsing depends only on the query, the Authorization header and x-amz-date, so a request replayed (a presigned
 * URL fetched again, an SDK retry) reuses the first parse, canonical query included. Parsed values are never mutated.
 */
const parsedAuth = memo<Parsed | Failure>(256);

function parseAuth(rawQuery: string, auth: string | undefined, amzDate: string): Parsed | Failure {
  return parsedAuth(`${auth ?? ''}\n${amzDate}\n${rawQuery}`, () => {
    if (auth) return parseHeaderAuth(auth, rawQuery, amzDate);
    const pairs = parseQuery(rawQuery);
    return pairs.some(([k]) => k === 'X-Amz-Signature' || k === 'X-Amz-Credential') ? parsePresigned(pairs) : ERR.missing();
  });
}

/**
 * Verify a SigV4-signed request. `now` is epoch milliseconds. `opts.payloadHash` is the hex SHA-256 of the body,
 * used when the client did not send `x-amz-content-sha256` (SSM, SQS).
 */
export function verifySigV4(req: SigV4Request, creds: Record<string, string>, now: number, opts: { payloadHash?: string } = {}): SigV4Result {
  const replayKey = presignedReplayKey(req, opts);
  if (replayKey !== undefined) {
    const hit = presignedReplays.get(replayKey);
    // The same URL, host and secret always verify the same way; only the clock can turn the answer into a failure.
    if (hit && creds[hit.result.accessKeyId] === hit.secret) return checkTime(hit.parsed, now) ?? hit.result;
  }
  const seen: { parsed?: Parsed } = {};
  const result = verifyFully(req, creds, now, opts, seen);
  if (replayKey !== undefined && result.ok && seen.parsed) rememberPresigned(replayKey, result, seen.parsed, creds[result.accessKeyId]);
  return result;
}

function verifyFully(req: SigV4Request, creds: Record<string, string>, now: number, opts: { payloadHash?: string }, seen: { parsed?: Parsed }): SigV4Result {
  const headers = lowerHeaders(req.headers);
  const auth = headers.authorization;
  const parsed = parseAuth(req.rawQuery, auth, headers['x-amz-date'] ?? '');
  if ('ok' in parsed) return parsed;
  seen.parsed = parsed;
  const secret = Object.hasOwn(creds, parsed.accessKeyId) ? creds[parsed.accessKeyId] : undefined;
  if (secret === undefined) return ERR.unknownKey();
  const timeErr = checkTime(parsed, now);
  if (timeErr) return timeErr;
  if (!parsed.signedHeaders.includes('host')) return ERR.mismatch();
  const canonHeaders = canonicalHeaders(headers, parsed.signedHeaders);
  if (canonHeaders === undefined) return ERR.mismatch();
  const canonical = [
    req.method.toUpperCase(),
    canonicalPath(req.path, parsed.service),
    parsed.canonicalQuery,
    canonHeaders,
    parsed.signedHeaders.join(';'),
    payloadHashFor(parsed, headers, opts),
  ].join('\n');
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const expected = expectedSignature(secret, parsed, scope, canonical);
  if (!sameHex(expected, parsed.signature)) return ERR.mismatch();
  return { ok: true, accessKeyId: parsed.accessKeyId, region: parsed.region, service: parsed.service, presigned: parsed.presigned, signature: parsed.signature, amzDate: parsed.amzDate, scope };
}

/**
 * Presigned verifications by exact request: method, Host and raw URL. A presigned URL signing only `host`, sent
 * without a body hash or Authorization header, depends on nothing else, so a replayed URL (a CDN or app fetching the
 * same object) skips header copying, canonicalization and both memo key builds. Time is checked on every hit.
 */
interface PresignedReplay { secret: string; parsed: Parsed; result: Extract<SigV4Result, { ok: true }> }
const presignedReplays = new Map<string, PresignedReplay>();
const REPLAY_LIMIT = 256;

/** The replay key, or undefined when the request's verification depends on more than method, Host and URL. */
function presignedReplayKey(req: SigV4Request, opts: { payloadHash?: string }): string | undefined {
  const h = req.headers;
  if (opts.payloadHash !== undefined || h.authorization !== undefined || h['x-amz-content-sha256'] !== undefined) return undefined;
  const host = h.host;
  if (typeof host !== 'string' || !req.rawQuery.includes('X-Amz-Signature=')) return undefined;
  return `${req.method}\n${host}\n${req.path}?${req.rawQuery}`;
}

function rememberPresigned(key: string, result: Extract<SigV4Result, { ok: true }>, parsed: Parsed, secret: string | undefined): void {
  // Only URLs that sign nothing but `host` (the key's Host) qualify; a header-signing URL verifies fully each time.
  if (!result.presigned || secret === undefined || parsed.signedHeaders.length !== 1 || parsed.signedHeaders[0] !== 'host') return;
  if (presignedReplays.size >= REPLAY_LIMIT) presignedReplays.clear();
  presignedReplays.set(key, { secret, parsed, result });
}

/**
 * The signature a canonical request must carry. A pure function of secret, time, scope and request, so a replayed
 * request (the same presigned URL fetched again) skips the SHA-256 and HMAC; any changed byte is a different key.
 */
const signatures = memo<string>(256);

function expectedSignature(secret: string, p: Parsed, scope: string, canonical: string): string {
  return signatures(`${secret}\0${p.amzDate}\0${scope}\0${canonical}`, () => {
    const stringToSign = [ALGORITHM, p.amzDate, scope, canonicalHash(canonical)].join('\n');
    return hmac(deriveSigningKey(secret, p.date, p.region, p.service), stringToSign).toString('hex');
  });
}

/**
 * The canonical request's hash over the bytes the client sent. Node hands header values (and the raw path) over
 * one character per byte, so hashing those characters as latin1 gives back the bytes: a client that signed a UTF-8
 * x-amz-meta-* value and sent it as UTF-8 (AWS SDK v3 in Node does) verifies, as on S3. Strings from elsewhere with
 * characters past U+00FF are hashed as UTF-8.
 */
function canonicalHash(canonical: string): string {
  return createHash('sha256').update(canonical, /[^\x00-\xff]/.test(canonical) ? 'utf8' : 'latin1').digest('hex');
}

/** Constant-time comparison of two signatures (no early exit on the first differing character). */
function sameHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
