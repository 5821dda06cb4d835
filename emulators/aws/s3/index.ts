/**
 * The embedded S3: `createS3(...).handle(req, res)` serves the S3 REST API on any Node HTTP server (the AWS edge
 * routes to it), with SigV4 checks, in-memory state and optional crash-safe persistence (persist/store.ts).
 */
import type http from 'node:http';
import { S3Error, errors } from './errors.ts';
import { S3State } from './state.ts';
import { DiskStore } from './persist/store.ts';
import { route } from './routes.ts';
import { authenticate, corsForRequest, newRequestId, parseIncoming, preflight, renderError, send, type Incoming } from './wire.ts';
import type { S3Context, S3Request } from './request.ts';

export interface S3Options {
  /** accessKeyId → secret */
  credentials: Record<string, string>;
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
}

export function createS3(opts: S3Options): S3Service {
  const now = opts.now ?? Date.now;
  const store = opts.persistDir ? new DiskStore(opts.persistDir, { compactBytes: opts.compactBytes }) : undefined;
  const state = new S3State(now, store);
  const ctx: S3Context = { state, now, defaultRegion: opts.region ?? 'us-east-1' };
  const wire = { credentials: opts.credentials, now };

  /** Requests without a body run start to finish synchronously; only body reads wait on a promise. */
  function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const requestId = newRequestId();
    const inc = parseIncoming(req);
    try {
      if (inc.method === 'OPTIONS') {
        req.resume();
        return send(res, inc.method, preflight(req, inc.address.bucket, ctx), requestId);
      }
      const s3req = authenticate(req, inc, wire, ctx.defaultRegion);
      if (s3req instanceof Promise) {
        // A conditional write compares the key as it was when the request arrived, before its body was read.
        const arrival = inc.address.key !== undefined && inc.address.bucket !== undefined ? { versions: state.buckets.get(inc.address.bucket)?.objects.get(inc.address.key) } : undefined;
        s3req.then((r) => answer(res, inc, requestId, { ...r, arrival })).catch((e: unknown) => fail(res, inc, requestId, e));
      }
      else answer(res, inc, requestId, s3req);
    } catch (e) {
      fail(res, inc, requestId, e);
    }
  }

  /** Reads answer in the same tick; a write is answered only once what it committed is durable. */
  function answer(res: http.ServerResponse, inc: Incoming, requestId: string, s3req: S3Request): void {
    const cors = corsForRequest(s3req.headers.origin, inc.method, inc.address.bucket, ctx);
    try {
      const out = route(s3req)(s3req, ctx);
      if (!(out instanceof Promise) && (inc.method === 'GET' || inc.method === 'HEAD')) return send(res, inc.method, out, requestId, cors);
      Promise.resolve(out)
        .then(async (r) => {
          await state.durable();
          send(res, inc.method, r, requestId, cors);
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
  };
}

export { S3State } from './state.ts';
export { S3Error } from './errors.ts';
