/**
 * The proxy's own hop, kept by the local stack: per request the function and route that served it, status and
 * duration, and every upstream call it made (upstream, method, URL, status, duration, request and response headers
 * and bodies). Lambda keeps none of this — the stack registers the two hooks it is fed from (`App.onHandled`, the
 * outbound client's `onExchange`) on the proxy's process only; a function built for Lambda has no observer.
 *
 * Cheap on the request path: a request adds one record to a bounded ring (1,000 requests, 32 MiB of bodies, the
 * oldest dropped first) holding references and capped copies; nothing is redacted or serialised until someone
 * reads it (`/__admin/traces`, trace-endpoint.ts) or a live stream is open. Secrets are redacted exactly as the
 * recorder redacts them (scripts/lib/replay/redaction.ts with fixtures/redaction.json: headers, URL, bodies, AWS's
 * own secret values), with the seeded secrets and every value the functions' secret chains loaded.
 */
import type { HandledRequest } from '../../proxy/core/app.ts';
import { encodeBody } from '../../proxy/core/app.ts';
import type { Exchange } from '../../proxy/core/http-client.ts';
import type { RequestContext } from '../../proxy/core/request-context.ts';
import { currentRequest } from '../../proxy/core/request-context.ts';
import { parseTraceparent } from '../../proxy/core/trace-context.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';

/** A body as the trace view shows it: redacted text, or only its size when it is not text. */
export interface BodyView {
  /** Bytes sent (before any cap). */
  bytes: number;
  /** Redacted text (JSON re-serialised after redaction); absent for binary bodies and empty ones. */
  text?: string;
  /** Only the first 64 KiB was kept (and redacted as text). */
  truncated?: boolean;
  /** Not text (an S3 object, a PDF): shown by size only. */
  binary?: boolean;
}

export interface MessageView {
  headers: Record<string, string>;
  body: BodyView;
}

/** One outbound call the proxy made for a request. */
export interface UpstreamCall {
  /** The call's own span (the parent-id of the traceparent it carried): the fake's journal entry has it as `spanId`. */
  spanId?: string;
  /** `customerio-track`, `mailgun`, `vault`, `aws-s3`, `aws-dynamodb`, … */
  upstream: string;
  method: string;
  /** Redacted: scheme, host, port, path and query. */
  url: string;
  path: string;
  /** Undefined when no answer came (timeout, refused connection): then `error` says why. */
  status?: number;
  error?: { name: string; message: string };
  startedAt: string;
  ms: number;
  request: MessageView;
  response?: MessageView;
}

/** The proxy's hop of one request: `GET <proxy>/__admin/traces` answers a list of these. */
export interface ProxyTrace {
  /** Position in the ring, increasing: the SSE event id (`Last-Event-ID` resumes after it). */
  seq: number;
  traceId: string;
  /** The proxy's span; its upstream calls are its children. */
  spanId: string;
  /** The caller's span (the gateway's hop.spanId), when the request carried a valid traceparent. */
  parentId?: string;
  /** `continued`, `started` (no traceparent came: the proxy was called directly) or `replaced` (an invalid one came). */
  traceOrigin: string;
  requestId: string;
  /** When the request arrived (ISO 8601). */
  time: string;
  /** The Lambda function whose app served it: customerio, cards, mail or packages. */
  function: string;
  method: string;
  /** Redacted path as sent. */
  path: string;
  /** The matched route's pattern (`/customers/:identifier/events`), or null when no route matched. */
  route: string | null;
  status: number;
  ms: number;
  request: MessageView & { query: string };
  response: MessageView;
  upstream: UpstreamCall[];
}

const BODY_CAP = 64 * 1024;
const EMPTY = Buffer.alloc(0);

interface Kept {
  seq: number;
  fn: string;
  /** The handled request without its bodies (kept below, capped): a 1 MiB upload is not held by the ring. */
  handled: HandledRequest;
  requestBytes: number;
  requestBody: Buffer;
  responseBytes: number;
  responseBody: Buffer;
  responseType?: string;
  calls: Exchange[];
  bytes: number;
  view?: ProxyTrace;
}

