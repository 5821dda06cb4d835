/**
 * Object bytes at rest under AES-256-GCM, in chunks so a range or a part can be read without the rest: each segment
 * (a PUT's body, or one part of a multipart upload) is cut into 64 KiB chunks, each sealed on its own with nonce =
 * the segment's 8 random bytes ‖ the chunk's index (big-endian), and stored as ciphertext ‖ 16-byte tag. Every
 * object has its own random data key, so nonces never repeat under one key; a swapped, truncated or altered chunk
 * fails its tag. (NIST SP 800-38D: 96-bit nonces, unique per key.)
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Segment, SseRecord } from './model.ts';
import type { ByteRange } from '../conditions.ts';
import type { FileSlice } from '../bodies.ts';

export const CHUNK = 64 * 1024;
const TAG = 16;

/** Stored bytes of a segment of `plain` bytes: each chunk carries its tag (an empty segment stores nothing). */
export const storedSizeOf = (plain: number): number => plain + TAG * Math.ceil(plain / CHUNK);

export const storedSize = (sse: SseRecord): number => sse.segments.reduce((n, s) => n + storedSizeOf(s.size), 0);

export const newDataKey = (): Buffer => randomBytes(32);
export const newNonce = (): string => randomBytes(8).toString('base64');

function nonceFor(segmentNonce: Buffer, index: number): Buffer {
  const iv = Buffer.alloc(12);
  segmentNonce.copy(iv, 0, 0, 8);
  iv.writeUInt32BE(index, 8);
  return iv;
}

/** Seal `plain` as one segment. */
export function encryptSegment(key: Buffer, nonce: string, plain: Buffer): Buffer {
  const n = Buffer.from(nonce, 'base64');
  const out = Buffer.allocUnsafe(storedSizeOf(plain.length));
  let at = 0;
  for (let i = 0, pos = 0; pos < plain.length; i++, pos += CHUNK) {
    const c = createCipheriv('aes-256-gcm', key, nonceFor(n, i));
    const chunk = plain.subarray(pos, Math.min(pos + CHUNK, plain.length));
    at += c.update(chunk).copy(out, at);
    c.final();
    at += c.getAuthTag().copy(out, at);
  }
  return out;
}

function openChunk(key: Buffer, nonce: Buffer, index: number, sealed: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, nonceFor(nonce, index));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}

/** Which stored bytes hold plaintext [start, end] of each segment: the chunks to read and what to keep of them. */
interface ChunkRead {
  nonce: Buffer;
  index: number;
  /** Stored offset and length of the sealed chunk. */
  storedStart: number;
  storedLength: number;
  /** Plaintext to keep from the opened chunk. */
  keepFrom: number;
  keepTo: number;
}

function* plan(segments: Segment[], range: ByteRange): Generator<ChunkRead> {
  let plainAt = 0;
  let storedAt = 0;
  for (const s of segments) {
    const segEnd = plainAt + s.size - 1;
    if (s.size > 0 && range.start <= segEnd && range.end >= plainAt) {
      const from = Math.max(range.start, plainAt) - plainAt;
      const to = Math.min(range.end, segEnd) - plainAt;
      const nonce = Buffer.from(s.nonce, 'base64');
      for (let i = Math.floor(from / CHUNK); i <= Math.floor(to / CHUNK); i++) {
        const chunkPlain = Math.min(CHUNK, s.size - i * CHUNK);
        yield {
          nonce, index: i, storedStart: storedAt + i * (CHUNK + TAG), storedLength: chunkPlain + TAG,
          keepFrom: Math.max(from - i * CHUNK, 0), keepTo: Math.min(to - i * CHUNK, chunkPlain - 1),
        };
      }
    }
    plainAt += s.size;
    storedAt += storedSizeOf(s.size);
  }
}

/** Plaintext [start, end] of bytes held in memory. Throws when a chunk fails its tag. */
export function decryptRange(key: Buffer, sse: SseRecord, stored: Buffer, range: ByteRange): Buffer {
  const out: Buffer[] = [];
  for (const r of plan(sse.segments, range)) {
    const plain = openChunk(key, r.nonce, r.index, stored.subarray(r.storedStart, r.storedStart + r.storedLength));
    out.push(plain.subarray(r.keepFrom, r.keepTo + 1));
  }
  return out.length === 1 ? out[0] : Buffer.concat(out);
}

/** Plaintext [start, end] of a blob file, chunk by chunk as it is sent; the file slice's descriptor is closed at the end. */
export function decryptFile(key: Buffer, sse: SseRecord, file: FileSlice, range: ByteRange): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for (const r of plan(sse.segments, range)) {
        const sealed = Buffer.allocUnsafe(r.storedLength);
        const { bytesRead } = await new Promise<{ bytesRead: number }>((resolve, reject) =>
          fs.read(file.fd, sealed, 0, r.storedLength, file.start + r.storedStart, (e, n) => (e ? reject(e) : resolve({ bytesRead: n }))));
        if (bytesRead !== r.storedLength) throw new Error('encrypted blob shorter than its record');
        yield openChunk(key, r.nonce, r.index, sealed).subarray(r.keepFrom, r.keepTo + 1);
      }
    } finally {
      fs.close(file.fd, () => {});
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** The whole plaintext of a stored body (a copy's source), from memory or a blob file. */
export async function readPlain(key: Buffer, sse: SseRecord, stored: Buffer | FileSlice, range: ByteRange): Promise<Buffer> {
  if (Buffer.isBuffer(stored)) return decryptRange(key, sse, stored, range);
  const parts: Buffer[] = [];
  for await (const c of decryptFile(key, sse, stored, range)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}
