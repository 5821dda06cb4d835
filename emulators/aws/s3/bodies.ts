/**
 * Where object and part bytes live: in memory (the default), or as blob files with persistence
 * (persist/disk-bodies.ts). Bodies are written before any record references them and never change afterwards, so a
 * reader holding one (a Buffer, an open file) is never disturbed by a later write.
 */
import { createHash } from 'node:crypto';
import { ulid } from 'ulid';
import type { StoredBody } from './model.ts';
import type { ByteRange } from './conditions.ts';

export type { ByteRange };

/** Something with stored bytes: an object version or a part. */
export interface HasBody {
  id: string;
  size: number;
  body?: Buffer;
}

/** Bytes of a file to stream: an already open descriptor (owned by the receiver, which closes it). */
export interface FileSlice {
  fd: number;
  start: number;
  end: number;
}

export interface Bodies {
  /** Store new bytes (durably, with persistence); the MD5 comes back computed. */
  put(data: Buffer): Promise<StoredBody>;
  /** Store a copy of a stored body or of a range of it, with its MD5 when asked. */
  copy(src: HasBody, range: ByteRange | undefined, md5: boolean): Promise<StoredBody>;
  /** Store the concatenation of stored bodies (a completed multipart upload). */
  concat(parts: HasBody[]): Promise<StoredBody>;
  /** The bytes for a response: a Buffer, or an open file slice taken now, so a later delete cannot pull it away. */
  read(src: HasBody, range?: ByteRange): Buffer | FileSlice;
  /** A stored body no record came to reference (the write failed after storing it). */
  discard(stored: StoredBody): void;
  /** Blobs no record references any more, once that is durable. */
  remove(ids: string[]): void;
}

const EMPTY = Buffer.alloc(0);
const md5Hex = (b: Buffer): string => createHash('md5').update(b).digest('hex');

/** Bodies as Buffers on the versions themselves: nothing to write, nothing to delete. */
export class MemoryBodies implements Bodies {
  async put(data: Buffer): Promise<StoredBody> {
    return { id: ulid(), size: data.length, md5: md5Hex(data), body: data };
  }

  async copy(src: HasBody, range: ByteRange | undefined, md5: boolean): Promise<StoredBody> {
    const whole = src.body ?? EMPTY;
    // Stored Buffers are never written to, so a whole copy can share the bytes; a range is copied out so the
    // (possibly large) source is not kept alive by a small part.
    const body = range ? Buffer.from(whole.subarray(range.start, range.end + 1)) : whole;
    return { id: ulid(), size: body.length, md5: md5 ? md5Hex(body) : undefined, body };
  }

  async concat(parts: HasBody[]): Promise<StoredBody> {
    const body = Buffer.concat(parts.map((p) => p.body ?? EMPTY));
    return { id: ulid(), size: body.length, body };
  }

  read(src: HasBody, range?: ByteRange): Buffer {
    const body = src.body ?? EMPTY;
    return range ? body.subarray(range.start, range.end + 1) : body;
  }

  discard(): void {}

  remove(): void {}
}