export interface TraceRingOptions {
  limit?: number;
  maxBytes?: number;
  /** Secret values to redact from the start (the seeded ones); the functions' chains add theirs (`addSecretValues`). */
  secrets?: Iterable<string>;
}

export class TraceRing {
  private readonly kept: Kept[] = [];
  private bytes = 0;
  private seq = 0;
  private readonly byContext = new WeakMap<RequestContext, { calls: Exchange[]; kept?: Kept }>();
  private readonly listeners = new Set<(t: ProxyTrace) => void>();
  private readonly limit: number;
  private readonly maxBytes: number;
  readonly redact: Redactor;

  constructor(opts: TraceRingOptions = {}) {
    this.limit = opts.limit ?? 1000;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.redact = new Redactor(undefined, opts.secrets ?? []);
  }

  addSecretValues(values: Iterable<string>): void {
    this.redact.addSecretValues(values);
  }

  /** The outbound client's hook: an exchange made for a request joins that request's record. */
  readonly exchange = (x: Exchange): void => {
    const ctx = currentRequest();
    if (!ctx) return;
    let slot = this.byContext.get(ctx);
    if (!slot) this.byContext.set(ctx, (slot = { calls: [] }));
    const call = capExchange(x);
    slot.calls.push(call);
    // A call finishing after the answer (background work the request started) joins the record already kept.
    if (slot.kept) {
      slot.kept.bytes += exchangeBytes(call);
      this.bytes += exchangeBytes(call);
      slot.kept.view = undefined;
      this.trim();
    }
  };

  /** The app's hook, named by the function whose app it is. */
  handled(fn: string): (h: HandledRequest) => void {
    return (h) => {
      let slot = this.byContext.get(h.context);
      if (!slot) this.byContext.set(h.context, (slot = { calls: [] }));
      const { body, contentType } = encodeBody(h.response);
      const kept: Kept = {
        seq: ++this.seq, fn, calls: slot.calls,
        handled: { ...h, request: { ...h.request, body: EMPTY }, response: { ...h.response, body: undefined } },
        requestBytes: h.request.body.length, requestBody: cap(h.request.body), responseBytes: body.length, responseBody: cap(body), responseType: contentType, bytes: 0,
      };
      kept.bytes = kept.requestBody.length + kept.responseBody.length + slot.calls.reduce((n, c) => n + exchangeBytes(c), 0);
      slot.kept = kept;
      this.kept.push(kept);
      this.bytes += kept.bytes;
      this.trim();
      if (this.listeners.size) {
        const view = this.view(kept);
        for (const l of this.listeners) l(view);
      }
    };
  }

  /** Newest first. */
  list(filter: { trace?: string; fn?: string; status?: number; afterSeq?: number; limit?: number } = {}): ProxyTrace[] {
    const out: ProxyTrace[] = [];
    const limit = filter.limit ?? this.limit;
    for (let i = this.kept.length - 1; i >= 0 && out.length < limit; i--) {
      const k = this.kept[i];
      if (filter.afterSeq !== undefined && k.seq <= filter.afterSeq) break;
      if (filter.trace && k.handled.context.trace.traceId !== filter.trace) continue;
      if (filter.fn && k.fn !== filter.fn) continue;
      if (filter.status !== undefined && k.handled.response.status !== filter.status) continue;
      out.push(this.view(k));
    }
    return out;
  }

