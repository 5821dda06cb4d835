/**
 * The trace view's feed. The proxy keeps its own hop of every request (function, route, status, ms and each
 * upstream call, already redacted as the recorder redacts: emulators/stack/proxy-traces.ts) and streams new ones
 * over SSE at `<proxy>/__admin/traces/stream`. The console subscribes only while a page is open — a subscriber makes
 * the proxy render each record as it is kept, instead of when read — and resumes after the last record it saw (the
 * proxy's ring holds 1,000), so nothing is missed while nobody looks. It forwards each record to the page at once, then joins the other hops by trace id and span: the gateway's journal entry (JWT user or API key,
 * usage plan verdict, signing key) and, per upstream call, the fake's journal entry (its answer, and a near miss
 * with the closest route when no route took it) — and sends that as an update of the same row.
 */
import { EventHub } from './events.ts';
import type { StackClient } from './stack-client.ts';

/** A record as the proxy serves it (fields the console reads; the rest passes through to the page). */
export interface ProxyTrace {
  seq: number;
  traceId: string;
  spanId: string;
  parentId?: string;
  time: string;
  function: string;
  method: string;
  path: string;
  route: string | null;
  status: number;
  ms: number;
  upstream: { spanId?: string; upstream: string; method: string; path: string; status?: number; ms: number }[];
  [k: string]: unknown;
}

export interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  status?: number;
  durationMs?: number;
  traceId?: string;
  spanId?: string;
  nearMiss?: { reason: string; closest: { method: string; route: string; why: string }[] };
  hop?: Record<string, unknown>;
}

/** What the page shows per request: the proxy's record, the gateway's hop, the fakes' view of each call. */
export interface TraceRow extends ProxyTrace {
  /** The console's id for the row (the proxy's seq starts again when it restarts). */
  id: number;
  gateway?: { status?: number; ms?: number; hop?: Record<string, unknown> } | null;
  /** Per upstream call (same order): the fake's journal entry matched by span, when found. */
  seen?: ({ fake: string; status?: number; nearMiss?: JournalEntry['nearMiss'] } | null)[];
  /** Set when joining the other hops failed (a fake down): the message. */
  joinError?: string;
}

/** Which fake serves an upstream name of the proxy's outbound client. */
export function fakeOf(upstream: string): string | undefined {
  if (upstream.startsWith('aws')) return 'aws';
  if (upstream.startsWith('customerio')) return 'customerio';
  for (const f of ['mailgun', 'vault', 'extend', 'cloudfront']) if (upstream.startsWith(f)) return f;
  return undefined;
}

const KEEP = 500;

export class TraceFeed {
  private rows: TraceRow[] = [];
  private nextId = 1;
  private lastSeq: number | undefined;
  private aborter?: AbortController;
  private retryMs = 500;
  private stopped = true;
  private idle?: NodeJS.Timeout;
  /** Each subscription's loop ends when a newer one starts. */
  private generation = 0;
  /** Why the stream is not connected (shown on the page), or null while it is. */
  status: string | null = 'connecting to the proxy';

  constructor(private readonly fakes: StackClient, private readonly hub: EventHub) {}

  list(limit = 100): TraceRow[] {
    return this.rows.slice(0, limit);
  }

  get(id: number): TraceRow | undefined {
    return this.rows.find((r) => r.id === id);
  }

  /** A page is open (follow the proxy's stream) or none is (let go of it after a minute). */
  watch(watched: boolean): void {
    clearTimeout(this.idle);
    if (watched && this.stopped) {
      this.stopped = false;
      void this.connect(++this.generation);
    } else if (!watched) this.idle = setTimeout(() => this.stop(), 60_000).unref();
  }

  stop(): void {
    clearTimeout(this.idle);
    this.stopped = true;
    this.aborter?.abort();
    this.status = 'connecting to the proxy';
  }

