/**
 * A Server-Sent Events feed over a ring of numbered records (the proxy's traces, the gateway's refusals): what the
 * ring kept after `after` first, oldest first, then every new record until the client goes away. Each record is
 * one event whose `id` is its sequence number, so a client that reconnects with `Last-Event-ID` resumes where it
 * stopped (EventSource does this by itself). A `: keep-alive` comment every 15 s keeps idle proxies from closing
 * the stream; a subscriber that stops reading is dropped once 4 MiB wait in its socket's buffer.
 */
import type http from 'node:http';

/** What a ring offers a stream: the records kept after a sequence number, newest first, and new ones as they come. */
export interface SequencedFeed<T extends { seq: number }> {
  list(filter: { afterSeq: number }): T[];
  subscribe(listener: (record: T) => void): () => void;
}

const MAX_BUFFERED = 4 * 1024 * 1024;
const KEEP_ALIVE_MS = 15_000;

export function streamEvents<T extends { seq: number }>(req: http.IncomingMessage, res: http.ServerResponse, feed: SequencedFeed<T>, event: string, after: number | undefined): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write('retry: 2000\n\n');
  const send = (r: T) => {
    if (res.writableLength > MAX_BUFFERED) return void res.destroy();
    res.write(`id: ${r.seq}\nevent: ${event}\ndata: ${JSON.stringify(r)}\n\n`);
  };
  if (after !== undefined) for (const r of feed.list({ afterSeq: after }).reverse()) send(r);
  const stop = feed.subscribe(send);
  const ping = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  ping.unref();
  const end = () => {
    stop();
    clearInterval(ping);
  };
  req.on('close', end);
  res.on('close', end);
}
