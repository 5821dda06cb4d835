/**
 * Structured JSON logging with redaction at the boundary: every line passes through `redact`, which replaces
 * any registered secret value and any sensitive header/field by a marker, so a secret can never reach a log.
 * A line written while a request is handled (request-context.ts) carries its `traceId` and `requestId`, whoever
 * wrote it — a route, the signature check, the secret chain's refresh — so one id finds every line of a request.
 */
import { currentRequest } from './request-context.ts';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const REDACTED = '[REDACTED]';
const SENSITIVE_KEYS = /^(authorization|signature|digest|cookie|set-cookie|x-api-key|x-vault-token|token|password|secret|api_key|apikey|access_token|refresh_token|private_key|secret_id)$/i;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A security_audit line (proxy/core/audit.ts builds it): written whatever LOG_LEVEL says, redacted like the rest. */
  audit(line: Record<string, unknown>): void;
  /** Register values that must never be printed (secret chain values). */
  addSecretValues(values: Iterable<string>): void;
}

export function createLogger(opts: { level?: Level; sink?: (line: string) => void; name?: string } = {}): Logger {
  const min = order[opts.level ?? ((process.env.LOG_LEVEL as Level) || 'info')] ?? order.info;
  const sink = opts.sink ?? ((line: string) => process.stdout.write(line + '\n'));
  const secrets = new Set<string>();

  const scrubString = (s: string): string => {
    let out = s;
    for (const v of secrets) if (v.length >= 4 && out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
  const scrub = (value: unknown, depth = 0): unknown => {
    if (depth > 8) return '[…]';
    if (typeof value === 'string') return scrubString(value);
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    if (value instanceof Error) return { name: value.name, message: scrubString(value.message) };
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_KEYS.test(k) ? REDACTED : scrub(v, depth + 1);
      return out;
    }
    return value;
  };
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < min) return;
    const line = { time: new Date().toISOString(), level, ...(opts.name ? { logger: opts.name } : {}), msg: scrubString(msg), ...requestFields(), ...(fields ? (scrub(fields) as object) : {}) };
    sink(JSON.stringify(line));
  };
  return {
    audit: (line) => sink(JSON.stringify({ ...(scrub(line) as object), ...traceField(), ...(opts.name ? { logger: opts.name } : {}) })),
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    addSecretValues(values) {
      for (const v of values) if (v) secrets.add(v);
    },
  };
}

/** `traceId` and `requestId` of the request being handled, for a log line; nothing outside a request. */
export function requestFields(): { traceId?: string; requestId?: string } {
  const ctx = currentRequest();
  return ctx ? { traceId: ctx.trace.traceId, requestId: ctx.requestId } : {};
}

/** An audit line names its own requestId; it gets the trace id only. */
function traceField(): { traceId?: string } {
  const ctx = currentRequest();
  return ctx ? { traceId: ctx.trace.traceId } : {};
}

/** A logger that drops everything (tests that do not assert on logs, benchmarks) without formatting it first. */
export const silentLogger = (): Logger => ({ debug() {}, info() {}, warn() {}, error() {}, audit() {}, addSecretValues() {} });
