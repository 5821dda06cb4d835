/**
 * The edge's journal, written lazily. Copying and masking headers and formatting the time for every S3 GET or
 * DynamoDB GetItem cost the edge more than the services' own work under load, and nobody reads most of it, so a
 * call only keeps references (method, URL, Node's header object, body text) and its outcome; the shared
 * `Journal` gets the entries — masked as always, in arrival order, with their own arrival time — when someone
 * is about to read it (any `/__admin` request, or `edge.journal`). The trace id is read from the kept headers then
 * too (the shared journal does it), so tracing costs the edge nothing per call.
 */
import type http from 'node:http';
import { journalBody, type Journal, type JournalEntry, type NearMiss } from '../shared/journal.ts';

export interface PendingCall {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  started: number;
  status?: number;
  finished?: number;
  fault?: string;
  /** No operation of the service took it (an unknown X-Amz-Target): the closest ones it serves. */
  nearMiss?: NearMiss;
  /** Set once flushed while still in flight (an SQS long poll): the outcome then goes straight to the entry. */
  entry?: JournalEntry;
}

/**
 * A ring of at most `limit` calls, as many as the journal keeps: an older one would be dropped on flush anyway,
 * and a fixed ring neither copies nor keeps more garbage alive than the journal itself would.
 */
export class CallLog {
  private ring: (PendingCall | undefined)[];
  private next = 0;
  private count = 0;

  constructor(private readonly journal: Journal, private readonly limit = 5000) {
    this.ring = new Array<PendingCall | undefined>(limit);
  }

  /** A call's near miss, set while it is handled (it may be flushed already: an entry is updated in place). */
  nearMiss(call: PendingCall, miss: NearMiss): void {
    if (call.entry) call.entry.nearMiss = miss;
    else call.nearMiss = miss;
  }

  /** Remember a call; the returned handle takes its fault id. Its status and duration are taken when the response finishes. */
  add(req: http.IncomingMessage, res: http.ServerResponse, body: string): PendingCall {
    // Capped now, not at flush: a pending call may wait in the ring until someone reads the journal.
    const call: PendingCall = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: journalBody(body), started: Date.now() };
    res.on('finish', () => {
      const target = call.entry ?? call;
      target.status = res.statusCode;
      if (call.entry) call.entry.durationMs = Date.now() - call.started;
      else call.finished = Date.now();
    });
    this.ring[this.next] = call;
    this.next = (this.next + 1) % this.limit;
    this.count = Math.min(this.count + 1, this.limit);
    return call;
  }

  /** Move every pending call into the journal, oldest first. */
  flush(): Journal {
    const first = (this.next - this.count + this.limit) % this.limit;
    for (let i = 0; i < this.count; i++) {
      const at = (first + i) % this.limit;
      const c = this.ring[at]!;
      this.ring[at] = undefined;
      const q = c.url.indexOf('?');
      const entry = this.journal.record({ method: c.method, path: q < 0 ? c.url : c.url.slice(0, q), query: q < 0 ? '' : c.url.slice(q + 1), headers: c.headers, body: c.body });
      entry.time = new Date(c.started).toISOString();
      if (c.fault) entry.fault = c.fault;
      if (c.nearMiss) entry.nearMiss = c.nearMiss;
      if (c.status !== undefined) entry.status = c.status;
      if (c.finished !== undefined) entry.durationMs = c.finished - c.started;
      else c.entry = entry;
    }
    this.count = 0;
    return this.journal;
  }
}
