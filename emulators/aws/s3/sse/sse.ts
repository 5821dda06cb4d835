/**
 * Server-side encryption as requests ask for it and objects carry it (UsingServerSideEncryption.html,
 * ServerSideEncryptionCustomerKeys.html, specifying-s3-c-encryption.html):
 * - SSE-S3, `x-amz-server-side-encryption: AES256` (or a bucket default set with PutBucketEncryption): the object is
 *   encrypted under a data key wrapped by the edge's master key;
 * - SSE-C, the `x-amz-server-side-encryption-customer-*` trio: the data key is wrapped by the customer's key, which
 *   is checked against its MD5 and never stored; every read must bring it again;
 * - SSE-KMS and DSSE-KMS (`aws:kms`, `aws:kms:dsse`): no KMS here, so 501 NotImplemented, never stored unencrypted.
 * Error texts as S3 answers them (LocalStack's recordings against S3, aws-sdk-go#2724, aws-sdk-cpp#1771).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { S3Error, errors, invalidArgument, invalidRequest } from '../errors.ts';
import { header, type S3Context, type S3Request } from '../request.ts';
import { unwrapKey, wrapKey } from './keyring.ts';
import { decryptFile, decryptRange, encryptSegment, newDataKey, newNonce, readPlain, storedSize } from './crypt.ts';
import type { SseRecord } from './model.ts';
import type { Bucket, ObjectRecord } from '../model.ts';
import type { ByteRange } from '../conditions.ts';
import type { FileSlice } from '../bodies.ts';

export const CUSTOMER = 'x-amz-server-side-encryption-customer-';
export const COPY_SOURCE_CUSTOMER = 'x-amz-copy-source-server-side-encryption-customer-';

/** A write's encryption: the record the object will carry (segments filled as bytes are sealed) and its data key. */
export interface Encryption {
  record: SseRecord;
  key: Buffer;
}

interface CustomerKey {
  key: Buffer;
  md5: string;
}

const named = (req: S3Request, prefix: string) => ({
  algorithm: header(req, `${prefix}algorithm`),
  key: header(req, `${prefix}key`),
  md5: header(req, `${prefix}key-md5`),
});

/** The SSE-C trio of a request (under `prefix`), checked; undefined when it carries none of it. */
export function customerKey(req: S3Request, prefix = CUSTOMER): CustomerKey | undefined {
  const c = named(req, prefix);
  if (c.algorithm === undefined && c.key === undefined && c.md5 === undefined) return undefined;
  const arg = { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: 'null' };
  if (c.algorithm === undefined) throw invalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.', arg);
  if (c.algorithm !== 'AES256') throw new S3Error('InvalidEncryptionAlgorithmError', 400, 'The Encryption request you specified is not valid. Supported value: AES256.', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: c.algorithm });
  if (c.key === undefined) throw invalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.', arg);
  if (c.md5 === undefined) throw invalidArgument('Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.', arg);
  const key = Buffer.from(c.key, 'base64');
  // The MD5 is checked before the key's length (aws-sdk-go#1726 sent a 24-byte key and got the MD5 message).
  if (createHash('md5').update(key).digest('base64') !== c.md5) throw invalidArgument('The calculated MD5 hash of the key did not match the hash that was provided.', arg);
  if (key.length !== 32) throw invalidArgument('The secret key was invalid for the specified algorithm.', arg);
  return { key, md5: c.md5 };
}

/**
 * The encryption a write asks for: its headers, else the bucket's default (PutBucketEncryption). SSE-C on a bucket
 * that blocks it (every bucket created since April 2026 until PutBucketEncryption unblocks it) is 403.
 */
export function writeEncryption(req: S3Request, ctx: S3Context, b: Bucket): Encryption | undefined {
  const sse = header(req, 'x-amz-server-side-encryption');
  const customer = named(req, CUSTOMER);
  const hasCustomer = customer.algorithm !== undefined || customer.key !== undefined || customer.md5 !== undefined;
  if (sse !== undefined && hasCustomer) {
    throw invalidArgument('Server Side Encryption with Customer provided key is incompatible with the encryption method specified', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: sse });
  }
  refuseKms(req, sse);
  if (hasCustomer) {
    const c = customerKey(req)!;
    if (b.encryption?.blockSseC ?? true) {
      const who = req.caller.account?.arn ?? 'anonymous';
      throw new S3Error('AccessDenied', 403, `User: ${who} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${b.name}/${req.key ?? ''}" because this bucket has blocked upload requests that specify Server Side Encryption with Customer provided keys (SSE-C). Please specify a different server-side encryption type`);
    }
    return create('SSE-C', c.key, c.md5);
  }
  if (sse !== undefined) {
    if (sse !== 'AES256') throw invalidArgument('The encryption method specified is not supported', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: sse });
    return create('AES256', ctx.keyring.masterKey());
  }
  if (b.encryption?.algorithm === 'AES256') return create('AES256', ctx.keyring.masterKey());
  return undefined;
}

function create(type: SseRecord['type'], kek: Buffer, keyMd5?: string): Encryption {
  const key = newDataKey();
  const record: SseRecord = { type, wrappedKey: wrapKey(kek, key), segments: [] };
  if (keyMd5) record.keyMd5 = keyMd5;
  return { record, key };
}

/** KMS headers name a key service this edge does not have: refused, never stored unencrypted. */
function refuseKms(req: S3Request, sse: string | undefined): void {
  if (sse === 'aws:kms' || sse === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', 501, `Server-side encryption with AWS KMS keys (${sse}) is not implemented by this emulator: it has no KMS`, { Header: 'x-amz-server-side-encryption' });
  }
  for (const h of ['x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-context']) {
    if (req.headers[h] !== undefined) throw invalidArgument('Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', { ArgumentName: h });
  }
}

