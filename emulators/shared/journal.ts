/**
 * The request journal every emulator keeps: what arrived, what was answered. Credentials are masked. Each entry
 * carries the W3C trace id of the request (from a valid `traceparent`; the gateway, which starts traces, sets its
 * own), so one id finds a request at every hop: `GET /__admin/journal?trace=<id>`.
 */
import { parseTraceparent } from '../../proxy/core/trace-context.ts';

export interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  status?: number;
  fault?: string;
  durationMs?: number;
  /** The trace this request belongs to (32 hex), when it carried a valid traceparent. */
  traceId?: string;
  /** The caller's span (the traceparent's parent-id): the upstream call of the proxy's trace record that this was. */
  spanId?: string;
  /** Set when no route of the fake took the request: the closest routes it has (near-miss.ts). */
  nearMiss?: NearMiss;
  /** What a hop adds about its own work (the gateway: identity, usage plan, signature). */
  hop?: object;
}

/** A request the fake could not route, and the routes it has that come closest. */
export interface NearMiss {
  /** Why the request fell through (`no route`, `unknown operation`, …). */
  reason: string;
  closest: { method: string; route: string; why: string }[];
}

export interface JournalFilter {
  method?: string;
  pathPrefix?: string;
  trace?: string;
  /** Only entries no route took. */
  nearMiss?: boolean;
}

const MASKED = new Set(['authorization', 'x-vault-token', 'x-api-key', 'cookie', 'token']);

/** How much of a body an entry keeps: enough to read a request, never a 10 MB upload 5,000 times over. */
export const JOURNAL_BODY_CHARS = 64 * 1024;

/**
 * A body as an entry keeps it: at most JOURNAL_BODY_CHARS, in a string of its own. `big.slice(0, n)` is not
 * enough: V8 answers a slice of a long string with a view that keeps the whole parent alive, so 5,000 entries
 * each holding "64 KiB" of a 10 MB body held 50 GB in principle and stopped the fake Customer.io at its heap limit
 * (SIGABRT) under `npm run fuzz`. Decoding only the bytes kept (or copying the slice through a Buffer) makes a
 * flat string of the kept size.
 */
export function journalBody(body: Buffer | string): string {
  if (typeof body !== 'string') return body.subarray(0, JOURNAL_BODY_CHARS).toString('utf8');
  return body.length <= JOURNAL_BODY_CHARS ? body : Buffer.from(body.slice(0, JOURNAL_BODY_CHARS), 'utf8').toString('utf8');
}

/** A ring of the last `limit` entries: recording is O(1) however full it is (an array shift per request was not). */
export class Journal {
  private ring: JournalEntry[] = [];
  private start = 0;
  private seq = 0;
  /** `seq` when the journal was last cleared: requests since then are `seq - clearedAt`. */
  private clearedAt = 0;
  constructor(private readonly limit = 5000) {}

  record(e: Omit<JournalEntry, 'seq' | 'time' | 'headers' | 'body'> & { headers: Record<string, string | string[] | undefined>; body: string | Buffer }): JournalEntry {
    const headers: Record<string, string> = {};
    for (const k in e.headers) {
      const v = e.headers[k];
      if (v === undefined) continue;
      const s = Array.isArray(v) ? v.join(', ') : v;
      headers[k] = MASKED.has(k.toLowerCase()) ? mask(s) : s;
    }
    const entry: JournalEntry = { ...e, headers, body: journalBody(e.body), seq: ++this.seq, time: new Date().toISOString() };
    const parent = parseTraceparent(headers.traceparent);
    if (parent) {
      entry.traceId = parent.traceId;
      entry.spanId = parent.parentId;
    }
    if (this.ring.length < this.limit) this.ring.push(entry);
    else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.limit;
    }
    return entry;
  }

  list(filter: JournalFilter = {}): JournalEntry[] {
    const inOrder = this.start === 0 ? this.ring : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    const trace = filter.trace?.toLowerCase();
    return inOrder.filter((e) => (!filter.method || e.method === filter.method.toUpperCase()) && (!filter.pathPrefix || e.path.startsWith(filter.pathPrefix))
      && (!trace || e.traceId === trace) && (!filter.nearMiss || e.nearMiss !== undefined));
  }

  clear(): void {
    this.ring = [];
    this.start = 0;
    this.clearedAt = this.seq;
  }

  /** Requests since the last clear, and the newest one answered 5xx or hit by a fault (the console's stack view). */
  stats(): { requests: number; lastError: Pick<JournalEntry, 'time' | 'method' | 'path' | 'status' | 'fault'> | null } {
    for (let i = this.ring.length - 1; i >= 0; i--) {
      const e = this.ring[(this.start + i) % this.ring.length];
      if ((e.status ?? 0) >= 500 || e.fault) return { requests: this.seq - this.clearedAt, lastError: { time: e.time, method: e.method, path: e.path, status: e.status, fault: e.fault } };
    }
    return { requests: this.seq - this.clearedAt, lastError: null };
  }
}

/** Keep the scheme ("Basic", "Bearer") so tests can see which auth was used, never the credential. */
function mask(v: string): string {
  const sp = v.indexOf(' ');
  return sp > 0 ? `${v.slice(0, sp)} ***` : '***';
}
