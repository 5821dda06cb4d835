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
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
}

export class Transport {
  constructor(private readonly opts: ClientOptions) {}

  async send<T>(call: Call): Promise<T> {
    const url = new URL(call.path, this.opts.baseUrl);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.jwt) headers.authorization = `Bearer ${this.opts.jwt}`;
    if (this.opts.apiToken) headers.token = this.opts.apiToken;
    if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey;
    if (call.json !== undefined) headers['content-type'] = 'application/json';
    const res = await (this.opts.fetch ?? fetch)(url, { method: call.method, headers, body: call.json === undefined ? undefined : JSON.stringify(call.json) });
    const text = await res.text();
    const body = parse(text);
    if (!res.ok) throw toError(res.status, body, text);
    return body as T;
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
  const code = status === 401 ? 'gateway_unauthorized' : status === 403 ? 'gateway_forbidden' : `http_${status}`;
  return new GatehouseError(status, code, gatewayMessage ?? text.slice(0, 200));
}
