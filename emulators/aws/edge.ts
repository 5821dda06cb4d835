/**
 * The embedded AWS edge: one port (4566, as LocalStack) in front of S3, SSM, SQS and DynamoDB.
 *
 * A request goes to a service by, in order: its `X-Amz-Target` prefix, the service in its SigV4 credential scope
 * (header or presigned `X-Amz-Credential`), its host name; S3 is the default, as on LocalStack. S3 gets the raw
 * request (it streams bodies); JSON services (SSM, SQS, Secrets Manager) get a parsed body after the edge has
 * verified the signature; DynamoDB gets a body the edge has read and checked (a JSON object within the limits
 * below) — dynalite throws where nothing can catch it on a request that hangs up mid-body or a body that is not an
 * object. `/__admin` is the shared emulator frame's admin API over all services.
 */
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { createEmulator, listen } from '../shared/emulator.ts';
import { stderrLog } from '../shared/http-guard.ts';
import { memo, verifySigV4 } from './sigv4.ts';
import { createS3 } from './s3/index.ts';
import type { AccountSpec } from './s3/accounts.ts';
import { createSsm } from './ssm/routes.ts';
import { createSqs } from './sqs/routes.ts';
import { createDynamo, DYNAMODB_TARGET, SERVED_OPERATIONS as DYNAMODB_OPERATIONS, type DynamoService } from './dynamodb/routes.ts';
import { nullInside } from './dynamodb/input.ts';
import { createSecretsManager } from './secretsmanager/routes.ts';
import { localstackRoutes } from './admin.ts';
import { CallLog, type PendingCall } from './call-log.ts';
import { closestNames } from '../shared/near-miss.ts';
import { UNKNOWN_OPERATION_TYPE } from './unknown-operation.ts';
import { readBody } from './s3/body.ts';
import { parseJsonObjectWithin, type JsonLimits, type JsonObjectVerdict } from '../../proxy/core/json-limits.ts';
import { edgeErrorShape, type RoutedBy } from './edge-errors.ts';

/**
 * Request limits of the JSON services. DynamoDB: 16 MB (its BatchWriteItem request limit, as dynalite); others
 * 2 MB. Depth 128: a DynamoDB item nests 32 attribute levels, two JSON levels each, inside the request's own.
 */
const JSON_LIMITS: JsonLimits = { maxBytes: 2 * 1024 * 1024, maxDepth: 128 };
const DYNAMODB_LIMITS: JsonLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 128 };

/** An error in a JSON service's shape: `{"__type": type, "message": message}`, plus any headers it needs. */
export interface AwsJsonError {
  type: string;
  status: number;
  message: string;
  headers?: Record<string, string>;
}

export interface CallContext {
  /** Scheme, host and port the client used (for URLs such as SQS queue URLs). */
  baseUrl: string;
  /** Aborted when the client goes away (ends SQS long polls early). */
  signal: AbortSignal;
}

/** A service speaking the AWS JSON protocol: the edge reads, verifies and parses; the service answers. */
export interface JsonService {
  name: string;
  targetPrefix: string;
  contentType: string;
  call(op: string, input: Record<string, unknown>, ctx: CallContext): unknown;
  /** The operations it serves (an unknown one is journalled as a near miss naming the closest of these). */
  operations: readonly string[];
  /** Build an error in this service's shape (used for signature failures and injected faults). */
  error(type: string, status: number, message: string): AwsJsonError;
  /** What the journal may keep of an input (secrets masked). */
  redact?(input: Record<string, unknown>): unknown;
  snapshot(): unknown;
  reset(): void;
  close?(): void;
}

/** A service given the raw request: it reads the body itself. */
export interface RawService {
  name: string;
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  snapshot(): unknown;
  reset(): void;
}

type Service = JsonService | RawService | DynamoService;

