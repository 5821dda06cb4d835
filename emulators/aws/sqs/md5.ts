/**
 * The digests SQS returns and SDKs verify. MD5OfMessageAttributes follows the algorithm in the SQS Developer
 * Guide ("Calculating the MD5 message digest for message attributes"): for each attribute, sorted by name,
 * append name length (4 bytes, big-endian) + name, data-type length + data type, one transport byte
 * (1 = String/Number, 2 = Binary), value length + value; MD5 the concatenation.
 */
import { createHash } from 'node:crypto';

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Raw bytes (the wire carries them base64). */
  BinaryValue?: Buffer;
}

export const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

export function md5OfMessageAttributes(attrs: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const withLength = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  // Sorting is by name in UTF-8 byte order, which JS string order matches for the allowed name characters.
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    withLength(Buffer.from(name, 'utf8'));
    withLength(Buffer.from(a.DataType, 'utf8'));
    const binary = a.BinaryValue !== undefined;
    parts.push(Buffer.from([binary ? 2 : 1]));
    withLength(binary ? a.BinaryValue! : Buffer.from(a.StringValue ?? '', 'utf8'));
  }
  return md5Hex(Buffer.concat(parts));
}
