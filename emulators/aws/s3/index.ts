/**
 * The embedded S3: `createS3(...).handle(req, res)` serves the S3 REST API on any Node HTTP server (the AWS edge
 * routes to it), with SigV4 checks, accounts, bucket policies and ACLs, in-memory state and optional crash-safe
 * persistence (persist/store.ts).
 */
import type http from 'node:http';
import { S3Error, errors } from './errors.ts';
import { S3State } from './state.ts';
import { DiskStore } from './persist/store.ts';
import { actionOf, route, CONFIG_LIMIT, type Route } from './routes.ts';
import { Accounts, type AccountSpec } from './accounts.ts';
import { Access } from './access/authorize.ts';
import { requestTagsOf } from './tagging.ts';
import { Keyring } from './sse/keyring.ts';
import { corsForRequest, identify, newRequestId, parseIncoming, preflight, readRequestBody, renderError, requestHead, send, type Identified, type Incoming } from './wire.ts';
import type { S3Context, S3Request } from './request.ts';

export interface S3Options {
  /** accessKeyId → secret: the default account's keys. */
  credentials: Record<string, string>;
  /** More accounts, each with its own key pair (AWS_EDGE_ACCOUNTS). */
  accounts?: AccountSpec[];
  region?: string;
  /** With a directory, buckets and objects survive a restart (and a crash: see persist/store.ts). */
  persistDir?: string;
  /** Journal bytes that trigger compaction (default 64 MiB, or S3_COMPACT_BYTES). */
  compactBytes?: number;
  /** Clock in epoch milliseconds (signature time checks, Last-Modified). */
  now?: () => number;
}

export interface S3Service {
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  reset(): void;
  snapshot(): unknown;
  /** Let pending writes become durable and release the persistence directory. */
  close(): Promise<void>;
  state: S3State;
  accounts: Accounts;
}

export function createS3(opts: S3Options): S3Service {
  const now = opts.now ?? Date.now;
  const accounts = new Accounts(opts.credentials, opts.accounts);
  const store = opts.persistDir ? new DiskStore(opts.persistDir, { compactBytes: opts.compactBytes }) : undefined;
  const state = new S3State(now, store);
  const ctx: S3Context = { state, now, defaultRegion: opts.region ?? 'us-east-1', accounts, access: new Access(state, accounts, now), keyring: new Keyring(opts.persistDir) };
  const wire = { accounts, now };

  /** Requests without a body run start to finish synchronously; only body reads wait on a promise. */
  function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const requestId = newRequestId();
    const inc = parseIncoming(req);
    try {
      if (inc.method === 'OPTIONS') {
        req.resume();
        return send(res, inc.method, preflight(req, inc.address.bucket, ctx), requestId);
      }
      const who = identify(req, inc, wire, ctx.defaultRegion);
      const head = requestHead(req, inc, who);
      const r = route(head);
      if (inc.method !== 'PUT' && inc.method !== 'POST') {
        req.resume();
        authorize(head, r);
        return answer(res, inc, requestId, head, r);
      }
      // Refused before its body is read: an unauthorized upload costs the server nothing.
      if (!r.afterBody) authorize(head, r);
      // A conditional write compares the key as it was when the request arrived, before its body was read.
      const arrival = inc.address.key !== undefined && inc.address.bucket !== undefined ? { versions: state.buckets.get(inc.address.bucket)?.objects.get(inc.address.key) } : undefined;
      withBody(req, who, r, head, arrival)
        .then((full) => {
          if (r.afterBody) authorize(full, r);
          answer(res, inc, requestId, full, r);
        })
        .catch((e: unknown) => fail(res, inc, requestId, e));
    } catch (e) {
      req.resume();
      fail(res, inc, requestId, e);
    }
  }

  async function withBody(req: http.IncomingMessage, who: Identified, r: Route, head: S3Request, arrival: S3Request['arrival']): Promise<S3Request> {
    const { body, trailers } = await readRequestBody(req, who, wire, r.bodyLimit ?? CONFIG_LIMIT);
    return { ...head, body, trailers, arrival };
  }

  /** The route's action checked against the bucket's owner, policy and ACLs (access/authorize.ts). */
  function authorize(req: S3Request, r: Route): void {
    const action = actionOf(r, req);
    if (action === null) return;
    if (req.bucket === undefined || action === 's3:createbucket') {
      // ListBuckets and CreateBucket name no existing bucket: any account may, nobody anonymous.
      if (!req.caller.account) throw errors.AccessDenied();
      return;
    }
    const objectAction = req.key !== undefined && action !== 's3:listbucket';
    ctx.access.check(req, action, req.bucket, objectAction ? req.key : undefined, { versionId: req.query.get('versionId'), requestTags: requestTagsOf(req) });
  }

  /** Reads answer in the same tick; a write is answered only once what it committed is durable. */
  function answer(res: http.ServerResponse, inc: Incoming, requestId: string, s3req: S3Request, r: Route): void {
    const cors = corsForRequest(s3req.headers.origin, inc.method, inc.address.bucket, ctx);
    try {
      const out = r.handler(s3req, ctx);
      if (!(out instanceof Promise) && (inc.method === 'GET' || inc.method === 'HEAD')) return send(res, inc.method, out, requestId, cors);
      Promise.resolve(out)
        .then(async (o) => {
          await state.durable();
          send(res, inc.method, o, requestId, cors);
        })
        .catch((e: unknown) => fail(res, inc, requestId, e, cors));
    } catch (e) {
      fail(res, inc, requestId, e, cors);
    }
  }

  function fail(res: http.ServerResponse, inc: Incoming, requestId: string, e: unknown, cors: Readonly<Record<string, string>> = {}): void {
    const err = e instanceof S3Error ? e : errors.InternalError();
    if (!(e instanceof S3Error)) console.error(`[s3] ${inc.method} ${inc.rawPath}: ${(e as Error)?.stack ?? e}`);
    if (!res.headersSent) send(res, inc.method, renderError(err, inc.rawPath, requestId), requestId, cors);
    else res.destroy();
  }

  return {
    handle: serve,
    reset: () => state.reset(),
    snapshot: () => state.snapshot(),
    close: async () => store?.close(),
    state,
    accounts,
  };
}

export { S3State } from './state.ts';
export { S3Error } from './errors.ts';