export interface EdgeOptions {
  port?: number;
  host?: string;
  region?: string;
  /** The default account's keys (accessKeyId → secret); `test`/`test` when not given. */
  credentials?: Record<string, string>;
  /** More accounts, one key pair each (AWS_EDGE_ACCOUNTS): S3 gives each its own buckets, policies and ACLs. */
  accounts?: AccountSpec[];
  persistDir?: string;
  /** Epoch milliseconds for SSM and Secrets Manager (recovery windows, LastModifiedDate); tests move it. */
  clock?: () => number;
}

export async function startAwsEdge(opts: EdgeOptions = {}) {
  const region = opts.region ?? 'us-east-1';
  const s3 = createS3({ credentials: opts.credentials ?? { test: 'test' }, accounts: opts.accounts, region, persistDir: opts.persistDir });
  // Every account's key signs requests to the JSON services too (they keep one account's worth of state).
  const credentials = s3.accounts.credentials;
  const services = {
    s3: wrapS3(s3),
    ssm: createSsm({ region, now: opts.clock }),
    sqs: createSqs({ region }),
    dynamodb: createDynamo({ region }),
    secretsmanager: createSecretsManager({ region, now: opts.clock }),
  };
  const frame = createEmulator({
    name: 'aws',
    snapshot: () => Object.fromEntries(Object.entries(services).map(([k, s]) => [k, s.snapshot()])),
    reset: () => Object.values(services).forEach((s) => s.reset()),
    routes: () => {},
  });

  // The dispatch table: adding a service (Secrets Manager) is one entry here and one in `byScope`.
  const byTarget: [prefix: string, service: Service][] = [
    ['AmazonSSM.', services.ssm],
    ['AmazonSQS.', services.sqs],
    ['DynamoDB_20120810.', services.dynamodb],
    ['secretsmanager.', services.secretsmanager],
  ];
  const byScope: Record<string, Service> = { s3: services.s3, ssm: services.ssm, sqs: services.sqs, dynamodb: services.dynamodb, secretsmanager: services.secretsmanager };

  function pick(req: RoutedBy): Service {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') for (const [prefix, s] of byTarget) if (target.startsWith(prefix)) return s;
    const scope = scopeService(req);
    if (scope && byScope[scope]) return byScope[scope];
    const host = String(req.headers.host ?? '');
    for (const name of ['sqs', 'ssm', 'dynamodb'] as const) if (host.startsWith(`${name}.`)) return services[name];
    return services.s3;
  }

  const localstack = localstackRoutes(Object.keys(services));
  const calls = new CallLog(frame.journal);
  const callOf = new WeakMap<http.IncomingMessage, PendingCall>();

  /** An X-Amz-Target naming no operation the service serves: journalled with the closest ones it does. */
  function unknownOperation(req: http.IncomingMessage, prefix: string, operations: readonly string[]): void {
    const call = callOf.get(req);
    const op = String(req.headers['x-amz-target'] ?? '').slice(prefix.length);
    const closest = closestNames(operations, op).map((name) => ({ method: 'POST', route: `X-Amz-Target: ${prefix}${name}`, why: `"${op}" is not an operation this service serves; ${name} is` }));
    if (call) calls.nearMiss(call, { reason: `unknown operation ${prefix}${op}`, closest });
  }

  // Returns the JSON and DynamoDB paths' promises, so `listen()`'s guard answers 500 for anything they throw.
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void> => {
    const url = req.url ?? '/';
    if (url.startsWith('/__admin')) return (calls.flush(), frame.app(req, res));
    if (url.startsWith('/_localstack')) return localstack(req, res);
    const service = pick(req);
    if ('serve' in service) return dynamodb(req, res);
    if ('handle' in service) return raw(service, req, res);
    return json(service, req, res);
  };

  /**
   * Journal and faults for every service call, as the emulator frame does for its own routes. True: carry on;
   * false: the fault answered (or dropped) the request; a promise when the fault delays first.
   */
  function admit(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, faultBody: (status: number) => [string, string]): boolean | Promise<boolean> {
    const call = calls.add(req, res, typeof body === 'string' ? body : JSON.stringify(body));
    callOf.set(req, call);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fault = frame.faults.take(req.method ?? 'GET', q < 0 ? url : url.slice(0, q));
    if (!fault) return true;
    call.fault = `#${fault.id}`;
    const act = (): boolean => {
      if (fault.drop) return (req.socket.destroy(), false);
      if (fault.status === undefined) return true;
      // A string body is sent as it is, in the service's error media type (S3's XML error for S3); others as JSON.
      const [contentType, text] = fault.body === undefined ? faultBody(fault.status)
        : typeof fault.body === 'string' ? [faultBody(fault.status)[0], fault.body] : ['application/json', JSON.stringify(fault.body)];
      const headers: Record<string, string> = { 'content-type': contentType };
      if (fault.status === 429 || fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter ?? 1);
      res.writeHead(fault.status, headers).end(text);
      return false;
    };
    return fault.latencyMs ? new Promise((r) => setTimeout(() => r(act()), fault.latencyMs)) : act();
  }

  const whenAdmitted = (admitted: boolean | Promise<boolean>, go: () => void) => {
    if (admitted === true) go();
    else if (admitted !== false) void admitted.then((ok) => ok && go());
  };

  function raw(service: RawService, req: http.IncomingMessage, res: http.ServerResponse): void {
    const admitted = admit(req, res, '', s3FaultBody);
    if (admitted === true) service.handle(req, res);
    else whenAdmitted(admitted, () => service.handle(req, res));
  }

  /** DynamoDB: read the body here (bounded), refuse anything but a JSON object within limits, then call dynalite. */
  async function dynamodb(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const fail = (status: number, type: string, message: string) => sendDynamo(res, status, { __type: `com.amazon.coral.service#${type}`, message });
    let body: Buffer;
    try {
      body = await readBody(req, DYNAMODB_LIMITS.maxBytes);
    } catch (e) {
      if (isTooLarge(e)) return fail(413, 'RequestEntityTooLarge', `Request body exceeds the limit of ${DYNAMODB_LIMITS.maxBytes} bytes`);
      return void res.destroy(); // the client hung up mid-body: nobody to answer
    }
    // An empty body is left to dynalite, which answers it as DynamoDB does (SerializationException).
    const verdict = body.length ? parseJsonObjectWithin(body, DYNAMODB_LIMITS) : undefined;
    if (verdict && !verdict.ok) return fail(400, 'SerializationException', verdict.message);
    const hole = verdict?.ok ? nullInside(verdict.value) : undefined;
    if (hole) return fail(400, 'SerializationException', `null is not a value at ${hole.slice(0, 200)}`);
    whenAdmitted(admit(req, res, '', dynamoFaultBody), () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (target.startsWith(DYNAMODB_TARGET) && !DYNAMODB_OPERATIONS.includes(target.slice(DYNAMODB_TARGET.length))) unknownOperation(req, DYNAMODB_TARGET, DYNAMODB_OPERATIONS);
      try {
        services.dynamodb.serve(req, res, body, verdict?.value);
      } catch (e) {
        internalError(req, e);
        if (!res.headersSent) fail(500, 'InternalFailure', 'The request processing has failed because of an unknown error.');
      }
    });
  }

  async function json(service: JsonService, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': service.contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID(), ...headers });
      res.end(text);
    };
    // An empty message is left out, as coral does for UnknownOperationException (unknown-operation.ts).
    const fail = (e: AwsJsonError) => send(e.status, e.message ? { __type: e.type, message: e.message } : { __type: e.type }, e.headers);
    let body: Buffer;
    try {
      body = await readBody(req, JSON_LIMITS.maxBytes);
    } catch (e) {
      if (isTooLarge(e)) return fail(service.error('RequestEntityTooLarge', 413, `Request body exceeds the limit of ${JSON_LIMITS.maxBytes} bytes`));
      return void res.destroy(); // the client hung up mid-body: nobody to answer
    }
    const verdict: JsonObjectVerdict = body.length ? parseJsonObjectWithin(body, JSON_LIMITS) : { ok: true, value: {} };
    const input = verdict.ok ? verdict.value : undefined;
    const proceed = () => {
      const failure = authenticate(req, body, service.name);
      if (failure) return fail(authError(service, failure));
      if (!verdict.ok) {
        // AWS's wording for a body that is not an object; a limit is named as such.
        const message = verdict.problem === 'invalid' ? 'Start of structure or map found where not expected.' : verdict.message;
        return fail(service.error('SerializationException', 400, message));
      }
      const op = String(req.headers['x-amz-target'] ?? '').slice(service.targetPrefix.length);
      const aborter = new AbortController();
      res.on('close', () => aborter.abort());
      const ctx: CallContext = { baseUrl: `http://${req.headers.host ?? `127.0.0.1:${listening.port}`}`, signal: aborter.signal };
      Promise.resolve()
        .then(() => service.call(op, verdict.value, ctx))
        .then(
          (out) => !res.writableEnded && send(200, out),
          (e: unknown) => {
            if (isAwsJsonError(e)) {
              if (e.type === UNKNOWN_OPERATION_TYPE) unknownOperation(req, service.targetPrefix, service.operations);
              return fail(e);
            }
            internalError(req, e);
            fail(service.error('InternalFailure', 500, 'The request processing has failed because of an unknown error.'));
          },
        );
    };
    const faultBody = (status: number): [string, string] => {
      const e = service.error(faultCode(status), status, 'Injected fault');
      return [service.contentType, JSON.stringify({ __type: e.type, message: e.message })];
    };
    const journalled = input ? service.redact?.(input) ?? input : '';
    whenAdmitted(admit(req, res, journalled, faultBody), proceed);
  }

  function authenticate(req: http.IncomingMessage, body: Buffer, service: string): AuthFailure | undefined {
    const [path, rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s);
    if (!req.headers.authorization && !/(^|&)X-Amz-Credential=/.test(rawQuery)) return { kind: 'missing', message: 'Missing Authentication Token' };
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const v = verifySigV4({ method: req.method ?? 'POST', path, rawQuery, headers: flatHeaders(req.headers) }, credentials, Date.now(), { payloadHash });
    if (!v.ok) return classifyAuthFailure(v.code, v.message);
    if (v.service !== service) return { kind: 'malformed', message: `Credential should be scoped to correct service: '${service}'.` };
    return undefined;
  }

  const log = stderrLog('aws');
  const internalError = (req: http.IncomingMessage, e: unknown) =>
    log('unhandled error in service call', { method: req.method, target: req.headers['x-amz-target'], error: (e as Error)?.message, stack: (e as Error)?.stack });

  const listening = await listen(handler as http.RequestListener, opts.port ?? 4566, { host: opts.host, errors: edgeErrorShape(pick), log });
  return {
    url: listening.url,
    port: listening.port,
    services,
    /** The journal, with every call so far in it. */
    get journal() {
      return calls.flush();
    },
    faults: frame.faults,
    async close() {
      services.sqs.close?.();
      await listening.close();
    },
  };
}

