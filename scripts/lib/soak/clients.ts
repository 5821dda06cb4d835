/**
 * Clients that retry the way the README tells them to (section "Reliability", "Idempotency and retries"): the
 * same request with the same Idempotency-Key after 409, 429, 502, 503, 504 or a lost connection, waiting
 * Retry-After when the answer has one, else an exponential backoff; anything else is final. Every answer is kept,
 * so the check can judge each failure's status and Retry-After, not only the last one.
 */
export interface Answer {
  /** HTTP status, or 0 when the connection failed. */
  status: number;
  code?: string;
  retryAfter?: string;
  /** The body was JSON in Gatehouse's error shape (errors) or JSON at all (successes). */
  json: boolean;
  body?: any;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

export const RETRYABLE = new Set([0, 409, 429, 502, 503, 504]);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function exchange(url: string, init: RequestInit): Promise<Answer> {
  try {
    const res = await fetch(url, init);
    const text = await res.text();
    let body: any;
    try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    const ok = res.status < 300;
    return {
      status: res.status, body, json: ok ? body !== undefined : typeof body?.error?.code === 'string',
      code: body?.error?.code, retryAfter: res.headers.get('retry-after') ?? undefined,
    };
  } catch {
    return { status: 0, json: false };
  }
}

/** Send until acknowledged, refused for good, or out of attempts; every answer in order. */
export async function withRetries(send: () => Promise<Answer>, p: RetryPolicy): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let k = 0; k < p.maxAttempts; k++) {
    const a = await send();
    answers.push(a);
    if (a.status >= 200 && a.status < 300) break;
    if (!RETRYABLE.has(a.status) || k + 1 === p.maxAttempts) break;
    const after = a.retryAfter !== undefined && /^\d+$/.test(a.retryAfter) ? Number(a.retryAfter) * 1000 : undefined;
    await sleep(after ?? Math.min(p.capMs, p.baseMs * 2 ** k));
  }
  return answers;
}
