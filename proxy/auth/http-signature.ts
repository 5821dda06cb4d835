/**
 * Verifier for draft-cavage-http-signatures-12 ("Signing HTTP Messages"), the scheme the company API gateway
 * uses to vouch for the requests it forwards. Pure: no I/O, time comes in as `now`.
 * Source for every rule below: https://datatracker.ietf.org/doc/html/draft-cavage-http-signatures-12
 */
import { constants, createHash, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { ProxyError } from '../core/errors.ts';

/**
 * A key set that can change while the process runs (rotation): looked up per request, and re-read when a request
 * names a keyId it does not hold (`refresh` resolves after a read that started after the call).
 */
export interface KeySet {
  lookup(keyId: string): string | undefined;
  refresh(reason: string): Promise<unknown>;
}

/** One PEM for every keyId, a table keyId → PEM, or a live key set. */
export type PublicKeys = Record<string, string> | string | KeySet;

export interface SignedRequest {
  method: string;
  path: string;
  rawQuery: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface VerifyOptions {
  publicKeys: PublicKeys;
  /** Milliseconds since the epoch. */
  now: number;
  maxSkewSeconds?: number;
  /** Headers that must be signed on top of the built-in rules ((request-target), host, date|(created), digest). */
  requiredHeaders?: string[];
}

export interface VerifiedSignature {
  keyId: string;
  algorithm: string;
  signedHeaders: string[];
  /** The signature's bytes (what a replay would carry again). */
  signature: Buffer;
  /** Epoch ms after which this signature is refused as too old or expired anyway: how long a replay matters. */
  validUntil: number;
}

export interface SignatureParams {
  keyId: string;
  algorithm?: string;
  headers: string[];
  signature: string;
  created?: number;
  expires?: number;
}

export const DEFAULT_MAX_SKEW_SECONDS = 300;
const SUPPORTED_ALGORITHMS = ['rsa-sha256', 'hs2019'];

/** A 401 for a refused signature. §3.1: a 401 may name the scheme and the headers the server wants signed. */
export const signatureRefusal = (code: string, message: string) =>
  new ProxyError(401, code, message, undefined, { 'www-authenticate': 'Signature realm="gatehouse",headers="(request-target) host date digest"' });

export function verifyHttpSignature(req: SignedRequest, opts: VerifyOptions): VerifiedSignature {
  const headers = lowerKeys(req.headers);
  const params = parseSignatureParams(findSignatureHeader(headers));
  // §2.1 algorithm: no algorithm means "derive it from the key", which is what hs2019 means too.
  const algorithm = (params.algorithm ?? 'hs2019').toLowerCase();
  if (!SUPPORTED_ALGORITHMS.includes(algorithm)) {
    throw signatureRefusal('signature_algorithm_unsupported', `signature algorithm "${params.algorithm}" is not supported; use rsa-sha256 or hs2019`);
  }
  const key = lookupKey(opts.publicKeys, params.keyId);
  checkCoverage(params, algorithm, headers, req.body, opts.requiredHeaders ?? []);
  const validUntil = checkTimes(params, headers, opts.now, opts.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS);
  if (headers.digest !== undefined) checkDigest(headers.digest, req.body);
  const data = Buffer.from(buildSigningString(params, { ...req, headers }), 'utf8');
  const signature = Buffer.from(params.signature, 'base64');
  if (!verifySignatureBytes(algorithm, key, data, signature)) {
    throw signatureRefusal('signature_invalid', 'the signature does not match the signing string for this key');
  }
  return { keyId: params.keyId, algorithm, signedHeaders: params.headers, signature, validUntil };
}

/**
 * `verifyHttpSignature`, and when the keyId is unknown to a live key set, once more after the set was re-read: the
 * first request signed with a newly added key is how a proxy that has not yet refreshed learns of it.
 */
export async function verifyHttpSignatureRotating(req: SignedRequest, opts: VerifyOptions): Promise<VerifiedSignature> {
  try {
    return verifyHttpSignature(req, opts);
  } catch (e) {
    if (!(e instanceof ProxyError) || e.code !== 'signature_unknown_key' || !isKeySet(opts.publicKeys)) throw e;
    await opts.publicKeys.refresh('unknown gateway keyId');
    return verifyHttpSignature(req, opts);
  }
}

const isKeySet = (k: PublicKeys): k is KeySet => typeof k === 'object' && typeof (k as KeySet).lookup === 'function' && typeof (k as KeySet).refresh === 'function';

/** §4.1 `Signature: <params>` wins; §3.1 `Authorization: Signature <params>` is the other form. */
function findSignatureHeader(headers: Record<string, string>): string {
  if (headers.signature?.trim()) return headers.signature;
  const m = /^\s*Signature\s+(.*)$/is.exec(headers.authorization ?? '');
  if (m) return m[1];
  throw signatureRefusal('signature_missing', 'no Signature header and no "Authorization: Signature" credentials');
}

/** §2.1: comma-separated `name="value"` pairs; created/expires may be bare numbers; unknown names ignored. */
export function parseSignatureParams(value: string): SignatureParams {
  const raw: Record<string, string> = {};
  const re = /\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^\s",]+))\s*(,|$)/y;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) throw signatureRefusal('signature_malformed', `cannot parse the signature parameters at character ${pos}`);
    const name = m[1];
    if (name in raw) throw signatureRefusal('signature_malformed', `signature parameter "${name}" appears twice`);
    raw[name] = m[2] ?? m[3];
    pos = re.lastIndex;
    if (!m[4]) break;
  }
  if (!raw.keyId) throw signatureRefusal('signature_malformed', 'the signature has no keyId parameter');
  if (!raw.signature || !/^[A-Za-z0-9+/]+={0,2}$/.test(raw.signature)) {
    throw signatureRefusal('signature_malformed', 'the signature parameter is missing or not base64');
  }
  // §2.1 headers: when absent the default is "(created)".
  const list = (raw.headers ?? '(created)').trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (list.length === 0) throw signatureRefusal('signature_malformed', 'the headers parameter is empty');
  return {
    keyId: raw.keyId,
    algorithm: raw.algorithm,
    headers: list,
    signature: raw.signature,
    // §2.1 created is an integer Unix time; §2.1 expires may carry a fraction.
    created: numberParam(raw.created, 'created', /^\d+$/),
    expires: numberParam(raw.expires, 'expires', /^\d+(\.\d+)?$/),
  };
}

function numberParam(v: string | undefined, name: string, shape: RegExp): number | undefined {
  if (v === undefined) return undefined;
  if (!shape.test(v)) throw signatureRefusal('signature_malformed', `the ${name} parameter must be a Unix timestamp, got "${v}"`);
  return Number(v);
}

function lookupKey(keys: PublicKeys, keyId: string): KeyObject {
  const pem = typeof keys === 'string' ? keys : isKeySet(keys) ? keys.lookup(keyId) : Object.hasOwn(keys, keyId) ? keys[keyId] : undefined;
  if (!pem) throw signatureRefusal('signature_unknown_key', `no public key is configured for keyId "${keyId}"`);
  return publicKeyFrom(pem);
}

const keyCache = new Map<string, KeyObject>();

/** Accepts a PEM, a PEM with literal "\n" (as env vars often carry it) or a bare base64 SPKI body. */
export function publicKeyFrom(pem: string): KeyObject {
  const cached = keyCache.get(pem);
  if (cached) return cached;
  let text = pem.replace(/\\n/g, '\n').trim();
  if (!text.startsWith('-----BEGIN')) text = `-----BEGIN PUBLIC KEY-----\n${text.replace(/\s+/g, '')}\n-----END PUBLIC KEY-----`;
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    throw new ProxyError(500, 'signature_key_invalid', 'the configured gateway public key cannot be parsed');
  }
  keyCache.set(pem, key);
  return key;
}

