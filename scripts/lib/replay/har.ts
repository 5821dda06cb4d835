/**
 * HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) as Charles, Proxyman, mitmproxy and Chrome DevTools
 * export it, parsed once into typed entries. The tools differ: Chrome keeps HTTP/2 pseudo-headers (":authority"),
 * binary and some text bodies come base64 (`content.encoding: "base64"`), form and multipart uploads may be given
 * only as `postData.params`, Charles may keep a body still compressed next to its Content-Encoding header, and
 * optional fields (cookies, queryString, timings, headersSize, startedDateTime, content.text) are often missing.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface HarNameValue { name: string; value?: string; fileName?: string; contentType?: string }
export interface HarContent { size?: number; mimeType?: string; text?: string; encoding?: string; compression?: number }
export interface HarRequest {
  method: string; url: string; httpVersion?: string; headers?: HarNameValue[]; queryString?: HarNameValue[];
  cookies?: HarNameValue[]; postData?: { mimeType?: string; text?: string; encoding?: string; params?: HarNameValue[] };
  headersSize?: number; bodySize?: number;
}
export interface HarResponse {
  status: number; statusText?: string; httpVersion?: string; headers?: HarNameValue[]; cookies?: HarNameValue[];
  content?: HarContent; redirectURL?: string; headersSize?: number; bodySize?: number;
}
export interface HarEntry {
  startedDateTime?: string; time?: number; request: HarRequest; response: HarResponse;
  timings?: Record<string, number>; comment?: string; [extra: `_${string}`]: unknown;
}
export interface Har { log: { version?: string; creator?: { name: string; version?: string }; entries: HarEntry[] } }

/** One entry, ready to replay and compare. */
export interface ReplayEntry {
  index: number;
  method: string;
  url: URL;
  /** Lower-cased names, pseudo-headers dropped, repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  expected: { status: number; headers: Record<string, string>; body: Buffer };
  startedAt: number;
  /** Who sent it, when the recorder knew (`_identity`, usually a placeholder): replay re-mints credentials for it. */
  identity?: string;
}

export class HarError extends Error {}

/** Parse HAR text; every problem names the file and, for entries, the entry's index, method and URL. */
export function parseHar(text: string, source = 'HAR'): ReplayEntry[] {
  let doc: Partial<Har>;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new HarError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const entries = doc?.log?.entries;
  if (!Array.isArray(entries)) throw new HarError(`${source} is not a HAR file: log.entries is missing`);
  return entries.map((e, i) => toReplayEntry(e, i, source));
}

function toReplayEntry(e: HarEntry, index: number, source: string): ReplayEntry {
  const label = `${source} entry ${index}${e?.request?.method ? ` (${e.request.method} ${String(e.request.url ?? '?').slice(0, 120)})` : ''}`;
  const fail = (what: string): never => { throw new HarError(`${label}: ${what}`); };
  if (!e || typeof e !== 'object') fail('is not an object');
  if (!e.request || typeof e.request !== 'object') fail('request is missing');
  if (!e.response || typeof e.response !== 'object') fail('response is missing');
  const req = e.request;
  const headers = headerMap(req.headers, () => fail('request.headers must be a list of {name, value}'));
  const method = typeof req.method === 'string' && /^[A-Za-z]+$/.test(req.method) ? req.method.toUpperCase() : headers[':method'] ?? fail('request.method is missing or invalid');
  let url: URL;
  try {
    url = new URL(req.url ?? fail('request.url is missing'));
  } catch (err) {
    if (err instanceof HarError) throw err;
    // Some exporters write only the path; the authority then comes from ":authority" or Host.
    const host = headers[':authority'] ?? headers.host;
    if (!host || typeof req.url !== 'string' || !req.url.startsWith('/')) fail(`request.url "${req.url}" is not a URL`);
    url = new URL(`${headers[':scheme'] ?? 'https'}://${host}${req.url}`);
  }
  const status = Number(e.response.status);
  if (!Number.isInteger(status) || status < 0 || status > 999) fail('response.status is missing or not a number');
  const resHeaders = headerMap(e.response.headers, () => fail('response.headers must be a list of {name, value}'));
  let body: Buffer;
  let resBody: Buffer;
  try {
    body = requestBody(req, headers);
    resBody = responseBody(e.response.content, resHeaders);
  } catch (err) {
    return fail((err as Error).message);
  }
  const started = e.startedDateTime ? Date.parse(e.startedDateTime) : NaN;
  return {
    index, method, url,
    headers: withoutPseudo(headers),
    body,
    expected: { status, headers: withoutPseudo(resHeaders), body: resBody },
    startedAt: Number.isFinite(started) ? started : index,
    ...(typeof e._identity === 'string' && e._identity ? { identity: e._identity } : {}),
  };
}

