/**
 * "Forget me" (seed 001, step 6 "Data Retention"): a signed-in user suppresses, unsuppresses or deletes their own
 * Customer.io profile through the Track API, and a delete also removes what Gatehouse holds about them
 * (personal-data.ts). Identity rules are the other routes': the verified email, naming only itself.
 *
 * What each does at Customer.io (docs, "Delete people and suppress profile IDs"):
 *   suppress   deletes the profile and blocks its identifiers: later Track calls naming them are accepted and
 *              ignored, activity is redacted; the only way to stop the app's own later calls from re-creating them.
 *   unsuppress lets the identifiers be used again (the deleted profile does not come back).
 *   delete     deletes the profile and its data; a later Track call may create a new, empty person.
 */
import { actorOf, audit, type AuditAction } from '../../core/audit.ts';
import { ProxyError, unauthorized } from '../../core/errors.ts';
import type { Deps, Handler, RouteRequest } from '../../core/types.ts';
import { cioOf, privacyOf } from './deps.ts';
import { resolveCustomer } from './identity.ts';

/** The signed-in caller, who must be the person the path names. */
function self(req: RouteRequest, deps: Deps): string {
  if (!req.identity) throw unauthorized('login_required', 'only a signed-in user can ask for their own data to be suppressed or deleted');
  return resolveCustomer(req, req.params.identifier, cioOf(deps).cfg.anonIdSalt);
}

/** Run `work`, auditing its outcome either way. */
async function audited<T>(deps: Deps, req: RouteRequest, action: AuditAction, work: () => Promise<{ result: T; details?: Record<string, unknown> }>): Promise<T> {
  const base = { action, actor: actorOf(req), resource: 'customer:self', requestId: req.requestId };
  try {
    const { result, details } = await work();
    audit(deps, { ...base, outcome: 'success', details });
    return result;
  } catch (e) {
    audit(deps, { ...base, outcome: 'failure', details: { code: e instanceof ProxyError ? e.code : 'internal_error', ...(e instanceof ProxyError && e.details?.removed ? { removed: e.details.removed } : {}) } });
    throw e;
  }
}

const seg = (s: string) => encodeURIComponent(s);

const suppression = (action: 'suppress' | 'unsuppress'): Handler => async (req, deps) => {
  const email = self(req, deps);
  return audited(deps, req, action === 'suppress' ? 'gdpr.suppress' : 'gdpr.unsuppress', async () => {
    await cioOf(deps).cio.call('track', 'POST', `customers/${seg(email)}/${action}`);
    return { result: { status: 200, body: { customer: email, suppressed: action === 'suppress' } } };
  });
};

export const suppressCustomer = suppression('suppress');
export const unsuppressCustomer = suppression('unsuppress');

export const deleteCustomer: Handler = async (req, deps) => {
  const email = self(req, deps);
  return audited(deps, req, 'gdpr.delete', async () => {
    // Customer.io first: if it fails nothing else has changed, and the whole request can simply be retried.
    await cioOf(deps).cio.call('track', 'DELETE', `customers/${seg(email)}`);
    const { removed, failed } = await privacyOf(deps).data.forget(email);
    const answer = { customerio: 'profile, attributes, devices, events and activity (Track API DELETE)', dynamodb: removed };
    if (Object.keys(failed).length) {
      throw new ProxyError(503, 'deletion_incomplete', `could not clear ${Object.keys(failed).join(', ')}; retry the request to finish (what was removed stays removed)`,
        { removed: answer, failed }, { 'retry-after': '5' });
    }
    const revoked = removed[privacyOf(deps).cfg.tables.apiTokens] ?? 0;
    if (revoked) audit(deps, { action: 'api_token.revoke', actor: actorOf(req), resource: 'customer:self', outcome: 'success', requestId: req.requestId, details: { count: revoked, reason: 'gdpr.delete' } });
    return {
      result: {
        status: 200,
        body: {
          customer: email,
          deleted: true,
          removed: answer,
          // What Customer.io keeps after a delete, and how to stop re-creation (README, "Security and privacy").
          retained: 'Customer.io keeps delivery metrics in campaign reports and may re-create the person if the app tracks them again; suppress to block the identifier',
        },
      },
      details: { removed: answer.dynamodb },
    };
  });
};
