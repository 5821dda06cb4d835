/**
 * The requests the gateway answered itself, without the proxy: a check refused them (JWT, API key, usage plan, a
 * request target it does not route) or the proxy did not answer. The proxy's trace ring never sees these, so the
 * console's Trace view learns of them here (admin.ts streams them). A forwarded request never enters this ring.
 *
 * Model only, no HTTP. Cheap when nobody looks: a refusal keeps references to what the request already holds;
 * redaction (as the recorder redacts: scripts/lib/replay/redaction.ts with fixtures/redaction.json, plus the API
 * keys' values) happens when a record is first read or while a stream is open. Bounded to the last 1,000.
 */
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { loadApiKeys } from './api-keys.ts';
import type { GatewayHop } from './steps.ts';

/** Which check stopped the request. */
export type RefusedBy = 'jwt' | 'api_key' | 'usage_plan' | 'request_target' | 'proxy_unreachable';

/** What `GET /__admin/refusals` lists and the stream sends: one request that never reached the proxy. */
export interface GatewayRefusal {
  /** Increasing, never reused while the gateway runs (a clear keeps counting): the SSE event id. */
  seq: number;
  /** When the request arrived (ISO 8601). */
  time: string;
  /** The request's trace (absent for a request target the gateway could not even parse). */
  traceId?: string;
  /** The gateway's span: a proxy record naming it as parent is the same request. */
  spanId?: string;
  method: string;
  /** Redacted path, as the client sent it. */
  path: string;
  /** Redacted query ("" when none). */
  query: string;
  status: number;
  ms: number;
  refusedBy: RefusedBy;
  /** Why, in words: the JWT authorizer's reason, the usage plan's verdict, the proxy's connection error. */
  reason: string;
  /** The gateway's hop as far as it got (JWT user or refusal, API key by id and verdict; never a signature). */
  hop?: GatewayHop;
  request: { headers: Record<string, string> };
  response: { headers: Record<string, string>; body: string };
}

/** What the gateway's route hands over, by reference (rendered later). */
export interface RefusalInput {
  startedAt: number;
  ms: number;
  status: number;
  method: string;
  path: string;
  rawQuery: string;
  traceId?: string;
  spanId?: string;
  refusedBy: RefusedBy;
  reason: string;
  hop?: GatewayHop;
  clientHeaders: Readonly<Record<string, string>>;
  responseHeaders: Record<string, string>;
  responseBody: unknown;
}

interface Kept {
  seq: number;
  input: RefusalInput;
  view?: GatewayRefusal;
}

/** Which check refused, and why, from what the steps left on the hop. */
export function verdictOf(hop: GatewayHop, client: Readonly<Record<string, string>>): { refusedBy: RefusedBy; reason: string } {
  if (hop.jwt && 'refused' in hop.jwt) return { refusedBy: 'jwt', reason: hop.jwt.refused };
  const key = hop.apiKey;
  if (key?.verdict === 'throttled') return { refusedBy: 'usage_plan', reason: `usage plan ${key.usagePlanId} throttled API key ${key.keyId} (rate or burst limit)` };
  if (key?.verdict === 'quota_exceeded') return { refusedBy: 'usage_plan', reason: `API key ${key.keyId} has used up usage plan ${key.usagePlanId}'s quota` };
  if (key?.verdict === 'forbidden') {
    const reason = key.keyId ? `API key ${key.keyId} is disabled` : client['x-api-key'] === undefined ? 'this route requires an x-api-key header and none was sent' : 'the x-api-key header names no key of this gateway';
    return { refusedBy: 'api_key', reason };
  }
  // A step added later that answers early without saying why.
  return { refusedBy: 'jwt', reason: 'refused by a gateway step' };
}

export class Refusals {
  private readonly kept: Kept[] = [];
  private seq = 0;
  private readonly listeners = new Set<(r: GatewayRefusal) => void>();
  private redactor?: Redactor;

  constructor(private readonly limit = 1000) {}

  record(input: RefusalInput): void {
    const k: Kept = { seq: ++this.seq, input };
    this.kept.push(k);
    if (this.kept.length > this.limit) this.kept.shift();
    if (this.listeners.size) {
      const view = this.view(k);
      for (const l of this.listeners) l(view);
    }
  }

  /** Newest first; `afterSeq` stops at that record. An id greater than any given came from an earlier run: all. */
  list(filter: { afterSeq?: number; trace?: string; limit?: number } = {}): GatewayRefusal[] {
    const after = filter.afterSeq !== undefined && filter.afterSeq > this.seq ? 0 : filter.afterSeq;
    const out: GatewayRefusal[] = [];
    const limit = filter.limit ?? this.limit;
    for (let i = this.kept.length - 1; i >= 0 && out.length < limit; i--) {
      const k = this.kept[i];
      if (after !== undefined && k.seq <= after) break;
      if (filter.trace && k.input.traceId !== filter.trace) continue;
      out.push(this.view(k));
    }
    return out;
  }

  subscribe(listener: (r: GatewayRefusal) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  clear(): void {
    this.kept.length = 0;
  }

  get size(): number {
    return this.kept.length;
  }

  private view(k: Kept): GatewayRefusal {
    if (k.view) return k.view;
    // The API keys' values are secrets wherever they appear (a query, a header other than x-api-key).
    const r = (this.redactor ??= new Redactor(undefined, loadApiKeys().apiKeys.map((a) => a.value)));
    const i = k.input;
    const body = typeof i.responseBody === 'string' ? i.responseBody : JSON.stringify(i.responseBody);
    k.view = {
      seq: k.seq, time: new Date(i.startedAt).toISOString(), ...(i.traceId ? { traceId: i.traceId } : {}), ...(i.spanId ? { spanId: i.spanId } : {}),
      method: i.method, path: r.url(i.path), query: r.query(i.rawQuery, i.path), status: i.status, ms: i.ms,
      refusedBy: i.refusedBy, reason: r.string(i.reason), ...(i.hop ? { hop: i.hop } : {}),
      request: { headers: r.headers({ ...i.clientHeaders }) },
      response: { headers: r.headers(i.responseHeaders), body: r.string(body ?? '') },
    };
    return k.view;
  }
}
