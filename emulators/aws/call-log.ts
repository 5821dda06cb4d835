/**
 * The edge's journal, written lazily. Copying and masking headers and formatting the time for every S3 GET or
 * DynamoDB GetItem cost the edge more than the services' own work under load, and nobody reads most of it, so a
 * call only keeps references (method, URL, Node's header object, body text) and its outcome; the shared
 * `Journal` gets the entries — masked as always, in arrival order, with their own arrival time — when someone
 * is about to read it (any `/__admin` request, or `edge.journal`).
 */
import type http from 'node:http';
import type { Journal, JournalEntry } from '../shared/journal.ts';

interface PendingCall {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  started: number;
  status?: number;
  finished?: number;
  fault?: string;
  /** Set once flushed while still in flight (an SQS long poll): the outcome then goes straight to the entry. */
  entry?: JournalEntry;
}

export class CallLog {
  private pending: PendingCall[] = [];
  /** Bounded like the journal: past twice its limit the oldest calls go (they would be dropped on flush anyway). */
  constructor(private readonly journal: Journal, private readonly limit = 5000) {}

  /** Remember a call; the returned handle takes its fault id. Its status and duration are taken when the response finishes. */
  add(req: http.IncomingMessage, res: http.ServerResponse, body: string): PendingCall {
    const call: PendingCall = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, started: Date.now() };
    res.once('finish', () => {
      const target = call.entry ?? call;
      target.status = res.statusCode;
      if (call.entry) call.entry.durationMs = Date.now() - call.started;
      else call.finished = Date.now();
    });
    if (this.pending.push(call) > 2 * this.limit) this.pending = this.pending.slice(-this.limit);
    return call;
  }

  /** Move every pending call into the journal, oldest first. */
  flush(): Journal {
    const calls = this.pending;
    this.pending = [];
    for (const c of calls) {
      const q = c.url.indexOf('?');
      const entry = this.journal.record({ method: c.method, path: q < 0 ? c.url : c.url.slice(0, q), query: q < 0 ? '' : c.url.slice(q + 1), headers: c.headers, body: c.body });
      entry.time = new Date(c.started).toISOString();
      if (c.fault) entry.fault = c.fault;
      if (c.status !== undefined) entry.status = c.status;
      if (c.finished !== undefined) entry.durationMs = c.finished - c.started;
      else c.entry = entry;
    }
    return this.journal;
  }
}
