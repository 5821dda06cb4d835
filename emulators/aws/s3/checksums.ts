/**
 * The x-amz-checksum-* algorithms S3 accepts, each computed over the decoded object body and rendered base64
 * (big-endian for the CRCs). Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

const CRC32C_TABLE = crcTable(0x82f63b78);

function crc32c(data: Buffer): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC32C_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// CRC-64/NVME: reflected polynomial 0x9a6c9329ac4bc9b5, init and xorout all ones.
const CRC64_POLY = 0x9a6c9329ac4bc9b5n;
const MASK64 = 0xffffffffffffffffn;
let crc64Table: BigUint64Array | undefined;

function crc64nvme(data: Buffer): Buffer {
  if (!crc64Table) {
    crc64Table = new BigUint64Array(256);
    for (let n = 0; n < 256; n++) {
      let c = BigInt(n);
      for (let k = 0; k < 8; k++) c = c & 1n ? CRC64_POLY ^ (c >> 1n) : c >> 1n;
      crc64Table[n] = c;
    }
  }
  let c = MASK64;
  for (let i = 0; i < data.length; i++) c = crc64Table[Number((c ^ BigInt(data[i])) & 0xffn)] ^ (c >> 8n);
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE((c ^ MASK64) & MASK64);
  return out;
}

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

const ALGORITHMS: Record<string, (data: Buffer) => Buffer> = {
  crc32: (d) => u32(zlib.crc32(d)),
  crc32c: (d) => u32(crc32c(d)),
  crc64nvme: crc64nvme,
  sha1: (d) => createHash('sha1').update(d).digest(),
  sha256: (d) => createHash('sha256').update(d).digest(),
};

export function isChecksumAlgorithm(name: string): boolean {
  return Object.hasOwn(ALGORITHMS, name.toLowerCase());
}

/** Base64 checksum of the body with the named algorithm (crc32, crc32c, crc64nvme, sha1, sha256). */
export function computeChecksum(algorithm: string, data: Buffer): string {
  return ALGORITHMS[algorithm.toLowerCase()](data).toString('base64');
}
