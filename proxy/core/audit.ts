/**
 * The security audit trail (seed 001, step 5 "Audit logging for security-sensitive operations"): one JSON line
 * per security-relevant decision, `{"type":"security_audit","timestamp","action","actor","resource","outcome",
 * "requestId","details"}`. It goes through the function's logger (stdout → CloudWatch in Lambda, written whatever
 * LOG_LEVEL says, with the logger's redaction); the local stack also keeps the lines and serves them at
 * `GET <proxy>/__admin/audit`.
 *
 * What a line may hold: the actor's own id (the signed-in email, or a role such as `customerio-webhook`), a
 * resource name, an outcome and small details. Never a secret, a token, a body, or someone else's raw identifier:
 * name another person with `subjectRef` (a SHA-256 reference an operator can recompute to answer "was X
 * affected?", which reveals nothing by itself).
 */
import { createHash } from 'node:crypto';
import type { ProxyError } from './errors.ts';
import type { Logger } from './log.ts';
import type { Clock, ProxyRequest, RouteRequest } from './types.ts';

export const AUDIT_ACTIONS = [
  // Refusals: who tried what and why it was refused.
  'auth.signature_refused', // the gateway's HTTP signature did not verify (proxy/auth/signature-middleware.ts)
  'auth.identity_mismatch', // a signed-in user named someone else's profile
  'auth.api_key_refused', // x-api-key missing/unknown/over its plan (the gateway, API Gateway's job in production)
  'auth.api_token_refused', // the cards `token` header was unknown, revoked or expired
  'auth.jwt_refused', // the gateway refused a Bearer JWT (the gateway, API Gateway's authorizer in production)
  'auth.permission_refused', // a signed-in user lacks the role a route needs (packages datasets)
  'webhook.signature_refused', // a webhook whose signature, timestamp or shape did not verify
  'webhook.replay_refused', // a webhook signature seen before
  // Actions on people and their data.
  'gdpr.suppress',
  'gdpr.unsuppress',
  'gdpr.delete',
  'webhook.suppress', // a Customer.io bounce/spam/unsubscribe report suppressed the person
  'packages.restore',
  'mail.send',
  'api_token.create',
  'api_token.revoke',
  // Secrets (emitted by the secret chain and the rotation scripts).
  'secret.load',
  'secret.rotate',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEvent {
  action: AuditAction;
  /** Who acted: the caller's own id (verified email), `anonymous`, or a system role (`customerio-webhook`, `operator`). */
  actor: string;
  /** What was acted on: `customer:self`, `route:POST /send-mail`, `secret:CIO_API_KEY`, `customer:sha256:…`. */
  resource: string;
  outcome: AuditOutcome;
  requestId?: string;
  /** Small, non-identifying facts (a refusal code, counts, a table name). Redacted by the logger like any field. */
  details?: Record<string, unknown>;
}

export interface AuditLine extends Omit<AuditEvent, 'requestId'> {
  type: 'security_audit';
  timestamp: string;
  requestId: string | null;
}

export interface AuditDeps {
  log: Logger;
  clock?: Pick<Clock, 'now'>;
}

/** Write one audit line. Never throws: an audit problem must not turn an answered request into a 500. */
export function audit(deps: AuditDeps, e: AuditEvent): AuditLine {
  const line: AuditLine = {
    type: 'security_audit',
    timestamp: new Date(deps.clock?.now() ?? Date.now()).toISOString(),
    action: e.action,
    actor: e.actor,
    resource: e.resource,
    outcome: e.outcome,
    requestId: e.requestId ?? null,
    ...(e.details ? { details: e.details } : {}),
  };
  try {
    deps.log.audit(line as unknown as Record<string, unknown>);
  } catch { /* a broken sink must not fail the request it records */ }
  return line;
}

/** A stable, non-reversible reference to someone who is not the actor (emails are compared lower-cased). */
export function subjectRef(id: string): string {
  return 'sha256:' + createHash('sha256').update(id.trim().toLowerCase(), 'utf8').digest('hex').slice(0, 16);
}

/** The actor of a request handled by the proxy: the verified email, or `anonymous`. */
export const actorOf = (req: { identity?: { email: string } | null }): string => req.identity?.email ?? 'anonymous';

/**
 * Which refused requests are audited, by the error's code: the proxy's one table, applied by `createApp` to every
 * route, so no route can forget it. 5xx are not refusals (a misconfigured key is an outage, not an attack).
 */
export function refusalAction(code: string, status: number): AuditAction | undefined {
  if (status >= 500) return undefined;
  if (code === 'identity_mismatch') return 'auth.identity_mismatch';
  if (code === 'dataset_forbidden') return 'auth.permission_refused';
  if (code === 'token_missing' || code === 'token_invalid') return 'auth.api_token_refused';
  if (code === 'webhook_replayed') return 'webhook.replay_refused';
  if (code.startsWith('webhook_')) return 'webhook.signature_refused';
  // proxy/auth/http-signature.ts and signature-middleware.ts: every signature_*, digest_*, date_* refusal.
  if (/^(signature|digest|date)_/.test(code) || code === 'identity_not_signed') return 'auth.signature_refused';
  return undefined;
}

/** Audit a refused request (called by createApp for every ProxyError a route or its middleware threw). */
export function auditRefusal(deps: AuditDeps, req: ProxyRequest | RouteRequest, e: ProxyError): void {
  const action = refusalAction(e.code, e.status);
  if (!action) return;
  const r = req as Partial<RouteRequest>;
  audit(deps, {
    action,
    // An unverified caller is anonymous whatever it claims; a verified one is named by their own email.
    actor: actorOf(r),
    // The route's pattern, never the path: a path may carry someone else's identifier.
    resource: `route:${req.method} ${r.route ?? '(unmatched)'}`,
    outcome: 'denied',
    requestId: req.requestId,
    details: { code: e.code, status: e.status },
  });
}
