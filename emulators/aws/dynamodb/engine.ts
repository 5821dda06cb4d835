/**
 * dynalite (an in-memory DynamoDB) run in-process, fed only bodies the edge has already read and checked.
 *
 * dynalite's HTTP handler reads the request itself and throws where nothing can catch it: it rethrows the
 * request's `error` event (a client hanging up mid-body), and a body that parses to something other than an
 * object (`null`) fails inside its type checks in an `end` listener. So the edge never gives it the client's
 * request: it reads the body, checks it is a JSON object within limits, and hands dynalite a stand-in request
 * whose `data` and `end` events are emitted synchronously here — a throw inside dynalite's checks then surfaces
 * from `serve()` to its caller, which answers 500 for that request alone.
 */
import http from 'node:http';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => http.Server;

type DynaliteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** The parts of a response dynalite writes. */
export type DynaliteResponse = Pick<http.ServerResponse, 'setHeader' | 'end'> & { statusCode: number };

export interface Engine {
  /** One call with a body already read; throws what dynalite throws synchronously. */
  serve(head: RequestHead, body: Buffer, res: DynaliteResponse): void;
  invoke(op: string, input: unknown, region: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

/** What dynalite reads of a request besides its body. */
export interface RequestHead {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
}

export function createEngine(): Engine {
  // Tables turn ACTIVE at once: tests and seeding should not wait out AWS's provisioning delay.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const handle = server.listeners('request')[0] as DynaliteHandler;
  const serve = (head: RequestHead, body: Buffer, res: DynaliteResponse) => {
    const req = Object.assign(new EventEmitter(), { method: head.method, url: head.url, headers: head.headers });
    handle(req as unknown as http.IncomingMessage, res as http.ServerResponse);
    if (body.length) req.emit('data', body);
    req.emit('end');
  };
  return { serve, invoke: (op, input, region) => invoke(serve, op, input, region) };
}

/** One call through dynalite without HTTP (the edge's own DescribeTable look-ups): a response that collects the body. */
function invoke(serve: Engine['serve'], op: string, input: unknown, region: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const head: RequestHead = {
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${op}`,
        'x-amz-date': date,
        // dynalite checks the signature's shape only; internal calls carry a well-formed placeholder.
        authorization: `AWS4-HMAC-SHA256 Credential=internal/${date.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
    };
    const res = {
      statusCode: 200,
      setHeader() {},
      end(body?: string) {
        resolve({ status: res.statusCode, body: body ? JSON.parse(body) : {} });
      },
    };
    try {
      serve(head, Buffer.from(JSON.stringify(input)), res as unknown as DynaliteResponse);
    } catch (e) {
      reject(e);
    }
  });
}
