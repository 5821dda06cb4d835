/**
 * DynamoDB behind the edge: every call goes to in-process dynalite with the body the edge read and checked, except
 * the Time to Live operations dynalite lacks, which are answered here from `TtlStore` in DynamoDB's JSON 1.0 shape.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { createEngine, type Engine } from './engine.ts';
import { DynamoError, TtlStore, VALIDATION } from './ttl.ts';

export const DYNAMODB_TARGET = 'DynamoDB_20120810.';

/**
 * What the edge serves: dynalite 4's operations (its `validOperations`; anything else gets its coral
 * UnknownOperationException) plus the Time to Live pair answered here.
 */
export const SERVED_OPERATIONS = [
  'BatchGetItem', 'BatchWriteItem', 'CreateTable', 'DeleteItem', 'DeleteTable', 'DescribeTable', 'DescribeTimeToLive', 'GetItem',
  'ListTables', 'ListTagsOfResource', 'PutItem', 'Query', 'Scan', 'TagResource', 'UntagResource', 'UpdateItem', 'UpdateTable', 'UpdateTimeToLive',
];

type Input = Record<string, unknown>;

export interface DynamoService {
  name: 'dynamodb';
  ttl: TtlStore;
  serve(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, input: Input | undefined): void;
  snapshot(): unknown;
  reset(): void;
}

export function createDynamo(opts: { region: string }): DynamoService {
  let engine: Engine = createEngine();
  const ttl = new TtlStore();

  /** Creation time of the table, or ResourceNotFoundException as DynamoDB words it for a missing table. */
  async function tableCreated(name: string): Promise<number> {
    const r = await engine.invoke('DescribeTable', { TableName: name }, opts.region);
    if (r.status !== 200) throw new DynamoError(String(r.body.__type), String(r.body.message ?? 'Requested resource not found'), r.status);
    return (r.body.Table as { CreationDateTime: number }).CreationDateTime;
  }

  const ttlOps: Record<string, (i: Input) => Promise<unknown>> = {
    async DescribeTimeToLive(i) {
      const table = tableName(i);
      return { TimeToLiveDescription: ttl.describe(table, await tableCreated(table)) };
    },
    async UpdateTimeToLive(i) {
      const table = tableName(i);
      const spec = i.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
      if (!spec || typeof spec !== 'object') throw validation(`Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null`);
      if (typeof spec.Enabled !== 'boolean') throw validation(`Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null`);
      if (typeof spec.AttributeName !== 'string' || spec.AttributeName.length < 1 || spec.AttributeName.length > 255) {
        throw validation(`Value '${String(spec.AttributeName ?? 'null')}' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length between 1 and 255`);
      }
      ttl.update(table, await tableCreated(table), spec.Enabled, spec.AttributeName);
      // The reply echoes the specification (UpdateTimeToLive API reference).
      return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
    },
  };

  /**
   * One call, with the body the edge read and the object it parsed from it (undefined for an empty body). A throw
   * from dynalite's synchronous checks propagates to the edge, which answers 500.
   */
  function serve(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, input: Input | undefined): void {
    const op = String(req.headers['x-amz-target'] ?? '').slice(DYNAMODB_TARGET.length);
    const own = ttlOps[op];
    if (!own) return engine.serve(req, body, res);
    if (!req.headers.authorization && !String(req.url).includes('X-Amz-Credential')) {
      return send(res, 400, { __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
    }
    own(input ?? {}).then(
      (out) => send(res, 200, out),
      (e: unknown) => (e instanceof DynamoError ? send(res, e.status, { __type: e.type, message: e.message }) : send(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'Internal error' })),
    );
  }

  return {
    name: 'dynamodb',
    ttl,
    serve,
    snapshot: () => ({ ttl: ttl.snapshot() }),
    reset() {
      // A fresh in-memory dynalite is the cheapest complete reset.
      engine = createEngine();
      ttl.reset();
    },
  };
}

function tableName(i: Input): string {
  const t = i.TableName;
  if (typeof t !== 'string') throw validation(`Value null at 'tableName' failed to satisfy constraint: Member must not be null`);
  // Table names: 3-255 characters of [a-zA-Z0-9_.-] (DynamoDB naming rules).
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(t)) {
    throw validation(`Value '${t}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  }
  return t;
}

const validation = (msg: string) => new DynamoError(VALIDATION, `1 validation error detected: ${msg}`);

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(json),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(json);
}
