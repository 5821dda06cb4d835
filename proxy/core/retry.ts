/**
 * Retries for outbound calls (seed 002: "2^attempt * 1000ms delay, 3 attempts, network errors, throttling,
 * temporary failures"). Only what may succeed on a second try is retried: a connection that failed, 429 and
 * 5xx. A timeout is not retried: the upstream may have acted on the request, and sending mail twice is worse
 * than answering 504. Waiting goes through the injected clock, so tests never sleep in real time.
 */
import { UpstreamUnavailable, type OutboundResponse } from './http-client.ts';
import type { Clock } from './types.ts';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  /** The wait after failed attempt k (0-based) is 2^k × baseDelayMs, unless the upstream sent Retry-After. */
  baseDelayMs: number;
  /** A Retry-After longer than this is not waited for: the failure is returned at once. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

export type Outcome = { ok: true; response: OutboundResponse } | { ok: false; response?: undefined; error: unknown };

/** Network failures (not timeouts), 429 and 5xx may pass on another try. */
export function isRetryable(o: Outcome): boolean {
  if (!o.ok) return o.error instanceof UpstreamUnavailable && o.error.code === 'upstream_unreachable';
  return o.response.status === 429 || o.response.status >= 500;
}

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3), in milliseconds from `now`. */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** How long to wait after failed attempt `attempt` (0-based). */
export function backoffMs(attempt: number, o: Outcome, policy: RetryPolicy, now: number): number {
  return retryAfterMs(o.response?.headers['retry-after'], now) ?? 2 ** attempt * policy.baseDelayMs;
}

export interface RetryOptions {
  policy?: RetryPolicy;
  clock: Clock;
  /** Called before each wait (logging, metrics). */
  onRetry?: (info: { attempt: number; delayMs: number; status?: number }) => void;
}

/**
 * Run `attempt` until it succeeds, fails in a way not worth retrying, or the attempts are used up. The last
 * response is returned (the caller maps a 4xx/5xx); the last error is thrown.
 */
export async function withRetry(attempt: (n: number) => Promise<OutboundResponse>, opts: RetryOptions): Promise<OutboundResponse> {
  const policy = opts.policy ?? DEFAULT_RETRY;
  for (let n = 0; ; n++) {
    let o: Outcome;
    try {
      o = { ok: true, response: await attempt(n) };
    } catch (error) {
      o = { ok: false, error };
    }
    const delayMs = backoffMs(n, o, policy, opts.clock.now());
    const last = n + 1 >= policy.attempts || !isRetryable(o) || delayMs > policy.maxDelayMs;
    if (last) {
      if (!o.ok) throw o.error;
      return o.response;
    }
    opts.onRetry?.({ attempt: n, delayMs, status: o.response?.status });
    await opts.clock.sleep(delayMs);
  }
}
