/**
 * The fake Customer.io: Track API v1 and App API v1 from one workspace state, served over HTTP and, on a
 * second port, over HTTPS with a certificate from the stack's local CA (emulators/shared/tls.ts).
 */
import http from 'node:http';
import { createEmulator, listen, type Emulator, type Listening } from '../shared/emulator.ts';
import { jsonShape } from '../shared/http-guard.ts';
import { DEFAULT_TLS_DIR, serverCert } from '../shared/tls.ts';
import { customerioAdmin } from './admin.ts';
import { errorBody } from './errors.ts';
import { customerioRoutes } from './routes.ts';
import { loadSeed } from './seed.ts';
import { CustomerioState } from './state.ts';
import { toWebhook } from './reporting.ts';
import { webhookAdmin } from './webhook-admin.ts';
import { WebhookSender } from './webhooks.ts';

export { CustomerioState } from './state.ts';
export { WebhookSender } from './webhooks.ts';
export { DEFAULT_FIXTURE } from './seed.ts';

export interface CustomerioOptions {
  port?: number;
  httpsPort?: number;
  host?: string;
  /** Where the local CA and server certificates are cached (default `.state/tls`). */
  tlsDir?: string;
  /** Seed file (default fixtures/customerio/seed.json). */
  fixture?: string;
  /** The workspace clock in unix seconds (tests move it to expire download links). */
  now?: () => number;
}

export interface RunningCustomerio {
  http: Listening;
  https: Listening;
  state: CustomerioState;
  emulator: Emulator;
  /** Reporting webhooks: configure the endpoint with `webhooks.configure({ url })` (or PUT /__admin/webhooks). */
  webhooks: WebhookSender;
  close(): Promise<void>;
}

/** The emulator frame around a state: journal, faults and /__admin, with faults in Customer.io's error shape. */
export function createCustomerioEmulator(state: CustomerioState, webhooks: WebhookSender): Emulator {
  return createEmulator({
    name: 'customerio',
    snapshot: () => state.snapshot(),
    reset: () => {
      state.reset();
      webhooks.reset();
    },
    faultBody: (status) => errorBody(http.STATUS_CODES[status] ?? `error ${status}`),
    errorShape: jsonShape((p) => errorBody(p.message)),
    admin: (router) => {
      customerioAdmin(router, state);
      webhookAdmin(router, state, webhooks);
    },
    routes: (app) => customerioRoutes(app, state),
  });
}

export async function startCustomerio(opts: CustomerioOptions = {}): Promise<RunningCustomerio> {
  const state = new CustomerioState(loadSeed(opts.fixture), opts.now);
  // Everything the workspace reports becomes a signed webhook to the configured endpoint (none until configured).
  const webhooks = new WebhookSender(() => state.credentials.webhookSigningKey);
  state.observe((fact) => webhooks.enqueue(toWebhook(fact, state.now())));
  const emulator = createCustomerioEmulator(state, webhooks);
  const host = opts.host ?? '127.0.0.1';
  const tls = serverCert(opts.tlsDir ?? DEFAULT_TLS_DIR, host === '0.0.0.0' ? [] : [host]);
  const errors = emulator.errorShape;
  const plain = await listen(emulator.app, opts.port ?? 4010, { host, errors });
  const secure = await listen(emulator.app, opts.httpsPort ?? 4443, { host, tls, errors }).catch(async (e) => {
    await plain.close();
    throw e;
  });
  return {
    http: plain,
    https: secure,
    state,
    emulator,
    webhooks,
    close: async () => {
      webhooks.close();
      await Promise.all([plain.close(), secure.close()]);
    },
  };
}
