/**
 * The trace view's feed. The proxy keeps its own hop of every request (function, route, status, ms and each
 * upstream call, already redacted as the recorder redacts: emulators/stack/proxy-traces.ts) and streams new ones
 * over SSE at `<proxy>/__admin/traces/stream`. The console subscribes only while a page is open — a subscriber makes
 * the proxy render each record as it is kept, instead of when read — and resumes after the last record it saw (the
 * proxy's ring holds 1,000), so nothing is missed while nobody looks. It forwards each record to the page at once, then joins the other hops by trace id and span: the gateway's journal entry (JWT user or API key,
 * usage plan verdict, signing key) and, per upstream call, the fake's journal entry (its answer, and a near miss
 * with the closest route when no route took it) — and sends that as an update of the same row.
 *
 * A request the gateway answered itself (a JWT, API key or usage plan refused it, or the proxy did not answer) never
 * reaches the proxy: the gateway streams those at `<gateway>/__admin/refusals/stream` (emulators/gateway/refusals.ts),
 * followed the same way, and each becomes a row of its own with the gateway's hop only, marked as stopped there.
 * Rows are kept newest first by the time the request arrived, whichever stream brought them.
 */
import type { EventHub } from './events.ts';
import { StreamFollower } from './sse-follow.ts';
// What `<gateway>/__admin/refusals/stream` sends (already redacted).
import type { GatewayRefusal } from '../gateway/refusals.ts';
import type { StackClient } from './stack-client.ts';

/** A record as the proxy serves it: the proxy's own type (a type-only import; the console reads it over HTTP). */
export type { ProxyTrace } from '../stack/proxy-traces.ts';
import type { ProxyTrace } from '../stack/proxy-traces.ts';

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

/** A row for a request that stopped at the gateway: no proxy hop, no upstream calls. */
export interface RefusedRow {
  id: number;
  stoppedAt: 'gateway';
  time: string;
  traceId?: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  upstream: [];
  gateway: {
    status: number;
    ms: number;
    hop?: GatewayRefusal['hop'];
    refusedBy: GatewayRefusal['refusedBy'];
    reason: string;
    /** As the page's message view shows one: headers, and the body as redacted text. */
    request: { headers: Record<string, string>; query: string; body: { bytes: number } };
    response: { headers: Record<string, string>; body: { bytes: number; text?: string } };
  };
}

export type Row = TraceRow | RefusedRow;

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
  private rows: Row[] = [];
  private nextId = 1;
  private idle?: NodeJS.Timeout;
  private readonly proxy: StreamFollower;
  private readonly gateway: StreamFollower;

  constructor(private readonly fakes: StackClient, private readonly hub: EventHub) {
    const onStatus = () => this.hub.publish('trace-status', { status: this.status });
    this.proxy = new StreamFollower({
      name: "the proxy's trace stream", connecting: 'connecting to the proxy', missing: 'this proxy keeps no trace records (no /__admin/traces)',
      url: () => `${this.fakes.url('proxy')}/__admin/traces/stream`, event: 'trace', onData: (t) => this.add(t as ProxyTrace), onStatus,
    });
    this.gateway = new StreamFollower({
      name: "the gateway's refusal stream", connecting: 'connecting to the gateway', missing: 'this gateway streams no refusals (no /__admin/refusals): requests it refused are not shown',
      url: () => `${this.fakes.url('gateway')}/__admin/refusals/stream`, event: 'refusal', onData: (r) => this.addRefusal(r as GatewayRefusal), onStatus,
    });
  }

  /** Why the streams are not connected (shown on the page), or null while both are. */
  get status(): string | null {
    const problems = [this.proxy.status, this.gateway.status].filter((s): s is string => Boolean(s));
    return problems.length ? problems.join('; ') : null;
  }

  list(limit = 100): Row[] {
    return this.rows.slice(0, limit);
  }

  get(id: number): Row | undefined {
    return this.rows.find((r) => r.id === id);
  }

  /** A page is open (follow the streams) or none is (let go of them after a minute). */
  watch(watched: boolean): void {
    clearTimeout(this.idle);
    if (watched) {
      this.proxy.start();
      this.gateway.start();
    } else this.idle = setTimeout(() => this.stop(), 60_000).unref();
  }

  stop(): void {
    clearTimeout(this.idle);
    this.proxy.stop();
    this.gateway.stop();
  }

  /** The proxy's health, request count and newest 5xx, for the stack view. */
  async proxyHealth(): Promise<{ health: { ok: boolean; error?: string }; requests: number | null; lastError: string | null }> {
    const lastError = this.rows.find((r) => !isRefused(r) && r.status >= 500);
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
    this.insert(row);
    void this.join(row).then(() => this.hub.publish('trace-hops', { id: row.id, gateway: row.gateway, seen: row.seen, joinError: row.joinError }));
    return row;
  }

  /** Add a request the gateway answered itself; undefined when the proxy has it after all (it is that row). */
  addRefusal(r: GatewayRefusal): RefusedRow | undefined {
    if (r.spanId && this.rows.some((x) => !isRefused(x) && x.parentId === r.spanId)) return undefined;
    const row: RefusedRow = {
      id: this.nextId++, stoppedAt: 'gateway', time: r.time, ...(r.traceId ? { traceId: r.traceId } : {}),
      method: r.method, path: r.path + (r.query ? `?${r.query}` : ''), status: r.status, ms: r.ms, upstream: [],
      gateway: {
        status: r.status, ms: r.ms, ...(r.hop ? { hop: r.hop } : {}), refusedBy: r.refusedBy, reason: r.reason,
        request: { headers: r.request.headers, query: r.query, body: { bytes: 0 } },
        response: { headers: r.response.headers, body: { bytes: Buffer.byteLength(r.response.body), ...(r.response.body ? { text: r.response.body } : {}) } },
      },
    };
    this.insert(row);
    return row;
  }

  /** Newest first by arrival time: a row that arrives late (a slow request, a stream that reconnected) takes its place. */
  private insert(row: Row): void {
    let at = 0;
    while (at < this.rows.length && this.rows[at].time > row.time) at++;
    this.rows.splice(at, 0, row);
    if (this.rows.length > KEEP) this.rows.length = KEEP;
    this.hub.publish('trace', row);
  }

  /** The gateway's hop and each fake's entry for the calls, matched by trace id and span. */
  async join(row: Row): Promise<void> {
    // A refusal came with the gateway's hop and has no other.
    if (isRefused(row)) return;
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
}

export const isRefused = (r: Row): r is RefusedRow => (r as RefusedRow).stoppedAt === 'gateway';
