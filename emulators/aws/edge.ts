/**
 * The embedded AWS edge: one port (4566, as LocalStack) in front of S3, SSM, SQS and DynamoDB.
 *
 * A request goes to a service by, in order: its `X-Amz-Target` prefix, the service in its SigV4 credential scope
 * (header or presigned `X-Amz-Credential`), its host name; S3 is the default, as on LocalStack. S3 and DynamoDB
 * get the raw request (their bodies are never read here); JSON services (SSM, SQS) get a parsed body after the
 * edge has verified the signature. `/__admin` is the shared emulator frame's admin API over all services.
 */
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import { createEmulator, listen } from '../shared/emulator.ts';
import { memo, verifySigV4 } from './sigv4.ts';
import { createS3 } from './s3/index.ts';
import { createSsm } from './ssm/routes.ts';
import { createSqs } from './sqs/routes.ts';
import { createDynamo } from './dynamodb/routes.ts';
import { createSecretsManager } from './secretsmanager/routes.ts';
import { localstackRoutes } from './admin.ts';
import { CallLog } from './call-log.ts';
import { readBody } from './s3/body.ts';

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

export interface EdgeOptions {
  port?: number;
  host?: string;
  region?: string;
  credentials?: Record<string, string>;
  persistDir?: string;
}

export async function startAwsEdge(opts: EdgeOptions = {}) {
  const region = opts.region ?? 'us-east-1';
  const credentials = opts.credentials ?? { test: 'test' };
  const services = {
    s3: wrapS3(createS3({ credentials, region, persistDir: opts.persistDir })),
    ssm: createSsm({ region }),
    sqs: createSqs({ region }),
    dynamodb: createDynamo({ region }),
    secretsmanager: createSecretsManager({ region }),
  };
  const frame = createEmulator({
    name: 'aws',
    snapshot: () => Object.fromEntries(Object.entries(services).map(([k, s]) => [k, s.snapshot()])),
    reset: () => Object.values(services).forEach((s) => s.reset()),
    routes: () => {},
  });

  // The dispatch table: adding a service (Secrets Manager) is one entry here and one in `byScope`.
  const byTarget: [prefix: string, service: JsonService | RawService][] = [
    ['AmazonSSM.', services.ssm],
    ['AmazonSQS.', services.sqs],
    ['DynamoDB_20120810.', services.dynamodb],
    ['secretsmanager.', services.secretsmanager],
  ];
  const byScope: Record<string, JsonService | RawService> = { s3: services.s3, ssm: services.ssm, sqs: services.sqs, dynamodb: services.dynamodb, secretsmanager: services.secretsmanager };

  function pick(req: http.IncomingMessage): JsonService | RawService {
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

  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/__admin')) return (calls.flush(), frame.app(req, res));
    if (url.startsWith('/_localstack')) return localstack(req, res);
    const service = pick(req);
    if ('handle' in service) return raw(service, req, res);
    void json(service, req, res);
  };

  /**
   * Journal and faults for every service call, as the emulator frame does for its own routes. True: carry on;
   * false: the fault answered (or dropped) the request; a promise when the fault delays first.
   */
  function admit(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, faultBody: (status: number) => [string, string]): boolean | Promise<boolean> {
    const call = calls.add(req, res, typeof body === 'string' ? body : JSON.stringify(body));
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fault = frame.faults.take(req.method ?? 'GET', q < 0 ? url : url.slice(0, q));
    if (!fault) return true;
    call.fault = `#${fault.id}`;
    const act = (): boolean => {
      if (fault.drop) return (req.socket.destroy(), false);
      if (fault.status === undefined) return true;
      const [contentType, text] = fault.body !== undefined ? ['application/json', JSON.stringify(fault.body)] : faultBody(fault.status);
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
    const admitted = admit(req, res, '', service === services.s3 ? s3FaultBody : dynamoFaultBody);
    if (admitted === true) service.handle(req, res);
    else whenAdmitted(admitted, () => service.handle(req, res));
  }

  async function json(service: JsonService, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': service.contentType, 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': randomUUID(), ...headers });
      res.end(text);
    };
    const fail = (e: AwsJsonError) => send(e.status, { __type: e.type, message: e.message }, e.headers);
    let body: Buffer;
    try {
      body = await readBody(req, 2 * 1024 * 1024);
    } catch {
      return fail(service.error('RequestEntityTooLarge', 413, 'Request body too large'));
    }
    const input = parseObject(body);
    const proceed = () => {
      const failure = authenticate(req, body, service.name);
      if (failure) return fail(authError(service, failure));
      if (!input) return fail(service.error('SerializationException', 400, 'Start of structure or map found where not expected.'));
      const op = String(req.headers['x-amz-target'] ?? '').slice(service.targetPrefix.length);
      const aborter = new AbortController();
      res.on('close', () => aborter.abort());
      const ctx: CallContext = { baseUrl: `http://${req.headers.host ?? `127.0.0.1:${listening.port}`}`, signal: aborter.signal };
      Promise.resolve()
        .then(() => service.call(op, input, ctx))
        .then(
          (out) => !res.writableEnded && send(200, out),
          (e: unknown) => (isAwsJsonError(e) ? fail(e) : fail(service.error('InternalFailure', 500, 'The request processing has failed because of an unknown error.'))),
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

  const listening = await listen(handler, opts.port ?? 4566, { host: opts.host });
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
function scopeService(req: http.IncomingMessage): string | undefined {
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

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isAwsJsonError(e: unknown): e is AwsJsonError {
  return !!e && typeof e === 'object' && typeof (e as AwsJsonError).type === 'string' && typeof (e as AwsJsonError).status === 'number';
}

