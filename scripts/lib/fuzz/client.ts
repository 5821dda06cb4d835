/**
 * A raw HTTP/1.1 client for hostile requests: it writes exactly the bytes it is given (no client library would
 * send a duplicate Content-Length or a bare CR in a header), can hang up part-way, and reads whatever comes back —
 * a complete answer (Content-Length, chunked, or up to the close), a partial one, or none.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface Endpoint {
  host: string;
  port: number;
  /** Speak TLS (certificates are not checked: the fuzzer attacks the server, it does not trust it). */
  tls?: boolean;
}

export interface RawRequest {
  bytes: Buffer;
  /** Close the connection after writing this many bytes, without reading an answer: a client hanging up mid-body. */
  hangUpAfter?: number;
  /** The answer carries no body (a HEAD request). */
  noBody?: boolean;
  /** Half-close after writing (the request promised more bytes than it sends: end of stream instead of a wait). */
  halfClose?: boolean;
}

export type Outcome =
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: Buffer; ms: number; /** false when the connection closed mid-answer */ complete: boolean }
  | { kind: 'none'; reason: 'closed' | 'timeout' | 'reset' | 'hung-up' | 'refused'; ms: number };

const HEAD_END = Buffer.from('\r\n\r\n');
const sessions = new Map<string, Buffer>();

export function exchange(to: Endpoint, req: RawRequest, timeoutMs = 15_000): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let received = 0;
    const key = `${to.host}:${to.port}`;
    const socket: net.Socket = to.tls
      ? tls.connect({ host: to.host, port: to.port, rejectUnauthorized: false, servername: net.isIP(to.host) ? undefined : to.host, session: sessions.get(key) })
      : net.connect(to.port, to.host);
    // Resume TLS sessions: a full handshake per request would measure the handshake, not the server.
    if (to.tls) socket.on('session', (s: Buffer) => sessions.set(key, s));
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const ms = () => performance.now() - started;
    const parsed = () => parseResponse(Buffer.concat(chunks, received), req.noBody === true);
    const timer = setTimeout(() => {
      const p = parsed();
      finish(p ? { ...p, complete: false, ms: ms() } : { kind: 'none', reason: 'timeout', ms: ms() });
    }, timeoutMs);

    socket.once(to.tls ? 'secureConnect' : 'connect', () => {
      if (req.hangUpAfter === undefined) return void (req.halfClose ? socket.end(req.bytes) : socket.write(req.bytes));
      socket.write(req.bytes.subarray(0, req.hangUpAfter), () => {
        // Give the server a moment to start on the partial request, then vanish.
        setTimeout(() => finish({ kind: 'none', reason: 'hung-up', ms: ms() }), 5);
      });
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      received += d.length;
      const p = parsed();
      if (p?.complete) finish({ ...p, ms: ms() });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      const p = parsed();
      if (p) return finish({ ...p, complete: p.complete, ms: ms() });
      finish({ kind: 'none', reason: e.code === 'ECONNREFUSED' ? 'refused' : 'reset', ms: ms() });
    });
    socket.on('close', () => {
      const p = parsed();
      // Without a length, an answer ends at the close.
      if (p) return finish({ ...p, complete: p.complete || p.untilClose, ms: ms() });
      finish({ kind: 'none', reason: 'closed', ms: ms() });
    });
  });
}

interface Parsed {
  kind: 'answer';
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  complete: boolean;
  untilClose: boolean;
}

/** The final (non-1xx) response in `buf`, as far as it has arrived; undefined before its head is complete. */
export function parseResponse(buf: Buffer, noBody: boolean): Parsed | undefined {
  let at = 0;
  for (;;) {
    const end = buf.indexOf(HEAD_END, at);
    if (end < 0) return undefined;
    const lines = buf.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1]);
    if (!status) return undefined;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon < 1) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const bodyStart = end + 4;
    if (status < 200) {
      at = bodyStart; // 100 Continue and friends: the real answer follows
      continue;
    }
    const rest = buf.subarray(bodyStart);
    if (noBody || status === 204 || status === 304) return { kind: 'answer', status, headers, body: Buffer.alloc(0), complete: true, untilClose: false };
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) {
      const d = dechunk(rest);
      return { kind: 'answer', status, headers, body: d.body, complete: d.complete, untilClose: false };
    }
    if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      return { kind: 'answer', status, headers, body: rest.subarray(0, n), complete: rest.length >= n, untilClose: false };
    }
    return { kind: 'answer', status, headers, body: rest, complete: false, untilClose: true };
  }
}

function dechunk(buf: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return { body: Buffer.concat(parts), complete: false };
    const size = parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat(parts), complete: false };
    if (size === 0) return { body: Buffer.concat(parts), complete: true };
    if (buf.length < eol + 2 + size + 2) return { body: Buffer.concat(parts), complete: false };
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}
