/**
 * A circuit breaker for one upstream (seed 002: "disable service temporarily after repeated failures").
 * Closed: calls pass; `failureThreshold` consecutive failures open it. Open: calls are refused at once with 503
 * and Retry-After (the time left of the cool-down), sparing a struggling upstream. After the cool-down it is
 * half-open: one trial call passes (others are still refused); success closes it, failure opens it again.
 */
import { ProxyError } from './errors.ts';
import type { Clock } from './types.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  name: string;
  failureThreshold: number;
  coolDownMs: number;
  clock: Clock;
}

export const DEFAULT_BREAKER = { failureThreshold: 5, coolDownMs: 30_000 };

export class CircuitOpen extends ProxyError {
  constructor(upstream: string, retryAfterSeconds: number) {
    super(503, 'circuit_open', `${upstream} is failing; calls are paused for ${retryAfterSeconds} s`, { upstream, retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) });
  }
}

export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private opened = false;
  private trialRunning = false;

  constructor(private readonly opts: BreakerOptions) {}

  get state(): BreakerState {
    if (!this.opened) return 'closed';
    return this.opts.clock.now() - this.openedAt >= this.opts.coolDownMs ? 'half-open' : 'open';
  }

  /**
   * Run `fn` through the breaker. `failed` decides whether a result counts as a failure (e.g. a 503 answer);
   * a thrown error always does.
   */
  async run<T>(fn: () => Promise<T>, failed: (result: T) => boolean = () => false): Promise<T> {
    this.admit();
    const trial = this.opened;
    if (trial) this.trialRunning = true;
    try {
      const result = await fn();
      if (failed(result)) this.recordFailure();
      else this.recordSuccess();
      return result;
    } catch (e) {
      this.recordFailure();
      throw e;
    } finally {
      if (trial) this.trialRunning = false;
    }
  }

  snapshot() {
    return { state: this.state, consecutiveFailures: this.failures };
  }

  private admit(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.trialRunning) return;
    const left = state === 'open' ? this.opts.coolDownMs - (this.opts.clock.now() - this.openedAt) : this.opts.coolDownMs;
    throw new CircuitOpen(this.opts.name, Math.max(1, Math.ceil(left / 1000)));
  }

  private recordSuccess(): void {
    this.failures = 0;
    this.opened = false;
  }

  private recordFailure(): void {
    this.failures++;
    // A failed trial re-opens at once; otherwise the threshold decides.
    if (this.opened || this.failures >= this.opts.failureThreshold) {
      this.opened = true;
      this.openedAt = this.opts.clock.now();
    }
  }
}
