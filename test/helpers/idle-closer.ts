/**
 * An upstream that closes its idle kept-alive connections when told to, synchronously — what a server's
 * keepAliveTimeout does when it fires. Called in the same turn of the event loop as a client reuses one of those
 * connections, it reproduces the close race exactly: the FIN is in the client's kernel, unread by its event loop,
 * when the client writes. It can also read the next request and then drop its connection without answering (a
 * crash or an injected fault), the case a client must not send again.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { method: string; url: string; body: string }

export interface IdleCloser {
  url: string;
  port: number;
  received: Received[];
  /** Destroy every connection that has no request in progress; returns how many were closed. */
  closeIdle(): number;
  /** Read the next request in full, then destroy its connection without an answer. */
  dropNext(): void;
  close(): Promise<void>;
}

export async function idleCloser(): Promise<IdleCloser> {
  const idle = new Set<import('node:net').Socket>();
  const received: Received[] = [];
  let drop = false;
  const server = http.createServer((req, res) => {
    idle.delete(req.socket);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString('utf8') });
      if (drop) {
        drop = false;
        return void req.socket.destroy();
      }
      const body = JSON.stringify({ n: received.length });
      res.on('finish', () => idle.add(req.socket));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  server.on('connection', (s) => s.on('close', () => idle.delete(s)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    closeIdle() {
      const n = idle.size;
      for (const s of idle) s.destroy();
      idle.clear();
      return n;
    },
    dropNext() {
      drop = true;
    },
    close: () => new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    }),
  };
}