/** Which headers the signature must cover, and that everything it covers is really there. */
function checkCoverage(p: SignatureParams, algorithm: string, headers: Record<string, string>, body: Buffer, extra: string[]): void {
  const signed = new Set(p.headers);
  for (const pseudo of ['(created)', '(expires)'] as const) {
    if (!signed.has(pseudo)) continue;
    // §2.3: (created)/(expires) with an rsa-*, hmac-* or ecdsa-* algorithm MUST produce an error.
    if (/^(rsa|hmac|ecdsa)/.test(algorithm)) throw signatureRefusal('signature_pseudo_header_not_allowed', `${pseudo} cannot be signed with ${algorithm}; use hs2019`);
    if ((pseudo === '(created)' ? p.created : p.expires) === undefined) {
      throw signatureRefusal('signature_malformed', `${pseudo} is signed but the ${pseudo.slice(1, -1)} parameter is missing`);
    }
  }
  for (const h of ['(request-target)', 'host', ...extra.map((x) => x.toLowerCase())]) {
    if (!signed.has(h)) throw signatureRefusal('signature_header_not_signed', `the signature must cover "${h}"`);
  }
  if (!signed.has('date') && !signed.has('(created)')) throw signatureRefusal('date_missing', 'the signature must cover "date" or "(created)"');
  if (body.length > 0 && headers.digest === undefined) throw signatureRefusal('digest_missing', 'a request with a body needs a Digest header');
  if (headers.digest !== undefined && !signed.has('digest')) throw signatureRefusal('signature_header_not_signed', 'the signature must cover "digest"');
  for (const h of p.headers) {
    if (!h.startsWith('(') && headers[h] === undefined) throw signatureRefusal('signature_header_missing', `signed header "${h}" is not in the request`);
  }
}

