/**
 * A local API Gateway / Function URL in front of *bundled* Lambda functions (dist/lambda/<name>/index.mjs):
 * each HTTP request becomes a REST v1, HTTP API v2 or Function URL event, the bundle's handler runs with a Lambda
 * context, and its result goes back as that front would send it. Cold starts are measured and reported
 * (REPORT log lines, GET /__apigw/stats). Built on the shared emulator frame (/__admin journal, faults, reset).
 */
import http from 'node:http';
import { createEmulator, listen } from '../shared/emulator.ts';
import { jsonShape } from '../shared/http-guard.ts';
import type { Flavour } from './events.ts';
import type { FunctionSpec } from './runtime.ts';
import { apigwRoutes } from './routes.ts';
import { ApiGatewayState, type GatewayStats } from './state.ts';

export { FLAVOURS, toEvent, toV1Event, toV2Event, isTextual, type Flavour, type HttpRequestDescription, type V1Event, type V2Event } from './events.ts';
export { replyFromResult, gatewayFailure, type HttpReply } from './results.ts';
export type { FunctionSpec, FunctionStats } from './runtime.ts';
export type { GatewayStats } from './state.ts';

export interface ApiGatewayOptions {
  port?: number;
  host?: string;
  flavour: Flavour;
  functions: FunctionSpec[];
  /** Where the runtime's START/END/REPORT lines go (default: stdout). */
  log?: (line: string) => void;
}

export interface ApiGateway {
  url: string;
  port: number;
  stats(): GatewayStats;
  close(): Promise<void>;
}

export async function startApiGateway(opts: ApiGatewayOptions): Promise<ApiGateway> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const state = new ApiGatewayState(opts.flavour, opts.functions, log);
  const { app, errorShape } = createEmulator({
    name: 'apigw',
    snapshot: () => state.stats(),
    reset: () => state.reset(),
    // API Gateway's own error shape for an injected failure.
    faultBody: (status) => ({ message: status === 429 ? 'Too Many Requests' : 'Internal Server Error' }),
    errorShape: jsonShape((p) => ({ message: http.STATUS_CODES[p.status] ?? 'Error' })),
    routes: apigwRoutes(state),
  });
  const server = await listen(app, opts.port ?? 0, { host: opts.host, errors: errorShape });
  return {
    url: server.url,
    port: server.port,
    stats: () => state.stats(),
    close: async () => {
      await server.close();
      state.env.restore();
    },
  };
}
