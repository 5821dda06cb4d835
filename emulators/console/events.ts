/**
 * The page's one live channel: Server-Sent Events on `GET /api/events` (new traces, replay progress, stack changes).
 * SSE rather than a WebSocket: the data flows one way, the browser reconnects by itself (with `Last-Event-ID`), and
 * it is plain HTTP on the console's origin. A page that stops reading is dropped before its buffer grows.
 */
import type http from 'node:http';

const MAX_BUFFERED = 4 * 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;

export class EventHub {
  private readonly clients = new Set<http.ServerResponse>();
  private seq = 0;

  /** Told when the first page connects and when the last one leaves (the trace feed follows it). */
  constructor(private readonly onWatched: (watched: boolean) => void = () => {}) {}

  get size(): number {
    return this.clients.size;
  }

  publish(kind: string, data: unknown): void {
    if (!this.clients.size) return;
    const frame = `id: ${++this.seq}\nevent: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) res.destroy();
      else res.write(frame);
    }
  }

  /** Serves one subscriber until it goes away. */
  attach(res: http.ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    if (this.clients.size === 1) this.onWatched(true);
    const ping = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    ping.unref();
    res.on('close', () => {
      clearInterval(ping);
      if (this.clients.delete(res) && this.clients.size === 0) this.onWatched(false);
    });
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
