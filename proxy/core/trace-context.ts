/**
 * W3C Trace Context Level 1 (https://www.w3.org/TR/trace-context/): the one correlation id every hop of the local
 * stack carries — gateway, proxy, every upstream call. Pure functions, no I/O; the gateway and the proxy both use
 * them, so a header is judged the same way at every hop.
 *
 *   traceparent = version "-" trace-id "-" parent-id "-" trace-flags      (00-<32 hex>-<16 hex>-<2 hex>)
 *
 * Parsing is strict, as §3.2 and §4.3 of the recommendation require: lowercase hex only, trace-id and parent-id not
 * all zeros, version `ff` invalid; version 00 is exactly 55 characters; a higher version is read by its version-00
 * prefix when the 56th character is absent or a `-` (future versions append fields). An invalid or missing
 * traceparent starts a new trace, and then `tracestate` is dropped (§3.3: a tracestate without a valid traceparent
 * means nothing). A tracestate that is not a valid list (§3.3.1: at most 32 members, keys and values by the
 * grammar, no duplicate keys) is dropped whole; a valid one is passed on as received.
 */
import { randomFillSync } from 'node:crypto';

export interface TraceParent {
  traceId: string;
  /** The sender's span id (the caller's span). */
  parentId: string;
  /** Two lowercase hex digits; bit 0 is `sampled`. */
  flags: string;
}

/** One hop's place in a trace: its own span id, the span that called it, and how the trace id was obtained. */
export interface TraceContext {
  traceId: string;
  /** This hop's span id: the parent-id of every call it makes. */
  spanId: string;
  /** The caller's span id, when the request carried a valid traceparent. */
  parentId?: string;
  flags: string;
  /** The tracestate to pass on (valid and received with a valid traceparent), else undefined. */
  state?: string;
  /** `continued`: a valid traceparent came in; `started`: none came; `replaced`: an invalid one came and was dropped. */
  origin: 'continued' | 'started' | 'replaced';
}

const HEX = /^[0-9a-f]+$/;
const ZEROS_32 = '0'.repeat(32);
const ZEROS_16 = '0'.repeat(16);

/** A traceparent value, or undefined when it is invalid by §3.2 (a repeated header, joined by Node, is invalid). */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v.length < 55) return undefined;
  const version = v.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return undefined;
  if (version === '00' ? v.length !== 55 : v.length > 55 && v[55] !== '-') return undefined;
  if (v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return undefined;
  const traceId = v.slice(3, 35);
  const parentId = v.slice(36, 52);
  const flags = v.slice(53, 55);
  if (!HEX.test(traceId) || !HEX.test(parentId) || !HEX.test(flags)) return undefined;
  if (traceId === ZEROS_32 || parentId === ZEROS_16) return undefined;
  return { traceId, parentId, flags };
}

// §3.3.1.3: key = simple-key / multi-tenant-key; value = 0*255(chr) nblk-chr (printable ASCII but "," and "=").
const KEY = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** A tracestate list as received (members trimmed, empty ones dropped), or undefined when it is not a valid list. */
export function parseTracestate(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of value.split(',')) {
    const m = raw.trim();
    if (!m) continue; // empty list members are allowed (§3.3.1.1)
    const eq = m.indexOf('=');
    if (eq <= 0) return undefined;
    const key = m.slice(0, eq);
    if (!KEY.test(key) || !VALUE.test(m.slice(eq + 1)) || keys.has(key)) return undefined;
    keys.add(key);
    members.push(m);
  }
  if (members.length === 0 || members.length > 32) return undefined;
  return members.join(',');
}

/**
 * This hop's context for an incoming request: the caller's trace continued with a span of our own, or a new trace
 * (sampled) when the request carried no valid traceparent.
 */
export function continueTrace(headers: Record<string, string | string[] | undefined>): TraceContext {
  const raw = headers.traceparent;
  const parent = parseTraceparent(Array.isArray(raw) ? raw.join(',') : raw);
  if (!parent) return { traceId: newTraceId(), spanId: newSpanId(), flags: '01', origin: raw === undefined ? 'started' : 'replaced' };
  const state = headers.tracestate;
  return {
    traceId: parent.traceId,
    spanId: newSpanId(),
    parentId: parent.parentId,
    // Only the sampled bit is defined by version 00; a higher version's other bits are not ours to pass on.
    flags: (parseInt(parent.flags, 16) & 1) === 1 ? '01' : '00',
    state: parseTracestate(Array.isArray(state) ? state.join(',') : state),
    origin: 'continued',
  };
}

/** The traceparent value naming `spanId` as the parent: what a hop sends on (always version 00). */
export function formatTraceparent(traceId: string, spanId: string, flags: string): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/**
 * Headers for one outbound call of the hop `ctx`: a fresh span id for the call (so each upstream call is its own
 * span, child of this hop) and the tracestate passed on.
 */
export function outboundTraceHeaders(ctx: TraceContext): { traceparent: string; tracestate?: string; spanId: string } {
  const spanId = newSpanId();
  return { traceparent: formatTraceparent(ctx.traceId, spanId, ctx.flags), spanId, ...(ctx.state ? { tracestate: ctx.state } : {}) };
}

// Random ids from a pooled buffer: one getrandom call per 512 ids instead of one per id.
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const hex = pool.toString('hex', offset, (offset += bytes));
    // All zeros is invalid for both ids (§3.2.2.3, §3.2.2.4); 2^-64 at worst, but never emit one.
    if (!/^0+$/.test(hex)) return hex;
  }
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);
