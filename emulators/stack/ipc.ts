/**
 * The messages between the supervisor and a service process (Node's IPC channel, `advanced` serialization so
 * Buffers cross as bytes). Requests in either direction carry an id and are answered once.
 */
import type { PortName } from './ports.ts';

/** What a service tells the supervisor once it listens: where it is, and facts other services' wiring needs. */
export interface Report {
  /** URL per listener, by the name the stack's table prints (`customerio`, `customerio-https`, …). */
  urls: Record<string, string>;
  /** The ports it bound: a restart binds the same ones. */
  ports: Partial<Record<PortName, number>>;
  /** Service-specific facts for the wiring (may hold key material: never shown in status). */
  info?: Record<string, unknown>;
}

export interface WireError {
  message: string;
  code?: string;
  stack?: string;
}

export type ToChild =
  | { t: 'start'; config: unknown }
  | { t: 'call'; id: number; method: string; args: unknown }
  | { t: 'answer'; id: number; value?: unknown; error?: WireError }
  | { t: 'ping' }
  | { t: 'stop' };

export type ToParent =
  | { t: 'hello' }
  | { t: 'pong' }
  | { t: 'ready'; report: Report }
  | { t: 'failed'; error: WireError }
  | { t: 'reply'; id: number; value?: unknown; error?: WireError }
  | { t: 'ask'; id: number; what: string; args: unknown }
  | { t: 'event'; kind: string; data: unknown };

export const toWireError = (e: unknown): WireError => {
  const err = e as NodeJS.ErrnoException;
  return { message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined, stack: err?.stack };
};

export const fromWireError = (w: WireError): Error => Object.assign(new Error(w.message), w.code ? { code: w.code } : {});

/** Pending requests by id, answered by the other side's reply (or all rejected when it goes away). */
export class Pending {
  private next = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  /** A new request; with `timeoutMs`, it is rejected with `why` if no answer came by then. */
  open(timeoutMs?: number, why = 'no answer'): { id: number; answer: Promise<unknown> } {
    const id = this.next++;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => this.settle(id, undefined, { message: why }), timeoutMs);
      timer?.unref();
      this.waiting.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
    return { id, answer };
  }

  settle(id: number, value: unknown, error?: WireError): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    if (error) w.reject(fromWireError(error));
    else w.resolve(value);
  }

  rejectAll(why: string): void {
    for (const w of this.waiting.values()) w.reject(new Error(why));
    this.waiting.clear();
  }
}
