/** App API routes (Bearer injected): transactional email/push, broadcast triggers, a customer's activities. */
import { forbidden, unauthorized } from '../../core/errors.ts';
import { passThrough } from '../../core/upstream.ts';
import { validateBody } from '../../core/validate.ts';
import type { Handler, RouteRequest } from '../../core/types.ts';
import { resolveCustomer } from './identity.ts';
import * as S from './schemas.ts';
import { cioOf } from './deps.ts';

type Send = { identifiers: { id?: string; email?: string; cio_id?: string }; to?: string; [k: string]: unknown };

function requireUser(req: RouteRequest): string {
  if (!req.identity) throw unauthorized('login_required', 'this route needs a signed-in user');
  return req.identity.email;
}

/** A user may only send transactional messages to themself. */
function checkRecipient(body: Send, email: string): void {
  const ids = body.identifiers;
  const self = (ids.email ?? ids.id)?.toLowerCase() === email.toLowerCase();
  if (!self || ids.cio_id) throw forbidden('identity_mismatch', 'transactional messages may only be sent to the signed-in user');
  if (body.to !== undefined && body.to.toLowerCase() !== email.toLowerCase()) {
    throw forbidden('identity_mismatch', '"to" must be the signed-in user\'s address');
  }
}

const send = (kind: 'email' | 'push', schema: object): Handler => async (req, deps) => {
  const { cio } = cioOf(deps);
  const email = requireUser(req);
  const body = validateBody<Send>(schema, req.json);
  checkRecipient(body, email);
  // Customer.io requires `to` for email; the only address a user may send to is their own.
  const out = kind === 'email' ? { ...body, to: body.to ?? email } : body;
  return passThrough(await cio.call('app', 'POST', `send/${kind}`, out));
};

export const sendEmail = send('email', S.sendEmailSchema);
export const sendPush = send('push', S.sendPushSchema);

export const triggerBroadcast: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  requireUser(req);
  const id = req.params.broadcastId;
  if (!/^\d+$/.test(id)) throw forbidden('broadcast_not_allowed', 'broadcast id must be numeric');
  if (!cfg.allowedBroadcastIds.has(id)) throw forbidden('broadcast_not_allowed', `broadcast ${id} may not be triggered from the app`);
  const body = validateBody<Record<string, unknown>>(S.triggerSchema, req.json ?? {});
  // Only `data` is forwarded: recipients/ids/emails would let a client message other people.
  return passThrough(await cio.call('app', 'POST', `campaigns/${id}/triggers`, { data: body.data ?? {} }));
};

const ACTIVITY_QUERY = ['type', 'name', 'start', 'limit'];

export const customerActivities: Handler = async (req, deps) => {
  const { cio, cfg } = cioOf(deps);
  const who = resolveCustomer(req, req.params.identifier, cfg.anonIdSalt);
  const q = new URLSearchParams();
  for (const k of ACTIVITY_QUERY) {
    const v = req.query.get(k);
    if (v !== null) q.set(k, v);
  }
  q.set('id_type', req.identity ? 'email' : 'id');
  return passThrough(await cio.call('app', 'GET', `customers/${encodeURIComponent(who)}/activities`, undefined, q));
};