/** Checks Date, created and expires; returns the epoch ms from which the earliest of them refuses the signature. */
function checkTimes(p: SignatureParams, headers: Record<string, string>, now: number, maxSkewSeconds: number): number {
  const nowSeconds = now / 1000;
  let validUntil = Infinity;
  if (p.headers.includes('date')) {
    const date = Date.parse(headers.date);
    if (Number.isNaN(date)) throw signatureRefusal('date_invalid', 'the Date header is not an HTTP date');
    if (Math.abs(now - date) > maxSkewSeconds * 1000) throw signatureRefusal('date_skew', `the Date header is more than ${maxSkewSeconds} s away from the server clock`);
    validUntil = Math.min(validUntil, date + maxSkewSeconds * 1000);
  }
  if (p.created !== undefined) {
    if (Math.abs(nowSeconds - p.created) > maxSkewSeconds) throw signatureRefusal('date_skew', `the created parameter is more than ${maxSkewSeconds} s away from the server clock`);
    validUntil = Math.min(validUntil, (p.created + maxSkewSeconds) * 1000);
  }
  // §2.1 expires: a signature whose expires is in the past MUST NOT be processed.
  if (p.expires !== undefined) {
    if (nowSeconds > p.expires) throw signatureRefusal('signature_expired', 'the signature has expired');
    validUntil = Math.min(validUntil, p.expires * 1000);
  }
  return validUntil;
}

/** RFC 3230 `Digest: SHA-256=<b64>[, MD5=<b64>]`; only SHA-256 is checked, other entries are ignored. */
function checkDigest(value: string, body: Buffer): void {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  const sha = entries.find((e) => /^sha-256=/i.test(e));
  if (!sha) throw signatureRefusal('digest_unsupported', 'the Digest header has no SHA-256 entry');
  const claimed = Buffer.from(sha.slice('sha-256='.length), 'base64');
  const actual = createHash('sha256').update(body).digest();
  if (claimed.length !== actual.length || !timingSafeEqual(claimed, actual)) {
    throw signatureRefusal('digest_mismatch', 'the SHA-256 Digest does not match the request body');
  }
}

/** §2.3 signature string: one `name: value` line per listed header, joined by "\n". */
export function buildSigningString(p: Pick<SignatureParams, 'headers' | 'created' | 'expires'>, req: Omit<SignedRequest, 'body'>): string {
  return p.headers.map((name) => `${name}: ${headerValue(name, p, req)}`).join('\n');
}

function headerValue(name: string, p: Pick<SignatureParams, 'created' | 'expires'>, req: Omit<SignedRequest, 'body'>): string {
  // §2.3: lower-cased method, a space, and the path with its query (HTTP/2 :path).
  if (name === '(request-target)') return `${req.method.toLowerCase()} ${req.path}${req.rawQuery ? `?${req.rawQuery}` : ''}`;
  if (name === '(created)') return String(p.created);
  if (name === '(expires)') return String(p.expires);
  // §2.3: leading and trailing whitespace is dropped; repeated headers arrive joined with ", " already.
  return (req.headers[name] ?? '').trim();
}

/**
 * rsa-sha256 is RSASSA-PKCS1-v1_5 with SHA-256 (w3c-ccg/http-signatures PR #55 restored this meaning).
 * hs2019 with an RSA key: the draft's algorithm registry (§6.2) recommends RSASSA-PSS with SHA-512, while deployed
 * signers (GoToSocial docs, Mastodon, Friendica PR #8841) send RSASSA-PKCS1-v1_5 with SHA-256 under that name.
 * Decision: accept both for an RSA key. Both are sound RSA signature schemes over the same key, so accepting
 * either opens no algorithm-confusion hole (we never accept HMAC or another key type); any salt length is taken
 * for PSS because the draft does not fix one. We sign hs2019 the draft's way (PSS/SHA-512, 64-byte salt).
 */
function verifySignatureBytes(algorithm: string, key: KeyObject, data: Buffer, sig: Buffer): boolean {
  if (key.asymmetricKeyType !== 'rsa') throw signatureRefusal('signature_algorithm_unsupported', `keys of type ${key.asymmetricKeyType} are not supported`);
  const pkcs1 = () => verify('sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }, sig);
  const pss = () => verify('sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, sig);
  try {
    return algorithm === 'rsa-sha256' ? pkcs1() : pss() || pkcs1();
  } catch {
    return false; // OpenSSL throws on some malformed inputs (e.g. a signature longer than the modulus)
  }
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
