/**
 * Lambda adapter: accepts API Gateway REST (v1), HTTP API (v2) and Function URL events, converts them to a
 * ProxyRequest, calls the same app the Express adapter serves, and converts the answer back. The app is built
 * once per cold start (secrets are loaded then) and reused by every invocation of the container.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '../../core/app.ts';
import { ProxyError, renderError } from '../../core/errors.ts';
import { fromV1, isV1, toV1, type ApiGatewayV1Event, type ApiGatewayV1Result } from './api-gateway-v1.ts';
import { fromV2, isV2, toV2, type ApiGatewayV2Event, type ApiGatewayV2Result } from './api-gateway-v2.ts';

export type HttpEvent = ApiGatewayV1Event | ApiGatewayV2Event;
export type HttpResult = ApiGatewayV1Result | ApiGatewayV2Result;
export interface LambdaContext {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

export function createLambdaHandler(buildApp: () => Promise<App>): (event: HttpEvent, context?: LambdaContext) => Promise<HttpResult> {
  let app: Promise<App> | undefined;
  return async (event, context) => {
    // A failed cold start is not cached: the next invocation tries again (Vault may have been briefly down).
    app ??= buildApp().catch((e) => {
      app = undefined;
      throw e;
    });
    const ready = await app;
    const id = context?.awsRequestId ?? randomUUID();
    if (isV2(event)) return toV2(await ready.handle(fromV2(event, id)));
    if (isV1(event)) {
      const req = fromV1(event, id);
      // API Gateway REST also caps payloads (10 MB); our own limit is applied by the app like everywhere else.
      return toV1(await ready.handle(req));
    }
    return toV2(renderError(new ProxyError(400, 'unsupported_event', 'the Lambda event is not an API Gateway v1/v2 or Function URL event')));
  };
}
