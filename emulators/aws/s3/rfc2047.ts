/**
 * Non-ASCII user metadata the way S3 handles it (UsingMetadata.html, "User-defined object metadata"): values sent
 * as RFC 2047 encoded-words are decoded before storing, and a stored value with anything but US-ASCII text is
 * returned RFC 2047-encoded. Raw bytes are taken one character per byte (ISO-8859-1), as S3 does: a client sending
 * UTF-8 bytes gets them back re-encoded from that reading (minio/minio#21282: AWS answered `=?UTF-8?B?w4PCtg==?=`
 * for a raw "ö" and `=?UTF-8?Q?Mini=C3=83=C2=B6?=` for a raw "Miniö").
 *
 * How a value is encoded follows S3's recorded answers (LocalStack's test_user_metadata_rfc2047_encoded,
 * test_put_unicode_metadata_with_sig_s3 and test_post_object_with_unicode_metadata, validated against S3 on
 * 2026-02-21), which are JavaMail's MimeUtility.encodeText: "Q" when ASCII characters outnumber the others
 * (`ÄMÄZÕÑ S3` → `=?UTF-8?Q?=C3=84M=C3=84Z=C3=95=C3=91_S3?=`, with `_`, `=` and `?` escaped and a space as `_`),
 * "B" otherwise (`\x00\x01\x02\x03` → `=?UTF-8?B?AAECAw==?=`); tab, CR and LF count as ASCII. Like JavaMail, a word
 * whose encoded text would pass 63 characters is split in halves, the words joined by a space (derived from JavaMail;
 * no capture of a long value exists).
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

const PRINTABLE_ASCII = /^[\x20-\x7e\t]*$/;
/** JavaMail's encoded-word budget: 75 characters less `=?`, `?Q?`, `?=` and the charset name. */
const WORD_TEXT = 68 - 'UTF-8'.length;

/** Characters JavaMail counts as not ASCII: DEL and above, and controls other than CR, LF and tab. */
const nonAscii = (c: number) => c >= 0x7f || (c < 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09);

export function encodeForHeader(value: string): string {
  if (PRINTABLE_ASCII.test(value)) return value;
  let others = 0;
  for (let i = 0; i < value.length; i++) if (nonAscii(value.charCodeAt(i))) others++;
  if (others === 0) return value;
  const q = value.length - others > others;
  const words: string[] = [];
  encodeWords(value, q, words);
  return words.join(' ');
}

/** "Q" text: a space as `_`, `=`, `_`, `?` and anything outside printable ASCII as `=XX`. */
function qText(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x20) out += '_';
    else if (b < 0x20 || b >= 0x7f || b === 0x3d || b === 0x5f || b === 0x3f) out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return out;
}

function encodeWords(s: string, q: boolean, out: string[]): void {
  const bytes = Buffer.from(s, 'utf8');
  const text = q ? qText(bytes) : bytes.toString('base64');
  if (text.length > WORD_TEXT && s.length > 1) {
    let split = Math.floor(s.length / 2);
    const high = s.charCodeAt(split - 1);
    if (high >= 0xd800 && high <= 0xdbff) split--;
    if (split > 0) encodeWords(s.slice(0, split), q, out);
    encodeWords(s.slice(split), q, out);
    return;
  }
  out.push(`=?UTF-8?${q ? 'Q' : 'B'}?${text}?=`);
}
