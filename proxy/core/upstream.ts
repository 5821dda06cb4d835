/**
 * How an upstream's answer becomes ours. Shared by every route group so a throttled or failing third party looks
 * the same to the mobile app whichever service it was: 429 stays 429 (with Retry-After), a rejected request
 * keeps its 4xx, our own credentials being refused is *our* fault (502, never the upstream's body), 5xx → 502.
 */
import { ProxyError } from './errors.ts';
import type { OutboundResponse } from './http-client.ts';

export function upstreamError(upstream: string, res: OutboundResponse): ProxyError {
  const retryAfter = res.headers['retry-after'];
  if (res.status === 429) {
    return new ProxyError(429, 'upstream_rate_limited', `${upstream} is rate limiting; retry later`, { upstream, retryAfter },
      retryAfter ? { 'retry-after': retryAfter } : undefined);
  }
  if (res.status === 401 || res.status === 403) {
    return new ProxyError(502, 'upstream_auth_failed', `${upstream} refused the proxy's credentials`, { upstream, upstreamStatus: res.status });
  }
  if (res.status >= 500) {
    return new ProxyError(502, 'upstream_error', `${upstream} failed with HTTP ${res.status}`, { upstream, upstreamStatus: res.status });
  }
  return new ProxyError(res.status, 'upstream_rejected', `${upstream} rejected the request: ${upstreamMessage(res)}`, { upstream, upstreamStatus: res.status });
}

/** The upstream's own error message (short, text only); bodies never carry our credentials, but cap the size. */
function upstreamMessage(res: OutboundResponse): string {
  const text = res.text().slice(0, 2000);
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const meta = j.meta as { error?: string; errors?: string[] } | undefined;
    const msg = meta?.error ?? meta?.errors?.join('; ') ?? (j.message as string) ?? (j.error as string) ??
      (Array.isArray(j.errors) ? (j.errors as unknown[]).map((e) => (typeof e === 'string' ? e : (e as { detail?: string; message?: string }).detail ?? (e as { message?: string }).message ?? JSON.stringify(e))).join('; ') : undefined);
    return typeof msg === 'string' ? msg.slice(0, 500) : text.slice(0, 500);
  } catch {
    return text.slice(0, 500) || `HTTP ${res.status}`;
  }
}

/** A successful upstream answer passed through to the client (JSON when it is JSON, else bytes). */
export function passThrough(res: OutboundResponse): { status: number; headers: Record<string, string>; body: unknown } {
  const ct = res.headers['content-type'] ?? '';
  if (res.body.length === 0) return { status: res.status, headers: {}, body: {} };
  if (/json/i.test(ct)) {
    try {
      return { status: res.status, headers: {}, body: res.json() };
    } catch { /* fall through: send the bytes as they came */ }
  }
  return { status: res.status, headers: { 'content-type': ct || 'application/octet-stream' }, body: res.body };
}
