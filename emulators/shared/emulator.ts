/**
 * The frame every fake server shares: request journal, fault injection and the `/__admin` API, around the
 * emulator's own wire routes. An emulator supplies its state hooks and its routes; this file knows no API.
 *
 * Admin API (the same in every emulator):
 *   GET    /__admin/health             → {"ok":true,"emulator":name,"requests":n,"lastError":{time,method,path,status,fault}|null}
 *   GET    /__admin/state              → the emulator's state snapshot
 *   POST   /__admin/reset              → state back to its seed; journal and faults cleared
 *   GET    /__admin/journal[?method=&path=&trace=<trace id>&nearMiss=1]  DELETE /__admin/journal
 *          each entry: seq, time, method, path, query, headers (credentials masked), body, status, durationMs,
 *          fault; traceId and spanId (W3C traceparent of the request); nearMiss {reason, closest:[{method, route,
 *          why}]} when no route took it (near-miss.ts); hop (the gateway: identity, usage plan, signature)
 *   GET    /__admin/faults  POST /__admin/faults (FaultSpec)  DELETE /__admin/faults
 * Emulators may add their own routes under /__admin (e.g. seeding) through `admin`.
 */
import express from 'express';
import type { Express, Request, Response, NextFunction, Router } from 'express';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Journal, journalBody, type JournalEntry } from './journal.ts';
import { expressRouteTable, nearMissFor, type DeclaredRoute } from './near-miss.ts';
import { Faults, type FaultSpec } from './faults.ts';
import { answerClientErrors, answerNodeRefusals, guardRequests, jsonShape, proxyErrorShape, stderrLog, type ErrorLog, type ErrorShape, type WireProblem } from './http-guard.ts';
import { jsonBody } from './json-body.ts';
import { SERVER_KEEP_ALIVE_MS } from '../../proxy/core/keep-alive.ts';

export interface EmulatorHooks {
  name: string;
  snapshot(): unknown;
  reset(): void;
  /** Render an injected fault's body in the emulated API's error shape. */
  faultBody?(status: number): unknown;
  /** Extra admin routes mounted under /__admin. */
  admin?: (router: Router) => void;
  /** The emulator's wire routes. */
  routes: (app: Express) => void;
  /** Raw body limit for wire routes (default 10 MB: fakes must see oversized requests to reject them as the real API does). */
  bodyLimit?: string;
  /** The emulated API's error shape, for refusals no route makes (parser errors, unexpected throws). Default: the frame's. */
  errorShape?: ErrorShape;
}

export interface Emulator {
  app: Express;
  journal: Journal;
  faults: Faults;
  /** Pass to `listen()` so parser-level refusals and 500s come in the emulated API's shape. */
  errorShape: ErrorShape;
}

/** The frame's own error body (admin API, and servers that name no shape): `{"error": message}`. */
export const frameErrorShape: ErrorShape = jsonShape((p) => ({ error: p.message }));

