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

/** Width and reflected polynomial of each CRC (all three start and end with every bit set, as zlib's CRC-32). */
const CRC_POLY: Record<string, { bits: number; poly: bigint }> = {
  crc32: { bits: 32, poly: 0xedb88320n },
  crc32c: { bits: 32, poly: 0x82f63b78n },
  crc64nvme: { bits: 64, poly: 0x9a6c9329ac4bc9b5n },
};

export const isCrc = (algorithm: string): boolean => Object.hasOwn(CRC_POLY, algorithm.toLowerCase());

function gf2Times(mat: bigint[], vec: bigint): bigint {
  let sum = 0n;
  for (let i = 0; vec; i++, vec >>= 1n) if (vec & 1n) sum ^= mat[i];
  return sum;
}

const gf2Square = (mat: bigint[]): bigint[] => mat.map((row) => gf2Times(mat, row));

/**
 * The CRC of A‖B from CRC(A), CRC(B) and B's length, as zlib's crc32_combine computes it (GF(2) matrices for
 * appending zero bits): how a FULL_OBJECT checksum of a multipart upload follows from its parts' checksums.
 */
function combine(algorithm: string, a: bigint, b: bigint, lengthB: number): bigint {
  if (lengthB === 0) return a;
  const { bits, poly } = CRC_POLY[algorithm];
  let odd: bigint[] = [poly];
  for (let n = 1; n < bits; n++) odd.push(1n << BigInt(n - 1));
  let even = gf2Square(odd); // two zero bits
  odd = gf2Square(even); // four zero bits
  let crc = a;
  for (let len = lengthB; len > 0;) {
    even = gf2Square(odd);
    if (len & 1) crc = gf2Times(even, crc);
    len = Math.floor(len / 2);
    if (len === 0) break;
    odd = gf2Square(even);
    if (len & 1) crc = gf2Times(odd, crc);
    len = Math.floor(len / 2);
  }
  return crc ^ b;
}

const toBig = (b64: string): bigint => BigInt(`0x${Buffer.from(b64, 'base64').toString('hex') || '0'}`);
const fromBig = (v: bigint, bits: number): string => Buffer.from(v.toString(16).padStart(bits / 4, '0'), 'hex').toString('base64');

/** FULL_OBJECT checksum of parts given their base64 CRCs and sizes, in order. */
export function combineCrcs(algorithm: string, parts: { value: string; size: number }[]): string {
  const alg = algorithm.toLowerCase();
  let crc = toBig(parts[0].value);
  for (const p of parts.slice(1)) crc = combine(alg, crc, toBig(p.value), p.size);
  return fromBig(crc, CRC_POLY[alg].bits);
}

/** COMPOSITE checksum: the checksum of the parts' checksums (raw bytes, concatenated), then "-<parts>". */
export function compositeChecksum(algorithm: string, parts: string[]): string {
  const raw = Buffer.concat(parts.map((p) => Buffer.from(p, 'base64')));
  return `${computeChecksum(algorithm, raw)}-${parts.length}`;
}
