/**
 * The request a piece of code is running for, without passing it by hand: `createApp` enters a context per request
 * and everything that runs for it — route, middleware, the AWS SDK's middleware stack, background work the request
 * started — sees it. The outbound HTTP client reads it to send a child `traceparent` on every call, and the logger
 * to put the trace id in every line.
 *
 * AsyncLocalStorage rather than a per-request `deps`: the AWS SDK clients are built once per cold start with the
 * function's AwsHttpHandler inside, so no per-request object reaches the handler that sends their requests; the
 * async context does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceContext } from './trace-context.ts';

export interface RequestContext {
  requestId: string;
  trace: TraceContext;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request this code runs for, or undefined outside any (cold start, a queue consumer). */
export const currentRequest = (): RequestContext | undefined => storage.getStore();

/** Run `fn` (and whatever it starts) as part of the request `ctx`. */
export function runInRequest<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}
