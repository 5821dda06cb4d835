/**
 * Request bodies as S3 receives them: plain, or `aws-chunked` (what AWS SDK v3 sends by default), with
 * chunk signatures and trailing checksum headers verified. Sources:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and sigv4-streaming-trailers.html
 */
import type http from 'node:http';
import { createHash } from 'node:crypto';
import { EMPTY_SHA256, hmac, sha256Hex } from '../sigv4.ts';
import { errors, invalidArgument, badChecksum, S3Error } from './errors.ts';
import { computeChecksum, isChecksumAlgorithm } from './checksums.ts';
import type { Checksum } from './model.ts';

/** The whole body, or `tooLarge()`'s error once it passes `limit` (the rest is drained, the socket kept). */
export function readBody(req: http.IncomingMessage, limit: number, tooLarge: () => Error = entityTooLarge): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge());
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const entityTooLarge = () => new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size');

/** What chunk-signature verification needs from the request's seed signature. */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

interface Decoded {
  body: Buffer;
  trailers: Record<string, string>;
}

const CRLF = Buffer.from('\r\n');

/** Decode an aws-chunked body; with `signing`, every chunk signature (and the trailer's) must chain correctly. */
export function decodeAwsChunked(raw: Buffer, signing?: ChunkSigning): Decoded {
  const parts: Buffer[] = [];
  let pos = 0;
  let prev = signing?.seedSignature ?? '';
  for (;;) {
    const eol = raw.indexOf(CRLF, pos);
    if (eol < 0) throw errors.IncompleteBody();
    const [sizeHex, ...exts] = raw.subarray(pos, eol).toString('latin1').split(';');
    const size = parseInt(sizeHex, 16);
    if (!/^[0-9a-fA-F]+$/.test(sizeHex.trim()) || Number.isNaN(size)) throw invalidArgument('Invalid chunk size');
    const data = raw.subarray(eol + 2, eol + 2 + size);
    if (data.length !== size) throw errors.IncompleteBody();
    if (signing) prev = checkChunkSignature(signing, prev, data, exts);
    pos = eol + 2 + size;
    if (size === 0) break;
    parts.push(data);
    if (!raw.subarray(pos, pos + 2).equals(CRLF)) throw errors.IncompleteBody();
    pos += 2;
  }
  const trailers = parseTrailers(raw.subarray(pos).toString('latin1'));
  if (signing && trailers['x-amz-trailer-signature'] !== undefined) checkTrailerSignature(signing, prev, trailers);
  return { body: parts.length === 1 ? parts[0] : Buffer.concat(parts), trailers };
}

function checkChunkSignature(s: ChunkSigning, prev: string, data: Buffer, exts: string[]): string {
  const sig = exts.map((e) => e.trim()).find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length);
  const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', s.amzDate, s.scope, prev, EMPTY_SHA256, sha256Hex(data)].join('\n');
  const expected = hmac(s.signingKey, stringToSign).toString('hex');
  if (sig !== expected) throw chunkMismatch();
  return expected;
}

function checkTrailerSignature(s: ChunkSigning, prev: string, trailers: Record<string, string>): void {
  const canonical = Object.entries(trailers).filter(([k]) => k !== 'x-amz-trailer-signature').map(([k, v]) => `${k}:${v}\n`).join('');
  const stringToSign = ['AWS4-HMAC-SHA256-TRAILER', s.amzDate, s.scope, prev, sha256Hex(canonical)].join('\n');
  if (hmac(s.signingKey, stringToSign).toString('hex') !== trailers['x-amz-trailer-signature']) throw chunkMismatch();
}

const chunkMismatch = () => new S3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');

function parseTrailers(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

/**
 * Check every integrity claim the request makes about the decoded body: x-amz-content-sha256 (when a hex hash),
 * Content-MD5, and one x-amz-checksum-* from a header or a trailer. Returns the checksum to store.
 */
export function verifyIntegrity(body: Buffer, headers: http.IncomingHttpHeaders, trailers: Record<string, string>): Checksum | undefined {
  const declared = str(headers['x-amz-content-sha256']);
  if (declared && /^[0-9a-f]{64}$/.test(declared) && sha256Hex(body) !== declared) throw errors.XAmzContentSHA256Mismatch();
  const md5 = str(headers['content-md5']);
  if (md5 !== undefined) {
    if (!/^[A-Za-z0-9+/]{22}==$/.test(md5)) throw errors.InvalidDigest();
    if (createHash('md5').update(body).digest('base64') !== md5) throw errors.BadDigest();
  }
  const all = { ...pickChecksums(headers), ...trailers };
  for (const [name, value] of Object.entries(all)) {
    if (!name.startsWith('x-amz-checksum-')) continue;
    const algorithm = name.slice('x-amz-checksum-'.length);
    if (algorithm === 'type' || algorithm === 'algorithm') continue;
    if (!isChecksumAlgorithm(algorithm)) throw invalidArgument(`Invalid checksum algorithm: ${algorithm}`);
    if (computeChecksum(algorithm, body) !== value) throw badChecksum(algorithm);
    return { algorithm: algorithm.toUpperCase(), value };
  }
  return undefined;
}

function pickChecksums(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('x-amz-checksum-') && typeof v === 'string') out[k] = v;
  return out;
}

const str = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
