/**
 * Non-ASCII user metadata the way S3 handles it (UsingMetadata.html, "User-defined object metadata"): values sent
 * as RFC 2047 encoded-words are decoded before storing, and a stored value with anything but printable US-ASCII is
 * returned as one UTF-8 "B" encoded-word. Raw bytes are taken one character per byte (ISO-8859-1), as S3 does: a
 * client sending UTF-8 bytes gets them back re-encoded from that reading (minio/minio#21282 shows AWS answering
 * `=?UTF-8?B?w4PCtg==?=` for a raw "ö").
 */

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
/** Whitespace between two adjacent encoded-words is not part of the text (RFC 2047 section 6.2). */
const BETWEEN_WORDS = /(\?=)[ \t]+(?==\?[^?\s]+\?[BbQq]\?)/g;

export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(BETWEEN_WORDS, '$1').replace(WORD, (word, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    const cs = charset.toLowerCase().split('*')[0];
    if (cs === 'utf-8' || cs === 'utf8') return bytes.toString('utf8');
    if (cs === 'iso-8859-1' || cs === 'latin1' || cs === 'us-ascii') return bytes.toString('latin1');
    return word; // a charset we cannot decode stays as sent
  });
}

/** "Q" encoding: `_` is a space, `=XX` a byte, anything else itself. */
function decodeQ(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function encodeForHeader(value: string): string {
  return PRINTABLE_ASCII.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