export type AwsEdge = Awaited<ReturnType<typeof startAwsEdge>>;

/** The service named in a SigV4 credential scope: `<key>/<date>/<region>/<service>/aws4_request`. */
function scopeService(req: RoutedBy): string | undefined {
  const auth = req.headers.authorization;
  const cred = auth ? /Credential=([^,\s]+)/.exec(auth)?.[1] : presignedCredential(req.url ?? '');
  if (!cred) return undefined;
  return credentialServices(cred, () => ({ service: credentialService(cred) })).service;
}

// Clients send one credential scope per day and service: decode and split each once, not on every request.
const credentialServices = memo<{ service?: string }>(256);

function credentialService(cred: string): string | undefined {
  try {
    return (cred.includes('%') ? decodeURIComponent(cred) : cred).split('/')[3];
  } catch {
    return undefined;
  }
}

/** The raw X-Amz-Credential query value, found without a regular expression over the whole URL (S3 GET hot path). */
function presignedCredential(url: string): string | undefined {
  let at = url.indexOf('X-Amz-Credential=');
  while (at > 0 && url[at - 1] !== '?' && url[at - 1] !== '&') at = url.indexOf('X-Amz-Credential=', at + 1);
  if (at < 1) return undefined;
  const end = url.indexOf('&', at);
  return url.slice(at + 'X-Amz-Credential='.length, end < 0 ? undefined : end);
}