  /** Every new record, as it is kept; returns the function that stops it. */
  subscribe(listener: (t: ProxyTrace) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  clear(): void {
    this.kept.length = 0;
    this.bytes = 0;
  }

  get size(): number {
    return this.kept.length;
  }

  private trim(): void {
    while (this.kept.length > this.limit || (this.bytes > this.maxBytes && this.kept.length > 1)) this.bytes -= this.kept.shift()!.bytes;
  }

  private view(k: Kept): ProxyTrace {
    if (k.view) return k.view;
    const { request: req, response: res, context, route, startedAt, durationMs } = k.handled;
    const r = this.redact;
    const t = context.trace;
    const resHeaders = { ...(k.responseType ? { 'content-type': k.responseType } : {}), ...res.headers };
    k.view = {
      seq: k.seq, traceId: t.traceId, spanId: t.spanId, ...(t.parentId ? { parentId: t.parentId } : {}), traceOrigin: t.origin,
      requestId: req.requestId, time: new Date(startedAt).toISOString(), function: k.fn,
      method: req.method, path: r.url(req.path), route: route ?? null, status: res.status, ms: durationMs,
      request: { query: req.rawQuery ? r.query(req.rawQuery) : '', headers: r.headers(req.headers), body: this.body(k.requestBody, k.requestBytes, req.headers['content-type'] ?? '', 'proxy') },
      response: { headers: r.headers(resHeaders), body: this.body(k.responseBody, k.responseBytes, resHeaders['content-type'] ?? '', 'proxy') },
      upstream: k.calls.map((c) => this.call(c)),
    };
    return k.view;
  }

  private call(x: Exchange): UpstreamCall {
    const r = this.redact;
    const req = x.request;
    const headers = req.headers ?? {};
    const url = r.url(req.url);
    const sent = req.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
    const size = (x as CappedExchange).sizes;
    return {
      spanId: parseTraceparent(headers.traceparent)?.parentId,
      upstream: req.upstream,
      method: req.method.toUpperCase(),
      url,
      path: new URL(url).pathname,
      ...(x.response ? { status: x.response.status } : {}),
      ...(x.error ? { error: { name: x.error.name, message: r.string(x.error.message) } } : {}),
      startedAt: new Date(x.startedAt).toISOString(),
      ms: x.durationMs,
      request: { headers: r.headers(headers), body: this.body(sent, size?.request ?? sent.length, header(headers, 'content-type'), req.upstream) },
      ...(x.response ? { response: { headers: r.headers(x.response.headers), body: this.body(x.response.body, size?.response ?? x.response.body.length, x.response.headers['content-type'] ?? '', req.upstream) } } : {}),
    };
  }

  /** Redacted as the recorder redacts an upstream body; a body cut at the cap is redacted as text. */
  private body(kept: Buffer, bytes: number, contentType: string, upstream: string): BodyView {
    if (bytes === 0) return { bytes: 0 };
    if (!isText(kept, contentType)) return { bytes, binary: true };
    const truncated = bytes > kept.length;
    const text = kept.toString('utf8');
    if (truncated) return { bytes, truncated, text: this.redact.string(text) };
    const red = this.redact.upstreamBody(text, contentType, upstream);
    return { bytes, text: typeof red === 'string' ? red : JSON.stringify(red) };
  }
}

type CappedExchange = Exchange & { sizes?: { request: number; response: number } };

/** The exchange with its bodies cut at the cap (a copy only when cut; small bodies are kept by reference). */
function capExchange(x: Exchange): CappedExchange {
  const reqBody = x.request.body;
  const reqLen = reqBody === undefined ? 0 : Buffer.isBuffer(reqBody) ? reqBody.length : Buffer.byteLength(reqBody);
  const resLen = x.response?.body.length ?? 0;
  if (reqLen <= BODY_CAP && resLen <= BODY_CAP) return x;
  const request = reqLen > BODY_CAP ? { ...x.request, body: cap(Buffer.isBuffer(reqBody) ? reqBody : Buffer.from(reqBody as string)) } : x.request;
  const response = x.response && resLen > BODY_CAP ? { ...x.response, body: cap(x.response.body) } : x.response;
  return { ...x, request, response, sizes: { request: reqLen, response: resLen } };
}

function cap(b: Buffer): Buffer {
  return b.length > BODY_CAP ? Buffer.from(b.subarray(0, BODY_CAP)) : b;
}

function exchangeBytes(x: Exchange): number {
  const b = x.request.body;
  return (b === undefined ? 0 : b.length) + (x.response?.body.length ?? 0);
}

function header(h: Record<string, string>, name: string): string {
  for (const k in h) if (k.toLowerCase() === name) return h[k];
  return '';
}

const TEXTUAL = /^(text\/|application\/([\w.+-]*\+)?(json|xml|x-www-form-urlencoded|javascript)\b|application\/x-amz-json)/i;

/** Text by its declared type, or (no type) by having no NUL and decoding as UTF-8 without loss. */
function isText(b: Buffer, contentType: string): boolean {
  if (contentType) return TEXTUAL.test(contentType.trim());
  if (b.includes(0)) return false;
  return !b.toString('utf8').includes('\uFFFD');
}
