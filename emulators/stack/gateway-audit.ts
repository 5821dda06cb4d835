/**
 * The gateway's refusals in the stack's audit trail (audit-trail.ts): API Gateway logs its own refusals in
 * production; locally the gateway's process audits them through a logger that sends each line to the supervisor.
 */
import { audit, type AuditAction } from '../../proxy/core/audit.ts';
import type { Logger } from '../../proxy/core/log.ts';
import { runInRequest } from '../../proxy/core/request-context.ts';
import { authenticateBearer, checkApiKey } from '../gateway/steps.ts';
import type { Step } from '../gateway/index.ts';

/** The gateway's steps, with each refusal of the API-key and JWT steps audited (actor unknown: anonymous). */
export function auditedGatewaySteps(steps: Step[], log: Logger): Step[] {
  const actions = new Map<Step, AuditAction>([[checkApiKey, 'auth.api_key_refused'], [authenticateBearer, 'auth.jwt_refused']]);
  return steps.map((step) => {
    const action = actions.get(step);
    if (!action) return step;
    return async (x, state) => {
      const early = await step(x, state);
      // The first path segment only: further segments may carry someone's identifier.
      // Written as part of the request's trace, so the line carries its trace id as the proxy's lines do.
      if (early) runInRequest({ requestId: '', trace: x.trace }, () => audit({ log }, { action, actor: 'anonymous', resource: `route:${x.method} /${x.path.split('/')[1] ?? ''}`, outcome: 'denied', details: { status: early.status } }));
      return early;
    };
  });
}
