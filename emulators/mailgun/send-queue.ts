/**
 * The scheduled queue: a message sent with `o:deliverytime` is accepted at once and delivered at that time
 * (documentation.mailgun.com "Sending", o:deliverytime: "Messages can be scheduled for a maximum of 3 days in the
 * future"). Clearing a domain's queue (DELETE /v3/{domain}/envelopes on the storage host) drops what still waits.
 */
import { badRequest } from './errors.ts';
import type { StoredMessage } from './messages.ts';

const MAX_AHEAD_MS = 3 * 86_400_000;

/** When a send asks to be delivered, in epoch ms, or undefined to deliver now. */
export function deliveryTime(options: Record<string, string>, now: number): number | undefined {
  const raw = options.deliverytime;
  if (raw === undefined) return undefined;
  const at = Date.parse(raw);
  // Sending API error codes: "invalid delivery time format".
  if (!Number.isFinite(at)) throw badRequest('invalid delivery time format');
  if (at - now > MAX_AHEAD_MS) throw badRequest('Messages can be scheduled for a maximum of 3 days in the future');
  return at > now ? at : undefined;
}

export class SendQueue {
  private waiting = new Map<string, { message: StoredMessage; timer: NodeJS.Timeout }>();

  /** Run `deliver` at the message's time unless the queue is cleared first. */
  schedule(message: StoredMessage, at: number, now: number, deliver: (m: StoredMessage) => void): void {
    const timer = setTimeout(() => {
      this.waiting.delete(message.id);
      deliver(message);
    }, Math.max(0, at - now));
    timer.unref();
    this.waiting.set(message.id, { message, timer });
  }

  waitingFor(domain: string): StoredMessage[] {
    return [...this.waiting.values()].filter((w) => w.message.domain === domain).map((w) => w.message);
  }

  /** Drop a domain's waiting messages; how many there were. */
  clear(domain: string): number {
    let n = 0;
    for (const [id, w] of this.waiting) {
      if (w.message.domain !== domain) continue;
      clearTimeout(w.timer);
      this.waiting.delete(id);
      n++;
    }
    return n;
  }

  reset(): void {
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
  }
}
