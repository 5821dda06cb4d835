/**
 * The gateway's signing side of draft-cavage-http-signatures-12. Also used directly by tests that call the proxy
 * without the gateway in front. The signing string comes from the proxy's verifier module so both sides build
 * it in one place; tests pin its exact text independently.
 */
import { constants, createHash, createPrivateKey, sign, type KeyObject, type SignKeyObjectInput, type SignPrivateKeyInput } from 'node:crypto';
import { buildSigningString } from '../../proxy/auth/http-signature.ts';
import { IDENTITY_HEADER } from '../../proxy/auth/signature-middleware.ts';
import { GATEWAY_KEY_ID } from './keys.ts';

export { GATEWAY_KEY_ID };

export interface RequestToSign {
  method: string;
  path: string;
  rawQuery?: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

export interface SignOptions {
  keyId?: string;
  algorithm?: 'rsa-sha256' | 'hs2019';
  /** Milliseconds since the epoch (default: Date.now()). */
  now?: number;
  /** Headers to sign, in order (default: (request-target) host date digest, plus x-user-email and x-gateway-request-id when present). */
  headers?: string[];
  /** Adds an `expires` parameter this many seconds after `created`. */
  expiresInSeconds?: number;
}

/** `SHA-256=<base64>` as RFC 3230 writes instance digests. */
export const digestHeader = (body: Buffer | string = Buffer.alloc(0)): string =>
  `SHA-256=${createHash('sha256').update(body).digest('base64')}`;

/** Returns the headers to add: `date` and `digest` when signed and not already given, and `signature`. */
export function signRequest(req: RequestToSign, privateKeyPem: string, opts: SignOptions = {}): Record<string, string> {
  const draft = prepare(req, opts);
  return draft.finish(sign(...signArgs(draft.algorithm, privateKeyPem, draft.data)));
}

/**
 * The same, with the RSA operation on libuv's thread pool: the gateway signs every request, and a signature costs
 * ~0.7 ms of CPU that would otherwise block the one event loop the whole local stack shares.
 */
export async function signRequestAsync(req: RequestToSign, privateKeyPem: string, opts: SignOptions = {}): Promise<Record<string, string>> {
  const draft = prepare(req, opts);
  const signature = await new Promise<Buffer>((resolve, reject) => {
    sign(...signArgs(draft.algorithm, privateKeyPem, draft.data), (err, sig) => (err ? reject(err) : resolve(sig)));
  });
  return draft.finish(signature);
}

interface Draft {
  algorithm: Algorithm;
  /** The signing string's bytes. */
  data: Buffer;
  finish(signature: Buffer): Record<string, string>;
}

type Algorithm = 'rsa-sha256' | 'hs2019';

function prepare(req: RequestToSign, opts: SignOptions): Draft {
  const now = opts.now ?? Date.now();
  const algorithm = opts.algorithm ?? 'rsa-sha256';
  const given = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const list = (opts.headers ?? defaultHeaders(given)).map((h) => h.toLowerCase());
  const added: Record<string, string> = {};
  if (list.includes('date') && given.date === undefined) added.date = httpDate(now);
  if (list.includes('digest') && given.digest === undefined) added.digest = digestHeader(req.body);
  const all = { ...given, ...added };
  for (const h of list) {
    if (!h.startsWith('(') && all[h] === undefined) throw new Error(`cannot sign "${h}": the request has no such header`);
  }
  const created = Math.floor(now / 1000);
  const expires = opts.expiresInSeconds !== undefined ? created + opts.expiresInSeconds : undefined;
  const text = buildSigningString({ headers: list, created, expires }, { method: req.method, path: req.path, rawQuery: req.rawQuery ?? '', headers: all });
  const params = [
    `keyId="${opts.keyId ?? GATEWAY_KEY_ID}"`,
    `algorithm="${algorithm}"`,
    ...(list.includes('(created)') || algorithm === 'hs2019' ? [`created=${created}`] : []),
    ...(expires !== undefined ? [`expires=${expires}`] : []),
    `headers="${list.join(' ')}"`,
  ];
  return {
    algorithm,
    data: Buffer.from(text, 'utf8'),
    finish: (signature) => ({ ...added, signature: `${params.join(',')},signature="${signature.toString('base64')}"` }),
  };
}

/** The gateway's own id for each request it forwards: signed, so two identical requests never share a signature. */
export const GATEWAY_REQUEST_ID_HEADER = 'x-gateway-request-id';

function defaultHeaders(given: Record<string, string>): string[] {
  const optional = [IDENTITY_HEADER, GATEWAY_REQUEST_ID_HEADER].filter((h) => given[h] !== undefined);
  return ['(request-target)', 'host', 'date', 'digest', ...optional];
}

/** An HTTP date changes once a second; format it once per second, not per request. */
let lastDate = { second: NaN, text: '' };

function httpDate(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== lastDate.second) lastDate = { second, text: new Date(second * 1000).toUTCString() };
  return lastDate.text;
}

/** rsa-sha256: RSASSA-PKCS1-v1_5/SHA-256; hs2019 with an RSA key: the draft's RSASSA-PSS/SHA-512. */
function signArgs(algorithm: Algorithm, privateKeyPem: string, data: Buffer): [string, Buffer, SignKeyObjectInput | SignPrivateKeyInput] {
  const key = privateKeyFrom(privateKeyPem);
  return algorithm === 'rsa-sha256'
    ? ['sha256', data, { key, padding: constants.RSA_PKCS1_PADDING }]
    : ['sha512', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }];
}

/**
 * Parsed once per PEM: parsing costs as much as a signature, and a reused KeyObject keeps OpenSSL's precomputed
 * Montgomery values (profile under bench:replay: 1.5 → 0.7 ms per signature). Few PEMs exist per process.
 */
const privateKeys = new Map<string, KeyObject>();

function privateKeyFrom(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (key) return key;
  key = createPrivateKey(pem);
  if (privateKeys.size >= 16) privateKeys.clear(); // tests sign with throwaway keys; keep the table small
  privateKeys.set(pem, key);
  return key;
}