const s3FaultBody = (status: number): [string, string] =>
  ['application/xml', `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${faultCode(status)}</Code><Message>Injected fault</Message><RequestId>${randomUUID()}</RequestId></Error>`];
const dynamoFaultBody = (status: number): [string, string] =>
  ['application/x-amz-json-1.0', JSON.stringify({ __type: `com.amazon.coral.service#${faultCode(status)}`, message: 'Injected fault' })];

function authError(service: JsonService, f: AuthFailure): AwsJsonError {
  const table = AUTH_ERRORS[service.name] ?? AUTH_ERRORS.ssm;
  const [type, status, message] = table[f.kind];
  return service.error(type, status, message ?? f.message);
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const BAD_SIGNATURE = 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/**
 * Signature failures per service. JSON 1.1 (coral) services answer 400 with coral names, as dynalite records
 * from DynamoDB; SQS keeps its query-era codes and 403 (SQS common errors: InvalidClientTokenId, SignatureDoesNotMatch).
 */
const AUTH_ERRORS: Record<string, Record<AuthFailure['kind'], [string, number, string?]>> = {
  ssm: {
    missing: ['MissingAuthenticationTokenException', 400],
    unknownKey: ['UnrecognizedClientException', 400, INVALID_TOKEN],
    badSignature: ['InvalidSignatureException', 400, BAD_SIGNATURE],
    expired: ['InvalidSignatureException', 400],
    malformed: ['IncompleteSignatureException', 400],
  },
  sqs: {
    missing: ['MissingAuthenticationToken', 403],
    unknownKey: ['InvalidClientTokenId', 403, INVALID_TOKEN],
    badSignature: ['SignatureDoesNotMatch', 403, BAD_SIGNATURE],
    expired: ['SignatureDoesNotMatch', 403],
    malformed: ['IncompleteSignature', 400],
  },
};

/** Error code for an injected fault's status, in the names AWS services use for those statuses. */
function faultCode(status: number): string {
  return ({ 429: 'ThrottlingException', 500: 'InternalFailure', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' } as Record<number, string>)[status] ?? 'InjectedFault';
}

type AuthFailure = { kind: 'missing' | 'unknownKey' | 'badSignature' | 'expired' | 'malformed'; message: string };

/** The verifier speaks S3's codes; map them to the kind of failure each JSON service names its own way. */
function classifyAuthFailure(code: string, message: string): AuthFailure {
  const kinds: Record<string, AuthFailure['kind']> = {
    InvalidAccessKeyId: 'unknownKey',
    SignatureDoesNotMatch: 'badSignature',
    RequestTimeTooSkewed: 'expired',
    AccessDenied: 'expired',
  };
  return { kind: kinds[code] ?? 'malformed', message };
}

function wrapS3(s3: ReturnType<typeof createS3>): RawService {
  return { name: 's3', handle: (req, res) => s3.handle(req, res), snapshot: () => s3.snapshot(), reset: () => s3.reset() };
}

function flatHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

const isTooLarge = (e: unknown) => (e as { code?: string })?.code === 'EntityTooLarge';

function sendDynamo(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID() });
  res.end(text);
}

function isAwsJsonError(e: unknown): e is AwsJsonError {
  return !!e && typeof e === 'object' && typeof (e as AwsJsonError).type === 'string' && typeof (e as AwsJsonError).status === 'number';
}

