/**
 * Express adapter: turns an Express request into a ProxyRequest, calls the app, writes the ProxyResponse.
 * No route logic here. The raw body is read with a limit one byte above the app's, so the app (not Express)
 * decides what is too large and answers in its own JSON error shape.
 */
import express from 'express';
import type { Request, Response, NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import { encodeBody, type App } from '../core/app.ts';
import { ProxyError, renderError } from '../core/errors.ts';
import type { ProxyRequest } from '../core/types.ts';
import { runInRequest } from '../core/request-context.ts';
import { continueTrace } from '../core/trace-context.ts';

export function expressAdapter(app: App): express.Express {
  const server = express();
  server.disable('x-powered-by');
  server.set('etag', false);
  server.use(express.raw({ type: () => true, limit: app.maxBodyBytes + 1 }));
  server.use(async (req: Request, res: Response) => {
    const out = await app.handle(toProxyRequest(req));
    send(res, out);
  });
  // Body-parser errors (too large, aborted, bad encoding) never reach the app: render them the same way.
  server.use((err: Error & { type?: string; status?: number }, req: Request, res: Response, _next: NextFunction) => {
    const e = err.type === 'entity.too.large'
      ? new ProxyError(413, 'payload_too_large', `request body exceeds the limit of ${app.maxBodyBytes} bytes`)
      : new ProxyError(err.status && err.status < 500 ? err.status : 400, 'bad_request', 'the request could not be read');
    // Never reached the app, which enters the request's trace: its log line still carries the trace id.
    const context = { requestId: String(req.headers['x-request-id'] ?? '') || randomUUID(), trace: continueTrace(req.headers) };
    runInRequest(context, () => app.deps.log.warn('request rejected before routing', { method: req.method, path: req.path, code: e.code }));
    send(res, renderError(e));
  });
  return server;
}

function toProxyRequest(req: Request): ProxyRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const q = req.originalUrl.indexOf('?');
  return {
    method: req.method,
    path: q >= 0 ? req.originalUrl.slice(0, q) : req.originalUrl,
    rawQuery: q >= 0 ? req.originalUrl.slice(q + 1) : '',
    headers,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    sourceIp: req.socket.remoteAddress,
    requestId: (headers['x-request-id'] as string) || randomUUID(),
  };
}

function send(res: Response, out: ReturnType<typeof renderError>): void {
  const { body, contentType } = encodeBody(out);
  res.status(out.status);
  for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
  if (contentType && !res.getHeader('content-type')) res.setHeader('content-type', contentType);
  res.end(body);
}
