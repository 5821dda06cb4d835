/**
 * The whole stack back to its seed, over HTTP, on the proxy's own port in the local stack (beside `/__admin/audit`
 * and `/__admin/traces`; a request the gateway forwarded — it signs everything — is the app's to answer, so through
 * the gateway this is the app's 404):
 *
 *   POST /__admin/reset  → 200 {"ok":true,"reset":[service…],"external":[service…],"ms":n}
 *
 * Every fake's `/__admin/reset` (Customer.io, Extend, Mailgun, Vault, the CloudFront edge's cache, the gateway's
 * statistics, the AWS edge's resources), then every wiring step again (the AWS fixtures, packages bucket and queue, the
 * CloudFront key, the stack's secrets in Vault and Secrets Manager, Mailgun's and Customer.io's webhooks), then the
 * packages database reseeded. An external Vault or AWS (VAULT_ADDR, AWS_ENDPOINT_URL) has no admin API: it is only
 * re-seeded, and named in `external`. The supervisor does the work (index.ts, `resetAll`); `npm run replay --
 * --reset` calls it. A failure is 503 `reset_failed`, another method 405.
 */
import type http from 'node:http';
import { adminTarget } from './admin-target.ts';

export const RESET_PATH = '/__admin/reset';

export interface StackResetReport {
  ok: true;
  /** What was put back to its seed. */
  reset: string[];
  /** Services the stack does not run (no admin API to reset): re-seeded only. */
  external: string[];
  ms: number;
}

/** Serves the stack's reset from `reset`; false for any other request. */
export function serveStackReset(req: http.IncomingMessage, res: http.ServerResponse, reset: () => Promise<unknown>): boolean {
  if (adminTarget(req).pathname !== RESET_PATH || req.headers.signature !== undefined) return false;
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST') {
    reply(405, { error: { code: 'method_not_allowed', message: `${req.method} is not allowed on ${RESET_PATH}` } }, { allow: 'POST' });
    return true;
  }
  // The body, if any, is not read: there is nothing to choose. Drain it so the connection can be reused.
  req.resume();
  reset().then(
    (report) => reply(200, report),
    (e: Error) => reply(503, { error: { code: 'reset_failed', message: e.message } }),
  );
  return true;
}