/** The data key of an upload (an SSE-C part must bring the same key as CreateMultipartUpload). */
export function uploadKey(req: S3Request, ctx: S3Context, sse: SseRecord | undefined): Buffer | undefined {
  const c = customerKey(req);
  const initiated = () => invalidRequest('The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.');
  if (!sse) {
    if (c) throw initiated();
    return undefined;
  }
  if (sse.type === 'AES256') {
    if (c) throw initiated();
    return unwrapKey(ctx.keyring.masterKey(), sse.wrappedKey) ?? fail();
  }
  if (!c) throw initiated();
  if (c.md5 !== sse.keyMd5) throw invalidRequest('The provided encryption parameters did not match the ones used originally.');
  return unwrapKey(c.key, sse.wrappedKey) ?? fail();
}

/**
 * The key to read a stored version with (undefined: stored as sent), after checking the request's SSE-C headers
 * (`prefix`: a copy's source has its own) against it.
 */
export function readKey(req: S3Request, ctx: S3Context, v: ObjectRecord, prefix = CUSTOMER): Buffer | undefined {
  const c = customerKey(req, prefix);
  if (v.sse?.type !== 'SSE-C') {
    if (c) throw invalidRequest('The encryption parameters are not applicable to this object.');
    return v.sse ? unwrapKey(ctx.keyring.masterKey(), v.sse.wrappedKey) ?? fail() : undefined;
  }
  if (!c) throw invalidRequest('The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
  const key = unwrapKey(c.key, v.sse.wrappedKey);
  if (!key) throw new S3Error('AccessDenied', 403, 'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.');
  return key;
}

/** A data key the master key no longer opens: the key file was replaced behind the edge's back. */
function fail(): never {
  console.error('[s3] an object\'s data key does not open under the SSE master key (s3/sse-master.key replaced?)');
  throw errors.InternalError();
}

/** The write-side encryption headers: a read that sends one is refused (API_GetObject.html: 400 Bad Request). */
const WRITE_HEADERS = ['x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-context', 'x-amz-server-side-encryption-bucket-key-enabled'];

/** Whether a read carries any encryption header (checked on every GET, so a handful of property lookups). */
export const hasSseHeaders = (req: S3Request): boolean =>
  req.headers[`${CUSTOMER}algorithm`] !== undefined || req.headers[`${CUSTOMER}key`] !== undefined || req.headers[`${CUSTOMER}key-md5`] !== undefined
  || WRITE_HEADERS.some((h) => req.headers[h] !== undefined);

/** A read's encryption headers checked against the version: the key to decrypt it with, or undefined. */
export function readKeyForGet(req: S3Request, ctx: S3Context, v: ObjectRecord): Buffer | undefined {
  const sent = WRITE_HEADERS.find((h) => req.headers[h] !== undefined);
  if (sent !== undefined) throw invalidArgument(`${sent} header is not supported for this operation.`, { ArgumentName: sent });
  return readKey(req, ctx, v);
}

/** Seal a write's plaintext as one segment: the bytes to store and the record with that segment added. */
export function seal(enc: Encryption, plain: Buffer): { stored: Buffer; nonce: string } {
  const nonce = newNonce();
  return { stored: encryptSegment(enc.key, nonce, plain), nonce };
}

/** The headers that tell a client how its object is encrypted (PUT, GET, HEAD, copy, multipart). */
export function sseHeaders(sse: SseRecord | undefined): Record<string, string> {
  if (!sse) return {};
  if (sse.type === 'AES256') return { 'x-amz-server-side-encryption': 'AES256' };
  return { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key-md5': sse.keyMd5! };
}

/** The stored body of an encrypted version, as the bodies layer sees it (its size is the ciphertext's). */
export const sealedBody = (v: ObjectRecord & { body?: Buffer }) => ({ id: v.id, size: storedSize(v.sse!), body: v.body });

/** Plaintext [start, end] of an encrypted version, for a GET: a Buffer from memory, a stream from disk. */
export function plainForResponse(ctx: S3Context, v: ObjectRecord & { body?: Buffer }, key: Buffer, range: ByteRange): Buffer | Readable {
  if (range.end < range.start) return Buffer.alloc(0);
  const stored = ctx.state.bodies.read(sealedBody(v));
  return Buffer.isBuffer(stored) ? decryptRange(key, v.sse!, stored, range) : decryptFile(key, v.sse!, stored, range);
}

/** Plaintext [start, end] of a version as one Buffer (a copy's source), decrypted with `key` when it is encrypted. */
export async function plainOf(ctx: S3Context, v: ObjectRecord & { body?: Buffer }, key: Buffer | undefined, range: ByteRange): Promise<Buffer> {
  if (range.end < range.start) return Buffer.alloc(0);
  if (key) return readPlain(key, v.sse!, ctx.state.bodies.read(sealedBody(v)), range);
  const bytes = ctx.state.bodies.read(v, range);
  return Buffer.isBuffer(bytes) ? bytes : readSlice(bytes);
}

async function readSlice(file: FileSlice): Promise<Buffer> {
  const out = Buffer.allocUnsafe(file.end - file.start + 1);
  try {
    for (let at = 0; at < out.length;) {
      const n = await new Promise<number>((resolve, reject) => fs.read(file.fd, out, at, out.length - at, file.start + at, (e, got) => (e ? reject(e) : resolve(got))));
      if (n === 0) throw new Error('blob shorter than its record');
      at += n;
    }
  } finally {
    fs.close(file.fd, () => {});
  }
  return out;
}
