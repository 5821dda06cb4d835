/**
 * The transport under the mobile client: JSON in, JSON out, and every failure as a GatehouseError carrying the
 * stable `code` the app branches on. Gatehouse errors are `{"error":{"code","message","details?"}}`; the gateway's
 * own rejections (bad JWT) are API Gateway's `{"message"}` and get the code `gateway_unauthorized` & co.
 */
export interface Credentials {
  /** JWT for the gateway (`Authorization: Bearer …`), for Customer.io routes. */
  jwt?: string;
  /** API token for the cards routes (`token` header). */
  apiToken?: string;
  /** API Gateway key for the mail routes (`x-api-key` header). */
  apiKey?: string;
}

export interface ClientOptions extends Credentials {
  baseUrl: string;
  fetch?: typeof fetch;
}

export class GatehouseError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = 'GatehouseError';
  }
}

export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** Extra request headers (a browser's Origin, a preflight's Access-Control-Request-*). */
  headers?: Record<string, string>;
}

/** An answer as it came, for calls whose status and headers are the result (redirects, HEAD, preflight). */
export interface RawAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export class Transport {
  constructor(private readonly opts: ClientOptions) {}

  async send<T>(call: Call): Promise<T> {
    const res = await this.exchange(call);
    if (res.status >= 400) throw toError(res.status, res.body, res.text);
    return res.body as T;
  }

  /** Like send, but a 3xx is an answer (the app reads Location), not a failure; 4xx/5xx still throw. */
  async raw(call: Call): Promise<RawAnswer> {
    const res = await this.exchange(call);
    if (res.status >= 400) throw toError(res.status, res.body, res.text);
    return { status: res.status, headers: res.headers, body: res.body };
  }

  private async exchange(call: Call): Promise<RawAnswer & { text: string }> {
    const url = new URL(call.path, this.opts.baseUrl);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    if (this.opts.jwt) headers.authorization = `Bearer ${this.opts.jwt}`;
    if (this.opts.apiToken) headers.token = this.opts.apiToken;
    if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey;
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    const res = await (this.opts.fetch ?? fetch)(url, { method: call.method, headers, body: call.json === undefined ? undefined : JSON.stringify(call.json) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: parse(text), text };
  }
}

function parse(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function toError(status: number, body: unknown, text: string): GatehouseError {
  const err = (body as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined)?.error;
  if (err?.code) return new GatehouseError(status, err.code, err.message ?? '', err.details);
  const gatewayMessage = (body as { message?: string } | undefined)?.message;
  // A body-less refusal (a HEAD's) is not the gateway's: it has no JSON message at all.
  const code = !text ? `http_${status}` : status === 401 ? 'gateway_unauthorized' : status === 403 ? 'gateway_forbidden' : `http_${status}`;
  return new GatehouseError(status, code, gatewayMessage ?? text.slice(0, 200));
}
