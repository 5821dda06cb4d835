/**
 * What every server in the stack does with requests its handlers never see or never finish:
 *
 * - `clientError`: Node's HTTP parser refuses some requests before any handler runs (an unknown method, a
 *   duplicate Content-Length, CR or LF inside a header, bad chunking, headers over 16 KB, a slow client) and, left
 *   alone, answers a bare `400 Bad Request` with no body. Here the refusal is answered in the server's own error
 *   shape instead (Fastify's `clientErrorHandler` idea, on Node's `server.on('clientError')`).
 * - a throw or a rejected promise inside a request listener becomes a 500 for that request alone, logged with a
 *   request id, instead of an uncaught exception that stops every service in the process.
 *
 * `listen()` in emulator.ts applies both to every server it starts; each server passes its `ErrorShape`.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { ProxyError, renderError } from '../../proxy/core/errors.ts';

/** Why a request was refused, in words any error shape can render. */
export interface WireProblem {
  status: number;
  /** Stable machine-readable code: bad_request, header_too_large, request_timeout, internal_error, … */
  code: string;
  message: string;
}

export interface RenderedError {
  /** Overrides the problem's status (a service may use its own, e.g. S3 answers oversized headers with 400). */
  status?: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A server's error shape: the body its real counterpart sends for a refusal. `rawPacket` is what the parser had
 * read when it gave up (the AWS edge reads the target header from it to choose between JSON and XML).
 */
export type ErrorShape = (problem: WireProblem, context: ErrorContext) => RenderedError;

/** What is known of the refused request: the parser's raw bytes (clientError) or the parsed request (a throw). */
export interface ErrorContext {
  rawPacket?: Buffer;
  req?: http.IncomingMessage;
}

export type ErrorLog = (msg: string, fields: Record<string, unknown>) => void;

let sink: ErrorLog | undefined;

/**
 * Where this process's servers report unexpected errors. Unset, a JSON line on stderr; a supervised service sends
 * them to its supervisor's log (service-main.ts), which redacts and keeps them with every other service's lines.
 */
export function reportErrorsTo(log: ErrorLog): void {
  sink = log;
}

/** The log a server without a logger of its own uses (the fakes; the proxy passes its logger). */
export const stderrLog = (server: string): ErrorLog => (msg, fields) => {
  if (sink) return sink(msg, { server, ...fields });
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', server, msg, ...fields })}\n`);
};

/** The problem a parser error code stands for. Reasons are llhttp's own words (never request bytes). */
export function parserProblem(err: Error & { code?: string; reason?: string }): WireProblem {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, code: 'header_too_large', message: `request headers exceed the limit of ${http.maxHeaderSize} bytes` };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, code: 'chunk_extensions_too_large', message: 'chunk extensions exceed the limit of 16384 bytes' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, code: 'request_timeout', message: 'the request was not received in time' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, code: 'bad_request', message: 'malformed HTTP request: unknown method' };
    default:
      return { status: 400, code: 'bad_request', message: `malformed HTTP request: ${err.reason ?? 'unparseable'}` };
  }
}

