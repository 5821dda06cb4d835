/**
 * The journal's file format: one line per batch of records (one S3 operation), `<crc32 hex>\t<JSON array>\n`.
 * A batch is all or nothing: a line cut short by a crash, or whose checksum fails, ends the readable journal there.
 * JSON escapes every control character, so a newline byte only ever ends a line.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Rec } from '../records.ts';

/** Runtime bytes (a Buffer held by a version in memory) never go to the journal. */
function dropBuffers(this: Record<string, unknown>, key: string, value: unknown): unknown {
  return Buffer.isBuffer(this[key]) ? undefined : value;
}

export function encodeBatch(recs: Rec[]): Buffer {
  const json = Buffer.from(JSON.stringify(recs, dropBuffers), 'utf8');
  const head = Buffer.from(`${zlib.crc32(json).toString(16).padStart(8, '0')}\t`, 'latin1');
  return Buffer.concat([head, json, NEWLINE]);
}

const NEWLINE = Buffer.from('\n');
const READ_CHUNK = 4 * 1024 * 1024;

export interface ReadResult {
  /** Bytes from the start that hold whole, valid batches. */
  goodBytes: number;
  /** False when the file continues past goodBytes with a torn or corrupt batch. */
  clean: boolean;
}

/**
 * Feed every valid batch of a journal file to `onBatch`, reading in bounded chunks (memory is the largest batch,
 * not the file). Stops at the first torn or corrupt line.
 */
export function readJournal(file: string, onBatch: (recs: Rec[]) => void): ReadResult {
  const fd = fs.openSync(file, 'r');
  try {
    let goodBytes = 0;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    for (;;) {
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return { goodBytes, clean: carry.length === 0 };
      let data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let at = 0;
      for (let nl = data.indexOf(0x0a, at); nl >= 0; nl = data.indexOf(0x0a, at)) {
        const recs = decodeLine(data.subarray(at, nl));
        if (!recs) return { goodBytes, clean: false };
        onBatch(recs);
        goodBytes += nl + 1 - at;
        at = nl + 1;
      }
      data = data.subarray(at);
      carry = Buffer.from(data);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function decodeLine(line: Buffer): Rec[] | undefined {
  const tab = line.indexOf(0x09);
  if (tab !== 8) return undefined;
  const json = line.subarray(9);
  if (zlib.crc32(json).toString(16).padStart(8, '0') !== line.subarray(0, 8).toString('latin1')) return undefined;
  try {
    const recs = JSON.parse(json.toString('utf8')) as unknown;
    return Array.isArray(recs) ? (recs as Rec[]) : undefined;
  } catch {
    return undefined;
  }
}