  /** The proxy's health, request count and newest 5xx, for the stack view. */
  async proxyHealth(): Promise<{ health: { ok: boolean; error?: string }; requests: number | null; lastError: string | null }> {
    const lastError = this.rows.find((r) => r.status >= 500);
    const err = lastError ? `${lastError.time} ${lastError.method} ${lastError.path.slice(0, 120)} → ${lastError.status}` : null;
    try {
      const r = await this.fakes.call<{ traces?: ProxyTrace[] }>('proxy', '/__admin/traces?limit=1', { timeoutMs: 3000, accept: [404] });
      return { health: { ok: true }, requests: r.status === 200 ? r.body?.traces?.[0]?.seq ?? 0 : null, lastError: err };
    } catch (e) {
      return { health: { ok: false, error: (e as Error).message }, requests: null, lastError: err };
    }
  }

  /** Add a record (from the stream): published at once, its other hops joined after. */
  add(t: ProxyTrace): TraceRow {
    const row: TraceRow = { ...t, id: this.nextId++ };
    this.rows.unshift(row);
    if (this.rows.length > KEEP) this.rows.length = KEEP;
    this.hub.publish('trace', row);
    void this.join(row).then(() => this.hub.publish('trace-hops', { id: row.id, gateway: row.gateway, seen: row.seen, joinError: row.joinError }));
    return row;
  }

  /** The gateway's hop and each fake's entry for the calls, matched by trace id and span. */
  async join(row: TraceRow): Promise<void> {
    const journal = (service: string) => this.fakes.json<{ entries: JournalEntry[] }>(service, `/__admin/journal?trace=${row.traceId}`, { timeoutMs: 5000 }).then((j) => j.entries);
    const fakes = [...new Set(row.upstream.map((c) => fakeOf(c.upstream)).filter((f): f is string => Boolean(f)))];
    const [gateway, ...seenBy] = await Promise.allSettled([journal('gateway'), ...fakes.map(journal)]);
    const problems: string[] = [];
    if (gateway.status === 'fulfilled') {
      const mine = gateway.value.find((e) => e.hop && (e.hop as { spanId?: string }).spanId === row.parentId) ?? gateway.value[0];
      row.gateway = mine ? { status: mine.status, ms: mine.durationMs, hop: mine.hop } : null;
    } else problems.push((gateway.reason as Error).message);
    const bySpan = new Map<string, { fake: string; entry: JournalEntry }>();
    seenBy.forEach((r, i) => {
      if (r.status === 'rejected') return void problems.push((r.reason as Error).message);
      for (const entry of r.value) if (entry.spanId) bySpan.set(entry.spanId, { fake: fakes[i], entry });
    });
    row.seen = row.upstream.map((c) => {
      const hit = c.spanId ? bySpan.get(c.spanId) : undefined;
      return hit ? { fake: hit.fake, status: hit.entry.status, ...(hit.entry.nearMiss ? { nearMiss: hit.entry.nearMiss } : {}) } : null;
    });
    if (problems.length) row.joinError = problems.join('; ');
  }

  private async connect(generation: number): Promise<void> {
    while (!this.stopped && generation === this.generation) {
      this.aborter = new AbortController();
      try {
        // From the start of the proxy's ring the first time (a restarted console shows what it missed).
        const after = `?after=${this.lastSeq ?? 0}`;
        const res = await fetch(`${this.fakes.url('proxy')}/__admin/traces/stream${after}`, { signal: this.aborter.signal, headers: { accept: 'text/event-stream' } });
        if (res.status === 404) this.status = 'this proxy keeps no trace records (no /__admin/traces)';
        else if (!res.ok || !res.body) this.status = `the proxy's trace stream answered ${res.status}`;
        else {
          this.status = null;
          this.retryMs = 500;
          this.hub.publish('trace-status', { status: null });
          await this.read(res.body);
          this.status = 'the proxy closed the trace stream (restarting?)';
        }
      } catch (e) {
        if (this.stopped) return;
        this.status = `the proxy's trace stream is down: ${(e as Error).message}`;
      }
      this.hub.publish('trace-status', { status: this.status });
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
        if (event?.event !== 'trace') continue;
        try {
          const t = JSON.parse(event.data) as ProxyTrace;
          // A restarted proxy numbers from 1 again: resume after its own numbers from then on.
          this.lastSeq = t.seq;
          this.add(t);
        } catch {
          // a frame that is not a record: skipped
        }
      }
    }
  }
}

function parseFrame(frame: string): { event: string; data: string } | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const key = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (key === 'event') event = value;
    else if (key === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : undefined;
}
