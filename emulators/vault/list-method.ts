/**
 * Vault clients send `LIST /v1/...` (node-vault's list(), the Go client, the CLI). Node's HTTP parser only knows a
 * fixed method table, so it answers LIST with a bare 400 before any handler runs. We therefore sit between the TCP
 * socket and the HTTP server: a small framing-aware scanner rewrites each request line whose method Node does not
 * know ("LIST ", or any other token on an API path, which Vault answers with 405) to "GET " and adds a marker
 * header naming the real method, then the HTTP server parses the rewritten stream as usual. The scanner follows HTTP/1.1 framing
 * (Content-Length and chunked bodies) so every request on a keep-alive or pipelined connection is seen at its start.
 * The socket plumbing that feeds it is in list-socket.ts.
 */

import http from 'node:http';

/** Header the rewriter adds to a rewritten request (and strips from anything a client sends). */
export const LIST_MARKER = 'x-gatehouse-original-method';

const KNOWN_METHODS = new Set(http.METHODS);
/** RFC 9110 token characters: anything else is left for the HTTP parser to refuse. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}$/;

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
/** Past this without a complete head we stop rewriting and let the HTTP server reject the request itself. */
const MAX_HEAD = 64 * 1024;

type Mode = 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'trailers' | 'passthrough';

/** Pure byte-stream rewriter: feed it what arrives, send on what it returns. */
export class ListRewriter {
  private pending: Buffer = Buffer.alloc(0);
  private mode: Mode = 'head';
  private remaining = 0;

  push(chunk: Buffer): Buffer {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.pending.length) {
      const before = this.pending.length;
      this.step(out);
      if (this.pending.length === before) break;
    }
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** Consume what the current mode can from `pending`; leaves it untouched when more bytes are needed. */
  private step(out: Buffer[]): void {
    switch (this.mode) {
      case 'passthrough':
        return this.emit(out, this.pending.length);
      case 'body':
      case 'chunk-data':
        return this.passBody(out);
      case 'head':
        return this.readHead(out);
      case 'chunk-size':
      case 'trailers':
        return this.readChunkLine(out);
    }
  }

  private emit(out: Buffer[], n: number, replacement?: Buffer): void {
    out.push(replacement ?? this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
  }

  private passBody(out: Buffer[]): void {
    const n = Math.min(this.remaining, this.pending.length);
    this.emit(out, n);
    this.remaining -= n;
    if (this.remaining === 0) this.mode = this.mode === 'body' ? 'head' : 'chunk-size';
  }

  private readHead(out: Buffer[]): void {
    // RFC 9112 §2.2: a server should ignore empty lines received before a request line.
    let skip = 0;
    while (this.pending.subarray(skip, skip + 2).equals(CRLF)) skip += 2;
    if (skip) return this.emit(out, skip);
    const end = this.pending.indexOf(HEAD_END);
    if (end < 0) {
      if (this.pending.length > MAX_HEAD) this.mode = 'passthrough';
      return;
    }
    const head = this.pending.subarray(0, end + 4).toString('latin1');
    const rewritten = this.rewriteHead(head);
    this.emit(out, end + 4, rewritten === null ? undefined : Buffer.from(rewritten, 'latin1'));
  }

  /** The rewritten head, or null to pass it unchanged; also decides how the body that follows is framed. */
  private rewriteHead(head: string): string | null {
    const lines = head.slice(0, -4).split('\r\n');
    const [method] = lines[0].split(' ', 1);
    const headers = lines.slice(1);
    const value = (name: string) => headers.find((h) => h.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    const te = value('transfer-encoding');
    const cl = value('content-length');
    if (te && /chunked\s*$/i.test(te)) this.mode = 'chunk-size';
    else if (cl !== undefined && /^\d+$/.test(cl) && Number(cl) > 0) (this.mode = 'body'), (this.remaining = Number(cl));
    else if (cl !== undefined && !/^\d+$/.test(cl)) this.mode = 'passthrough'; // let the HTTP server reject it
    const kept = headers.filter((h) => !h.toLowerCase().startsWith(`${LIST_MARKER}:`));
    // Other unknown methods only on the API (/v1/…), where Vault answers them 405; elsewhere Node's parser refuses them.
    const target = lines[0].split(' ')[1] ?? '';
    const foreign = !KNOWN_METHODS.has(method) && TOKEN.test(method) && (method === 'LIST' || target.startsWith('/v1/'));
    if (!foreign && kept.length === headers.length) return null;
    const requestLine = foreign ? `GET${lines[0].slice(method.length)}` : lines[0];
    const marker = foreign ? [`${LIST_MARKER}: ${method}`] : [];
    return [requestLine, ...kept, ...marker].join('\r\n') + '\r\n\r\n';
  }

  /** A chunk-size line ("1a;ext") or a trailer line; an empty trailer line ends the message. */
  private readChunkLine(out: Buffer[]): void {
    const eol = this.pending.indexOf(CRLF);
    if (eol < 0) {
      if (this.pending.length > MAX_HEAD) this.mode = 'passthrough';
      return;
    }
    const line = this.pending.subarray(0, eol).toString('latin1');
    this.emit(out, eol + 2);
    if (this.mode === 'trailers') {
      if (line === '') this.mode = 'head';
      return;
    }
    const size = Number.parseInt(line.split(';', 1)[0].trim(), 16);
    if (!Number.isInteger(size) || size < 0) this.mode = 'passthrough';
    else if (size === 0) this.mode = 'trailers';
    else (this.mode = 'chunk-data'), (this.remaining = size + 2); // the chunk and its CRLF
  }
}
