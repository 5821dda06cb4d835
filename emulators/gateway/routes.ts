/**
 * The gateway's wire layer: its JWKS, and every other request parsed into an Exchange, run through the steps
 * and forwarded to the proxy, whose answer is streamed back unchanged.
 *
 * The gateway is where a trace starts (W3C Trace Context): a valid `traceparent` from the client is continued, else
 * a new trace begins (an invalid one is replaced, its tracestate dropped). The proxy gets a traceparent naming the
 * gateway's span as parent; the request's journal entry gets the trace id and the gateway's hop (steps.ts,
 * GatewayHop); every answer, forwarded or the gateway's own, carries `traceresponse` (Trace Context Level 2) so a
 * client that sent no traceparent learns its trace id.
 */
import type { Express, Request, Response } from 'express';
import http from 'node:http';
import { endToEnd, runSteps, type Exchange, type Step } from './steps.ts';
import { journalEntryOf } from '../shared/emulator.ts';
import { continueTrace, formatTraceparent } from '../../proxy/core/trace-context.ts';
import { sendKeptAlive, sharedAgent } from '../../proxy/core/keep-alive.ts';
import type { GatewayState } from './state.ts';
import { requestTarget, upstreamRequest } from './target.ts';
import { verdictOf, type RefusalInput } from './refusals.ts';

// API Gateway answers its own errors as {"message": …} (docs: http-api-troubleshooting-jwt).
export const gatewayError = (status: number): { message: string } => ({ message: http.STATUS_CODES[status] ?? 'Error' });

export function gatewayRoutes(state: GatewayState, steps: Step[]) {
  return (app: Express): void => {
    app.get('/.well-known/jwks.json', async (_req, res) => {
      res.json(await state.jwks());
    });
    app.use(async (req: Request, res: Response) => {
      const x = toExchange(req);
      if (!x) {
        state.stats.rejected++;
        const [path, rawQuery = ''] = req.originalUrl.split(/\?(.*)/s);
        const traced = journalEntryOf(req);
        noteRefusal(req, res, state, {
          method: req.method, path, rawQuery, clientHeaders: clientHeaders(req), refusedBy: 'request_target', responseBody: gatewayError(400),
          reason: 'the request target is neither a path nor an absolute URL (asterisk- or authority-form), so the gateway routes it nowhere',
          ...(traced?.traceId ? { traceId: traced.traceId } : {}),
        });
        res.status(400).json(gatewayError(400));
        return;
      }
      const entry = journalEntryOf(req);
      if (entry) {
        entry.traceId = x.trace.traceId;
        entry.spanId = x.trace.parentId;
        entry.hop = x.hop;
      }
      res.setHeader('traceresponse', formatTraceparent(x.trace.traceId, x.trace.spanId, x.trace.flags));
      const early = await runSteps(steps, x, state);
      if (early) {
        state.stats.rejected++;
        noteRefusal(req, res, state, { ...refusalOf(x), ...verdictOf(x.hop, x.client), responseBody: early.body });
        res.status(early.status).set(early.headers ?? {}).json(early.body);
        return;
      }
      state.stats[x.identity ? 'authenticated' : 'anonymous']++;
      forward(x, state, res, (error) => noteRefusal(req, res, state, { ...refusalOf(x), refusedBy: 'proxy_unreachable', reason: `the proxy did not answer: ${error.message}`, responseBody: gatewayError(502) }));
    });
  };
}

/** The exchange for a request, or undefined when its target is one the gateway refuses (see target.ts). */
function toExchange(req: Request): Exchange | undefined {
  const target = requestTarget(req.originalUrl);
  if (!target) return undefined;
  const { path, rawQuery } = target;
  const client = clientHeaders(req);
  const trace = continueTrace(client);
  const forward = endToEnd(client);
  // The proxy's parent is the gateway's span; a tracestate goes on only with a trace it belongs to.
  forward.traceparent = formatTraceparent(trace.traceId, trace.spanId, trace.flags);
  if (trace.state) forward.tracestate = trace.state;
  else delete forward.tracestate;
  return {
    method: req.method,
    path,
    rawQuery,
    client,
    forward,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    sourceIp: req.socket.remoteAddress,
    identity: null,
    trace,
    hop: { spanId: trace.spanId, ...(trace.parentId ? { parentId: trace.parentId } : {}), trace: trace.origin },
  };
}

function clientHeaders(req: Request): Record<string, string> {
  const client: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) client[k] = Array.isArray(v) ? v.join(', ') : v;
  return client;
}

type Refusal = Omit<RefusalInput, 'startedAt' | 'ms' | 'status' | 'responseHeaders'>;

const refusalOf = (x: Exchange): Pick<Refusal, 'method' | 'path' | 'rawQuery' | 'traceId' | 'spanId' | 'hop' | 'clientHeaders'> => ({
  method: x.method, path: x.path, rawQuery: x.rawQuery, traceId: x.trace.traceId, spanId: x.trace.spanId, hop: x.hop, clientHeaders: x.client,
});

/** Once the gateway's own answer is sent, the request joins the refusals (the console's Trace view streams them). */
function noteRefusal(req: Request, res: Response, state: GatewayState, r: Refusal): void {
  const started = Date.now();
  const entry = journalEntryOf(req);
  res.once('finish', () => state.refusals.record({
    ...r,
    startedAt: entry ? Date.parse(entry.time) : started,
    ms: entry?.durationMs ?? Date.now() - started,
    status: res.statusCode,
    responseHeaders: Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])),
  }));
}

function forward(x: Exchange, state: GatewayState, res: Response, unanswered: (error: Error) => void): void {
  // The configured origin plus the path and query as they are: never resolved against it (target.ts).
  const target = upstreamRequest(state.upstream, x);
  // Kept-alive connections to the proxy, and a pooled one the proxy has closed replaced before sending (keep-alive.ts).
  sendKeptAlive({ ...target, method: x.method, headers: x.forward, body: x.body, agent: sharedAgent(target.protocol) }).then((up) => {
    state.stats.forwarded++;
    res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(defined(up.headers)));
    up.pipe(res);
    up.on('error', () => res.destroy());
  }, (error: Error) => {
    state.stats.upstreamErrors++;
    // Nothing sent yet: answer like a gateway whose integration failed. Mid-stream: cut the connection.
    if (!res.headersSent) {
      unanswered(error);
      res.status(502).json(gatewayError(502));
    } else res.destroy();
  });
}

/** Node keeps set-cookie as an array; writeHead takes arrays as they are, so repeated cookies survive. */
function defined(h: http.IncomingHttpHeaders): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(h).filter((e): e is [string, string | string[]] => e[1] !== undefined));
}
