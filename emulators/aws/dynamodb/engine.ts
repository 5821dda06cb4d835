/**
 * dynalite (an in-memory DynamoDB) run in-process. Its HTTP request handler is called directly with the edge's
 * own request/response objects, so the edge adds no second hop; `invoke` drives the same handler without a
 * socket for the edge's internal look-ups (DescribeTable, ListTables).
 */
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (opts: Record<string, unknown>) => http.Server;

export type DynaliteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface Engine {
  handle: DynaliteHandler;
  invoke(op: string, input: unknown, region: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function createEngine(): Engine {
  // Tables turn ACTIVE at once: tests and seeding should not wait out AWS's provisioning delay.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const handle = server.listeners('request')[0] as DynaliteHandler;
  return { handle, invoke: (op, input, region) => invoke(handle, op, input, region) };
}

/** One call through dynalite without HTTP: a stream for the request, a minimal response that collects the body. */
function invoke(handle: DynaliteHandler, op: string, input: unknown, region: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const req = new PassThrough() as unknown as http.IncomingMessage & PassThrough;
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    Object.assign(req, {
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${op}`,
        'x-amz-date': date,
        // dynalite checks the signature's shape only; internal calls carry a well-formed placeholder.
        authorization: `AWS4-HMAC-SHA256 Credential=internal/${date.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      },
    });
    const res = {
      statusCode: 200,
      setHeader() {},
      end(body?: string) {
        resolve({ status: res.statusCode, body: body ? JSON.parse(body) : {} });
      },
    };
    handle(req, res as unknown as http.ServerResponse);
    req.end(JSON.stringify(input));
  });
}
