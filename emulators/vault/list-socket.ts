/**
 * Plumbing for list-method.ts: each TCP connection is wrapped in a Duplex that feeds the HTTP server the rewritten
 * byte stream (Node's docs: any Duplex may be emitted as a server 'connection'), and replies go straight through.
 */
import { Duplex } from 'node:stream';
import type http from 'node:http';
import type net from 'node:net';
import { LIST_MARKER, ListRewriter } from './list-method.ts';

/** A socket-like Duplex that hands the HTTP server the rewritten stream and writes replies to the real socket. */
class RewrittenSocket extends Duplex {
  private readonly rewriter = new ListRewriter();

  constructor(private readonly socket: net.Socket) {
    super({ allowHalfOpen: true });
    socket.on('data', (chunk: Buffer) => {
      const out = this.rewriter.push(chunk);
      if (out.length && !this.push(out)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
    socket.on('timeout', () => this.emit('timeout'));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, encoding, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }

  // The parts of net.Socket the HTTP server and Express use.
  setTimeout(ms: number, cb?: () => void): this {
    this.socket.setTimeout(ms);
    if (cb) this.once('timeout', cb);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.socket.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.socket.setKeepAlive(enable, delay);
    return this;
  }
  ref(): this {
    this.socket.ref();
    return this;
  }
  unref(): this {
    this.socket.unref();
    return this;
  }
  address(): ReturnType<net.Socket['address']> {
    return this.socket.address();
  }
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }
  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }
  get localPort(): number | undefined {
    return this.socket.localPort;
  }
  get encrypted(): boolean {
    return false;
  }
}

/** Route every connection of `server` through the rewriter, so its handlers see LIST requests (method GET + marker). */
export function acceptListMethod(server: http.Server): void {
  const original = server.listeners('connection') as ((socket: Duplex) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: net.Socket) => {
    const wrapped = new RewrittenSocket(socket);
    for (const listener of original) listener.call(server, wrapped);
  });
}

/** Give a rewritten request its real method back (LIST, or another Node does not know) before anything looks at it. */
export function restoreListMethod(req: http.IncomingMessage): void {
  const original = req.headers[LIST_MARKER];
  if (typeof original === 'string' && original !== '') req.method = original;
  delete req.headers[LIST_MARKER];
}
