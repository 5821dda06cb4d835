/**
 * The console's one way to call the stack's services over HTTP (their `/__admin` APIs, Vault's API): a timeout on
 * every call, and a failure turned into a message the page can show ("mailgun did not answer: connection refused")
 * instead of a hung request or a 500.
 */
import { ProxyError } from '../../proxy/core/errors.ts';
import { fetchKeptAlive } from '../../proxy/core/keep-alive.ts';
import { unavailable } from './app.ts';

const TIMEOUT_MS = 10_000;

export interface CallOptions {
  method?: string;
  json?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Statuses returned as values instead of thrown (e.g. 404 of a message that does not exist). */
  accept?: number[];
}

export class StackClient {
  constructor(private readonly urls: Record<string, string>) {}

  url(service: string): string {
    const u = this.urls[service];
    if (!u) throw new ProxyError(404, 'unknown_service', `the stack runs no service named ${service.slice(0, 60)}`);
    return u;
  }

  /** JSON from `<service><path>`; a 4xx the caller accepts comes back as `{status, body}`. */
  async call<T = any>(service: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: T }> {
    const base = this.url(service);
    let res: Response;
    try {
      res = await fetchKeptAlive(base + path, {
        method: opts.method ?? 'GET',
        headers: { ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
        body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
        signal: AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS),
      });
    } catch (e) {
      throw unavailable('service_unreachable', `${service} did not answer at ${base}: ${reason(e)}`);
    }
    const text = await res.text().catch(() => '');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text for the message below
    }
    if (res.ok || opts.accept?.includes(res.status)) return { status: res.status, body: body as T };
    throw new ProxyError(res.status >= 500 ? 502 : res.status === 404 ? 404 : 400, 'service_error', `${service} answered ${res.status} to ${opts.method ?? 'GET'} ${path.split('?')[0]}: ${problemOf(body)}`);
  }

  async json<T = any>(service: string, path: string, opts: CallOptions = {}): Promise<T> {
    return (await this.call<T>(service, path, opts)).body;
  }
}

/** A failed call in words: fetch hides the socket error in `cause`, node:http (fetchKeptAlive) does not. */
export function reason(e: unknown): string {
  const err = e as Error & { code?: string; cause?: { code?: string; message?: string; name?: string } };
  if (err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') return 'no answer in time';
  const code = err?.cause?.code ?? err?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is it down or restarting?)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was dropped';
  return err?.cause?.message ?? err?.message ?? String(e);
}

/** The error text of an emulator's or AWS's answer, whichever shape it has. */
function problemOf(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300) || 'no body';
  const b = body as Record<string, any> | undefined;
  const e = b?.error ?? b?.errors ?? b?.message ?? b?.meta?.error;
  if (typeof e === 'string') return e.slice(0, 300);
  if (Array.isArray(e)) return e.map(String).join('; ').slice(0, 300);
  if (e && typeof e === 'object') return String(e.message ?? JSON.stringify(e)).slice(0, 300);
  return JSON.stringify(body ?? null).slice(0, 300);
}