function headerMap(list: HarNameValue[] | undefined, bad: () => never): Record<string, string> {
  const out: Record<string, string> = {};
  if (list === undefined) return out;
  if (!Array.isArray(list)) bad();
  for (const h of list) {
    if (!h || typeof h.name !== 'string') bad();
    const k = h.name.toLowerCase();
    const v = String(h.value ?? '');
    out[k] = out[k] === undefined ? v : `${out[k]}${k === 'cookie' ? '; ' : ', '}${v}`;
  }
  return out;
}

/** HTTP/2 pseudo-headers (":authority", ":path" …) are not headers a client may send over HTTP/1.1. */
const withoutPseudo = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => !k.startsWith(':')));

function requestBody(req: HarRequest, headers: Record<string, string>): Buffer {
  const pd = req.postData;
  if (!pd) return Buffer.alloc(0);
  if (typeof pd.text === 'string' && (pd.text.length > 0 || !pd.params?.length)) {
    return pd.encoding === 'base64' ? Buffer.from(pd.text, 'base64') : Buffer.from(pd.text, 'utf8');
  }
  if (!Array.isArray(pd.params)) return Buffer.alloc(0);
  const mime = pd.mimeType ?? headers['content-type'] ?? '';
  if (/multipart\/form-data/i.test(mime)) return multipartBody(pd.params, mime);
  return Buffer.from(new URLSearchParams(pd.params.map((p): [string, string] => [p.name, p.value ?? ''])).toString());
}

/** Rebuild a multipart body from params (Chrome and Charles drop the raw text of uploads). */
function multipartBody(params: HarNameValue[], mime: string): Buffer {
  const boundary = /boundary="?([^";]+)"?/i.exec(mime)?.[1];
  if (!boundary) throw new Error('postData is multipart without a boundary in its mimeType');
  const parts = params.map((p) => {
    const disp = `form-data; name="${p.name}"${p.fileName !== undefined ? `; filename="${p.fileName}"` : ''}`;
    const type = p.contentType ? `\r\nContent-Type: ${p.contentType}` : '';
    return `--${boundary}\r\nContent-Disposition: ${disp}${type}\r\n\r\n${p.value ?? ''}\r\n`;
  });
  return Buffer.from(parts.join('') + `--${boundary}--\r\n`);
}

/**
 * The most a decoded body may hold. A HAR is untrusted input: 4 KB of brotli in a response's base64 text decoded to
 * 2 GiB, and the console, which keeps its last runs, held 4.3 GB after one upload of it.
 */
export const MAX_DECODED_BYTES = 64 * 1024 * 1024;
const bounded = { maxOutputLength: MAX_DECODED_BYTES };

/** Content-Encoding → decoder (also used by the recorder, which stores decoded bodies as HAR 1.2 asks). */
export const DECODERS: Record<string, (b: Buffer) => Buffer> = {
  gzip: (b) => gunzipSync(b, bounded), 'x-gzip': (b) => gunzipSync(b, bounded), br: (b) => brotliDecompressSync(b, bounded), deflate: (b) => inflateSync(b, bounded),
};

/** The decoded body; a body still compressed (Charles, some Proxyman exports) is decompressed by its header. */
function responseBody(content: HarContent | undefined, headers: Record<string, string>): Buffer {
  if (!content || typeof content.text !== 'string') return Buffer.alloc(0);
  const raw = content.encoding === 'base64' ? Buffer.from(content.text, 'base64') : Buffer.from(content.text, 'utf8');
  const coding = (headers['content-encoding'] ?? '').trim().toLowerCase();
  const decode = DECODERS[coding];
  if (!decode) return raw;
  const looksCompressed = coding.includes('gzip') ? raw[0] === 0x1f && raw[1] === 0x8b : content.encoding === 'base64';
  if (!looksCompressed) return raw;
  try {
    return decode(raw);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`response body decompresses to more than ${MAX_DECODED_BYTES} bytes`);
    // Most exporters store the decoded text next to the original header: keep it as it is.
    return raw;
  }
}
