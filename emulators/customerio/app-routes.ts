/** App API v1 (api.customer.io/v1/…), Bearer auth with the workspace's App API key. */
import { badRequest, notFound } from './errors.ts';
import { activity, customerAttributes, identifiersOf, sendResult } from './render.ts';
import type { CustomerioState } from './state.ts';
import type { IdentifierKind, Person } from './types.ts';
import { broadcastBody, sendEmailBody, sendPushBody, sendSmsBody, sendTemplateOnlyBody } from './validate-app.ts';
import { ok, type Route, type WireRequest } from './wire.ts';

// `id_type` query parameter (App API customers endpoints). `phone` is valid only in workspaces that enable
// it as an identifier, "otherwise the request returns 400" — this fake workspace does not.
const ID_TYPES: readonly IdentifierKind[] = ['id', 'email', 'cio_id'];
/** Activities page size: `limit` caps at 100 (App API "Lookup a customer's activities"). */
const MAX_ACTIVITIES = 100;

export const appRoutes: Route[] = [
  {
    method: 'post',
    paths: ['/v1/send/email'],
    auth: 'app',
    handle: (req, state) => ok(sendResult(state.send(sendEmailBody(req.body)))),
  },
  {
    method: 'post',
    paths: ['/v1/send/push'],
    auth: 'app',
    handle: (req, state) => ok(sendResult(state.send(sendPushBody(req.body)))),
  },
  {
    method: 'post',
    paths: ['/v1/send/sms'],
    auth: 'app',
    handle: (req, state) => ok(sendResult(state.send(sendSmsBody(req.body)))),
  },
  {
    method: 'post',
    paths: ['/v1/send/in_app'],
    auth: 'app',
    handle: (req, state) => ok(sendResult(state.send(sendTemplateOnlyBody('in_app', req.body)))),
  },
  {
    method: 'post',
    paths: ['/v1/send/inbox_message'],
    auth: 'app',
    handle: (req, state) => ok(sendResult(state.send(sendTemplateOnlyBody('inbox', req.body)))),
  },
  {
    // The documented path is /v1/campaigns/{broadcast_id}/triggers (App API "Trigger a broadcast"); the official
    // customerio-node 4.x client posts to /v1/api/campaigns/{id}/triggers, so that path is served too.
    method: 'post',
    paths: ['/v1/campaigns/:broadcastId/triggers', '/v1/api/campaigns/:broadcastId/triggers'],
    auth: 'app',
    handle: (req, state) => {
      const id = Number(req.params.broadcastId);
      if (!Number.isInteger(id) || id <= 0) throw notFound(`broadcast ${req.params.broadcastId} not found`);
      const { data, recipients } = broadcastBody(req.body);
      return ok({ id: state.triggerBroadcast(id, data, recipients).id });
    },
  },
  {
    method: 'get',
    paths: ['/v1/customers'],
    auth: 'app',
    handle: (req, state) => {
      const email = req.query.email?.trim();
      if (!email) throw badRequest('email query parameter is required');
      return ok({ results: state.peopleByEmail(email).map(identifiersOf) });
    },
  },
  {
    method: 'get',
    paths: ['/v1/customers/:customerId/attributes'],
    auth: 'app',
    handle: (req, state) => ok(customerAttributes(lookup(req, state))),
  },
  {
    method: 'get',
    paths: ['/v1/customers/:customerId/activities'],
    auth: 'app',
    handle: (req, state) => {
      const person = lookup(req, state);
      const limit = req.query.limit === undefined ? MAX_ACTIVITIES : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ACTIVITIES) throw badRequest(`limit must be an integer from 1 to ${MAX_ACTIVITIES}`);
      const page = state.activitiesOf(person, { type: req.query.type, name: req.query.name, limit, start: req.query.start });
      return ok({ activities: page.items.map((a) => activity(a, person)), next: page.next });
    },
  },
];

function lookup(req: WireRequest, state: CustomerioState): Person {
  const idType = (req.query.id_type ?? 'id') as IdentifierKind;
  if (!ID_TYPES.includes(idType)) throw badRequest(`id_type must be one of: ${ID_TYPES.join(', ')}`);
  const id = req.params.customerId ?? '';
  const person = state.people.find(id, idType);
  if (!person) throw notFound(`customer ${id} not found`);
  return person;
}
