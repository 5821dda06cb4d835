/**
 * Follows one service's Server-Sent Events stream for the console (the proxy's trace records, the gateway's
 * refusals): connects when started, hands each event's data on, and after any break reconnects (backoff up to 5 s)
 * asking for what came after the last id it saw — from the start of the service's ring the first time, so a
 * restarted console shows what it missed. Its `status` says why it is not connected (shown on the page), or null.
 */

export interface FollowOptions {
  /** `the proxy's trace stream`: how messages name it. */
  name: string;
  /** The stream's URL, without the `after` query. */
  url: () => string;
  /** The event type to hand on; others (comments, keep-alives) are skipped. */
  event: string;
  onData: (data: unknown) => void;
  onStatus: (status: string | null) => void;
  /** The status when the service answers 404 (it keeps no such stream). */
  missing: string;
  connecting: string;
}

export class StreamFollower {
  private lastId: string | undefined;
  private aborter?: AbortController;
  private retryMs = 500;
  private stopped = true;
  /** Each subscription's loop ends when a newer one starts. */
  private generation = 0;
  status: string | null;

  constructor(private readonly opts: FollowOptions) {
    this.status = opts.connecting;
  }

  get following(): boolean {
    return !this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect(++this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.aborter?.abort();
    this.status = this.opts.connecting;
  }

  private async connect(generation: number): Promise<void> {
    const { name } = this.opts;
    while (!this.stopped && generation === this.generation) {
      this.aborter = new AbortController();
      try {
        const res = await fetch(`${this.opts.url()}?after=${encodeURIComponent(this.lastId ?? '0')}`, { signal: this.aborter.signal, headers: { accept: 'text/event-stream' } });
        if (res.status === 404) this.status = this.opts.missing;
        else if (!res.ok || !res.body) this.status = `${name} answered ${res.status}`;
        else {
          this.status = null;
          this.retryMs = 500;
          this.opts.onStatus(null);
          await this.read(res.body);
          this.status = `${name} closed (restarting?)`;
        }
      } catch (e) {
        if (this.stopped) return;
        this.status = `${name} is down: ${(e as Error).message}`;
      }
      this.opts.onStatus(this.status);
      await new Promise((r) => setTimeout(r, this.retryMs).unref());
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    }
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = parseFrame(frame);
        if (event?.event !== this.opts.event) continue;
        try {
          const data: unknown = JSON.parse(event.data);
          // A restarted service numbers from 1 again: resume after its own numbers from then on.
          if (event.id !== undefined) this.lastId = event.id;
          this.opts.onData(data);
        } catch {
          // a frame that is not a record: skipped
        }
      }
    }
  }
}

function parseFrame(frame: string): { event: string; data: string; id?: string } | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const key = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (key === 'event') event = value;
    else if (key === 'data') data.push(value);
    else if (key === 'id') id = value;
  }
  return data.length ? { event, data: data.join('\n'), id } : undefined;
}