export function createEmulator(hooks: EmulatorHooks): Emulator {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const journal = new Journal();
  const faults = new Faults();

  const admin = express.Router();
  admin.use(jsonBody());
  admin.get('/health', (_req, res) => res.json({ ok: true, emulator: hooks.name, ...journal.stats() }));
  admin.get('/state', (_req, res) => res.json(hooks.snapshot()));
  admin.post('/reset', (_req, res) => {
    hooks.reset();
    journal.clear();
    faults.clear();
    res.json({ ok: true });
  });
  admin.get('/journal', (req, res) => {
    const trace = str(req.query.trace);
    if (trace !== undefined && !TRACE_ID.test(trace)) return void res.status(400).json({ error: 'trace must be a W3C trace id: 32 lowercase hex digits' });
    res.json({ entries: journal.list({ method: str(req.query.method), pathPrefix: str(req.query.path), trace, nearMiss: str(req.query.nearMiss) === '1' || str(req.query.nearMiss) === 'true' }) });
  });
  admin.delete('/journal', (_req, res) => {
    journal.clear();
    res.json({ ok: true });
  });
  admin.get('/faults', (_req, res) => res.json({ faults: faults.list() }));
  admin.post('/faults', (req, res) => {
    try {
      res.status(201).json(faults.add(req.body as FaultSpec));
    } catch (e) {
      res.status(400).json({ error: (e as Error).message });
    }
  });
  admin.delete('/faults', (_req, res) => {
    faults.clear();
    res.json({ ok: true });
  });
  hooks.admin?.(admin);
  // Unknown admin paths stay in the admin API's shape instead of falling through to the emulated API's 404.
  admin.use((req, res) => res.status(404).json({ error: `no admin route for ${req.method} /__admin${req.path}` }));
  admin.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    res.status(err.status && err.status < 500 ? err.status : 400).json({ error: err.message });
  });
  app.use('/__admin', admin);

  // Everything below is the emulated API: journal it, then apply any fault, then the emulator's routes.
  app.use(express.raw({ type: () => true, limit: hooks.bodyLimit ?? '10mb' }));
  app.use((req, res, next) => {
    const started = Date.now();
    const body = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);
    const [path, query = ''] = req.originalUrl.split(/\?(.*)/s);
    const entry = journal.record({ method: req.method, path, query, headers: req.headers, body });
    entries.set(req, entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.durationMs = Date.now() - started;
    });
    const fault = faults.take(req.method, path);
    if (!fault) return next();
    entry.fault = `#${fault.id}`;
    const act = () => {
      if (fault.drop) return req.socket.destroy();
      if (fault.status === undefined) return next();
      if (fault.status === 429 || fault.retryAfter !== undefined) res.setHeader('Retry-After', String(fault.retryAfter ?? 1));
      res.status(fault.status).json(fault.body ?? hooks.faultBody?.(fault.status) ?? { error: `injected fault ${fault.status}` });
    };
    if (fault.latencyMs) setTimeout(act, fault.latencyMs);
    else act();
  });
  hooks.routes(app);
  const errorShape = hooks.errorShape ?? frameErrorShape;
  const log = stderrLog(hooks.name);
  app.use((err: Error & { status?: number; type?: string }, req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') return void sendProblem(res, errorShape, { status: 413, code: 'payload_too_large', message: `request body exceeds the limit of ${hooks.bodyLimit ?? '10mb'}` });
    // A refusal a route or the body reader made (a client that hung up mid-body, an undecodable body): its own status.
    if (err.status && err.status < 500) return void sendProblem(res, errorShape, { status: err.status, code: 'bad_request', message: err.message });
    log('unhandled error in request handler', { method: req.method, path: req.path.slice(0, 200), error: err.message, stack: err.stack });
    sendProblem(res, errorShape, { status: 500, code: 'internal_error', message: 'an internal error occurred' });
  });
  return { app, journal, faults, errorShape };
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** Each wire request's journal entry, for what only the route knows (the gateway's hop, a near miss). */
const entries = new WeakMap<http.IncomingMessage, JournalEntry>();

/** The journal entry of a request the frame journalled (undefined for admin requests and other servers). */
export const journalEntryOf = (req: http.IncomingMessage): JournalEntry | undefined => entries.get(req);

/**
 * A fake's fall-through handler calls this: no route took the request, so its journal entry is flagged as a near
 * miss with the closest declared routes — by default the fake's Express route table (`req.app`), or the routes the
 * fake passes (the fake Vault's mounts).
 */
export function notRouted(req: Request, opts: { reason?: string; routes?: DeclaredRoute[] } = {}): void {
  const entry = entries.get(req);
  if (!entry) return;
  entry.nearMiss = nearMissFor(opts.routes ?? expressRouteTable(req.app), req.method, entry.path, opts.reason);
}

function sendProblem(res: Response, shape: ErrorShape, problem: WireProblem): void {
  if (res.headersSent) return void res.destroy();
  const r = shape(problem, {});
  res.status(r.status ?? problem.status).set({ ...r.headers, 'content-type': r.contentType }).send(r.body);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export interface Listening {
  url: string;
  port: number;
  server: http.Server | https.Server;
  close(): Promise<void>;
}

export interface ListenOptions {
  host?: string;
  tls?: { key: string; cert: string };
  /** The server's error shape for parser-level refusals and unexpected throws (default: the proxy's `{"error":{code,message}}`). */
  errors?: ErrorShape;
  /** Where an unexpected throw is logged (default: a JSON line on stderr). */
  log?: ErrorLog;
}

/**
 * Listen on host:port (port 0 picks a free one) and resolve with the bound URL. Every server started here answers
 * Node's parser refusals in its error shape and turns a throwing handler into a 500 for that request alone.
 */
export function listen(handler: http.RequestListener | http.Server | https.Server, port: number, opts: ListenOptions = {}): Promise<Listening> {
  const host = opts.host ?? '127.0.0.1';
  const server = handler instanceof http.Server || handler instanceof https.Server
    ? handler
    : opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : http.createServer(handler);
  // Announced as `Keep-Alive: timeout=5`, kept 1 s longer by Node; the stack's clients let an idle connection go
  // before that and replace one found closed before writing to it (proxy/core/keep-alive.ts).
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_MS;
  const shape = opts.errors ?? proxyErrorShape;
  answerClientErrors(server, shape);
  answerNodeRefusals(server, shape);
  guardRequests(server, shape, opts.log ?? stderrLog(`listener:${port}`));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const scheme = server instanceof https.Server ? 'https' : 'http';
      resolve({
        url: `${scheme}://${host}:${addr.port}`,
        port: addr.port,
        server,
        close: () => new Promise<void>((r) => {
          server.close(() => r());
          server.closeAllConnections?.();
        }),
      });
    });
  });
}
