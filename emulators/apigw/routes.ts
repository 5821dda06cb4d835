/** The wire layer: HTTP request → event of the gateway's flavour → function → HTTP answer. */
import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import { toEvent, type Flavour, type HttpRequestDescription } from './events.ts';
import { gatewayFailure, replyFromResult, type HttpReply } from './results.ts';
import type { ApiGatewayState } from './state.ts';

// The request-id header each front adds to every answer (observed responses: REST x-amzn-RequestId,
// HTTP API apigw-requestid, Function URL x-amzn-RequestId).
const REQUEST_ID_HEADER = { v1: 'x-amzn-RequestId', v2: 'apigw-requestid', url: 'x-amzn-RequestId' } as const;

export function apigwRoutes(state: ApiGatewayState): (app: Express) => void {
  return (app) => {
    app.get('/__apigw/stats', (_req, res) => { res.json(state.stats()); });
    app.use((req: Request, res: Response) => {
      serve(state, req, res).catch((e: Error) => {
        // The emulator's own bug must not take the process down; answer as the gateway would for a failure.
        console.error(`apigw: ${e.message}`);
        if (!res.headersSent) send(res, gatewayFailure(state.flavour, 'function_error'), state.flavour, randomUUID());
      });
    });
  };
}

async function serve(state: ApiGatewayState, req: Request, res: Response): Promise<void> {
  const requestId = randomUUID();
  const description = describe(req, requestId);
  const fn = state.match(description.path);
  if (!fn) return send(res, gatewayFailure(state.flavour, 'no_route'), state.flavour, requestId);
  const event = toEvent(state.flavour, { ...description, routeKey: state.routeKey(fn) });
  const outcome = await fn.invoke(event);
  const reply = outcome.kind === 'ok' ? replyFromResult(state.flavour, outcome.result)
    : gatewayFailure(state.flavour, outcome.kind === 'timeout' ? 'timeout' : 'function_error');
  send(res, reply, state.flavour, requestId);
}

function describe(req: Request, requestId: string): HttpRequestDescription {
  const [path, query = ''] = req.originalUrl.split(/\?(.*)/s);
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return {
    method: req.method, path, query, headers, requestId,
    body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
  };
}

function send(res: Response, reply: HttpReply, flavour: Flavour, requestId: string): void {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of reply.headers) {
    const g = grouped.get(name.toLowerCase()) ?? { name, values: [] };
    g.values.push(value);
    grouped.set(name.toLowerCase(), g);
  }
  for (const { name, values } of grouped.values()) res.setHeader(name, values.length === 1 ? values[0] : values);
  res.setHeader(REQUEST_ID_HEADER[flavour], requestId);
  res.status(reply.status).end(reply.body);
}