/** A raw HTTP/1.1 response: the socket is closed after it, as Node does after a parser error. */
export function rawResponse(problem: WireProblem, rendered: RenderedError): string {
  const status = rendered.status ?? problem.status;
  const headers: Record<string, string> = {
    ...rendered.headers,
    'content-type': rendered.contentType,
    'content-length': String(Buffer.byteLength(rendered.body)),
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\n${lines.join('\r\n')}\r\n\r\n${rendered.body}`;
}

/** Sockets whose in-flight answer is being let through before the close (answerClientErrors). */
const closing = new WeakSet<Duplex>();

/** Answer parser-level refusals in `shape`. Replaces Node's default answer (a bare 400/431). */
export function answerClientErrors(server: http.Server, shape: ErrorShape): void {
  server.on('clientError', (err: Error & { code?: string; reason?: string; rawPacket?: Buffer }, socket: Duplex) => {
    // As Node's own handler: answer only while nothing of an in-flight response has reached this socket.
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (err.code !== 'ECONNRESET' && socket.writable && !(inFlight && inFlight.headersSent)) {
      const problem = parserProblem(err);
      // A body the parser refuses (bad chunking) belongs to a request whose head was parsed: its shape may depend on it.
      socket.write(rawResponse(problem, shape(problem, { rawPacket: err.rawPacket, req: inFlight?.req })));
      // end() (not destroy()) so the answer is flushed before the close; destroy later if the peer lingers.
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    // The parser reports again for each later chunk: handled once (a reset still ends it at once).
    if (closing.has(socket)) return void (err.code === 'ECONNRESET' && socket.destroy());
    if (err.code !== 'ECONNRESET' && inFlight?.headersSent && !inFlight.destroyed) {
      closing.add(socket);
      socket.pause();
      // The request's answer is already on its way (a handler answered before the bad chunk arrived): let it reach
      // the client whole, then close — the connection cannot carry another request. Destroying at once cut a
      // 9 KB answer off after its head (found by npm run fuzz: vault 404 with an empty body).
      const close = () => { socket.end(); setTimeout(() => socket.destroy(), 1000).unref(); };
      if (inFlight.writableFinished) close();
      else inFlight.once('finish', close).once('close', () => socket.destroy());
      setTimeout(() => socket.destroy(), 5000).unref();
      return;
    }
    socket.destroy();
  });
}

/**
 * Node answers two more refusals itself, outside `clientError`, with an empty body: an HTTP/1.1 request without
 * Host (`requireHostHeader`) and an Expect header other than 100-continue (417). Both are taken over here.
 */
export function answerNodeRefusals(server: http.Server, shape: ErrorShape): void {
  (server as http.Server & { requireHostHeader: boolean }).requireHostHeader = false;
  server.on('checkExpectation', (req: http.IncomingMessage, res: http.ServerResponse) => {
    sendProblem(req, res, shape, { status: 417, code: 'expectation_failed', message: `the Expect header is not supported: only 100-continue is` });
  });
}

/** RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host header. */
export function missingHost(req: http.IncomingMessage): boolean {
  return req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined;
}

function sendProblem(req: http.IncomingMessage, res: http.ServerResponse, shape: ErrorShape, problem: WireProblem): void {
  const rendered = shape(problem, { req });
  res.writeHead(rendered.status ?? problem.status, { ...rendered.headers, 'content-type': rendered.contentType, 'content-length': Buffer.byteLength(rendered.body), connection: 'close' });
  res.end(rendered.body);
}

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

/**
 * Wrap every request listener of `server` so a throw or a rejection answers 500 in `shape` (or cuts the
 * connection when the answer had already started) and is logged with the request's id.
 */
export function guardRequests(server: http.Server, shape: ErrorShape, log: ErrorLog): void {
  const listeners = server.listeners('request') as Listener[];
  server.removeAllListeners('request');
  for (const listener of listeners) server.on('request', guarded(listener, shape, log));
}

export function guarded(listener: Listener, shape: ErrorShape, log: ErrorLog): Listener {
  return function (this: unknown, req, res) {
    if (missingHost(req)) return sendProblem(req, res, shape, { status: 400, code: 'bad_request', message: 'an HTTP/1.1 request needs a Host header' });
    const fail = (e: unknown) => failRequest(req, res, e, shape, log);
    try {
      const out = listener.call(this, req, res);
      if (out && typeof (out as Promise<unknown>).then === 'function') (out as Promise<unknown>).then(undefined, fail);
    } catch (e) {
      fail(e);
    }
  };
}

function failRequest(req: http.IncomingMessage, res: http.ServerResponse, e: unknown, shape: ErrorShape, log: ErrorLog): void {
  const requestId = requestIdOf(req, res);
  const err = e instanceof Error ? e : new Error(String(e));
  log('unhandled error in request handler', { requestId, method: req.method, path: (req.url ?? '').split('?')[0].slice(0, 200), error: err.message, stack: err.stack });
  if (res.headersSent || res.writableEnded || res.destroyed) {
    res.destroy();
    return;
  }
  const problem: WireProblem = { status: 500, code: 'internal_error', message: `an internal error occurred (request id ${requestId})` };
  const rendered = shape(problem, { req });
  try {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.writeHead(rendered.status ?? 500, { ...rendered.headers, 'content-type': rendered.contentType, 'content-length': Buffer.byteLength(rendered.body), 'x-request-id': requestId });
    res.end(rendered.body);
  } catch {
    res.destroy();
  }
}

/** The id a client or log reader can quote: one the handler already set, the client's, or a new one. */
function requestIdOf(req: http.IncomingMessage, res: http.ServerResponse): string {
  for (const h of ['x-amzn-requestid', 'x-amz-request-id', 'x-request-id']) {
    const v = res.getHeader(h);
    if (typeof v === 'string' && v) return v;
  }
  const fromClient = req.headers['x-request-id'];
  return typeof fromClient === 'string' && /^[\w.:-]{1,128}$/.test(fromClient) ? fromClient : randomUUID();
}

/** A JSON error shape from a function of the problem: the common case. */
export const jsonShape = (body: (p: WireProblem) => unknown, contentType = 'application/json'): ErrorShape => (p) => ({ contentType, body: JSON.stringify(body(p)) });

/**
 * Gatehouse's own shape, `{"error":{"code","message"}}` (the proxy's renderError, README "Errors"): what a server
 * that names no shape answers — the proxy's port among them, wherever it is started.
 */
export const proxyErrorShape: ErrorShape = jsonShape((p) => renderError(new ProxyError(p.status, p.code, p.message)).body);
