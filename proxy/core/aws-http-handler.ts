/**
 * The AWS SDK v3 request handler that sends through the proxy's single outbound HttpClient, so AWS calls get the
 * same timeouts, `onExchange` hook (recording, metrics) and playback as every other upstream. Each call is named
 * `aws-<service>` (`aws-s3`, `aws-dynamodb`, …) from its SigV4 credential scope. The SDK has already signed the
 * request; nothing here changes a signed byte. Bodies are buffered both ways (Lambda-sized objects): the request
 * stream is read before sending, the response handed back as a Readable, which the SDK's stream mixin and body
 * collectors accept. Response bytes are never decoded, so S3 objects and their checksums arrive as stored.
 * Because every call goes through `http.send`, an AWS call made for a request carries that request's child
 * `traceparent` like any other upstream call (http-client.ts): added after signing, never part of the signature.
 */
import { Readable } from 'node:stream';
import { buildQueryString, HttpResponse, type HttpHandler, type HttpRequest } from '@smithy/core/protocols';
import type { HttpHandlerOptions } from '@smithy/types';
import { UpstreamUnavailable, type HttpClient } from './http-client.ts';

export interface AwsHandlerConfig {
  /** Per-call timeout in ms; the HttpClient's own default when unset. The SDK's `requestTimeout` wins per call. */
  requestTimeout?: number;
}

// The SigV4 (region/service) and SigV4a (service) credential scope ends with "<service>/aws4_request".
const SCOPE = /\/([a-z0-9-]+)\/aws4_request/;
// Unsigned calls: the JSON protocols name their service in X-Amz-Target, the rest in the endpoint's host.
const TARGET_SERVICES: Record<string, string> = { DynamoDB_20120810: 'dynamodb', AmazonSSM: 'ssm', secretsmanager: 'secretsmanager', AmazonSQS: 'sqs' };
const HOST = /(?:^|\.)(s3|dynamodb|ssm|sqs|secretsmanager)[.-]/;
// The body goes out buffered, with a Content-Length: no chunked framing (a stream body of unknown length, aws-chunked
// uploads) and no 100-continue wait. Neither header is signed.
const DROP_HEADERS = new Set(['expect', 'transfer-encoding']);

const header = (h: Record<string, string>, name: string): string | undefined => {
  for (const k in h) if (k.toLowerCase() === name) return h[k];
  return undefined;
};

/** `aws-<service>` for a signed (or unsigned) SDK request. */
export function awsUpstreamName(req: Pick<HttpRequest, 'headers' | 'hostname' | 'query'>): string {
  const scope = header(req.headers, 'authorization') ?? String(req.query?.['X-Amz-Credential'] ?? '');
  const service = SCOPE.exec(scope)?.[1]
    ?? TARGET_SERVICES[(header(req.headers, 'x-amz-target') ?? '').split('.')[0]]
    ?? HOST.exec(req.hostname ?? '')?.[1];
  return `aws-${service ?? 'unknown'}`;
}

export function awsUrl(req: HttpRequest): string {
  const query = req.query ? buildQueryString(req.query) : '';
  const port = req.port ? `:${req.port}` : '';
  return `${req.protocol}//${req.hostname}${port}${req.path}${query ? `?${query}` : ''}`;
}

async function bodyBytes(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    return Buffer.concat(chunks);
  }
  throw new TypeError(`unsupported AWS request body ${Object.prototype.toString.call(body)}`);
}

/** An SDK-shaped failure: the names and codes its retry strategy and `awsCall` know (as NodeHttpHandler throws). */
function sdkError(e: unknown, signal: HttpHandlerOptions['abortSignal']): Error {
  if (signal?.aborted) {
    const reason = (signal as AbortSignal).reason;
    return Object.assign(new Error('Request aborted', { cause: reason instanceof Error ? reason : undefined }), { name: 'AbortError' });
  }
  if (!(e instanceof UpstreamUnavailable)) return e as Error;
  const err = new Error(e.message, { cause: e });
  if (e.code === 'upstream_timeout') err.name = 'TimeoutError';
  const detail = String(e.details?.detail ?? '');
  if (/^E[A-Z_]+$/.test(detail)) (err as NodeJS.ErrnoException).code = detail;
  return err;
}

export class AwsHttpHandler implements HttpHandler<AwsHandlerConfig> {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private config: AwsHandlerConfig;

  constructor(private readonly http: HttpClient, config: AwsHandlerConfig = {}) {
    this.config = { ...config };
  }

  async handle(request: HttpRequest, { abortSignal, requestTimeout }: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    if (abortSignal?.aborted) throw sdkError(undefined, abortSignal);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (!DROP_HEADERS.has(k.toLowerCase())) headers[k] = v;
    try {
      const res = await this.http.send({
        method: request.method,
        url: awsUrl(request),
        headers,
        body: await bodyBytes(request.body),
        upstream: awsUpstreamName(request),
        timeoutMs: requestTimeout || this.config.requestTimeout || undefined,
        decompress: false,
        // The deprecated AbortSignal shape has no listeners; it is still checked before and after the call.
        signal: abortSignal && 'addEventListener' in abortSignal ? abortSignal as AbortSignal : undefined,
      });
      if (abortSignal?.aborted) throw sdkError(undefined, abortSignal);
      return { response: new HttpResponse({ statusCode: res.status, headers: res.headers, body: Readable.from(res.body) }) };
    } catch (e) {
      throw sdkError(e, abortSignal);
    }
  }

  updateHttpClientConfig(key: keyof AwsHandlerConfig, value: AwsHandlerConfig[typeof key]): void {
    this.config = { ...this.config, [key]: value };
  }

  httpHandlerConfigs(): AwsHandlerConfig {
    return this.config;
  }

  /** Connections belong to the shared HttpClient (Node's keep-alive agents), not to one SDK client. */
  destroy(): void {}
}
