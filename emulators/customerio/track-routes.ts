/**
 * Track API v1 (track.customer.io/api/v1/…), Basic auth `site_id:api_key`. Every success answers 200 `{}`
 * (Track API reference: "A successful request returns an empty object response"); calls naming a suppressed
 * person are accepted and ignored, as Customer.io does.
 */
import type { CustomerioState } from './state.ts';
import { deviceBody, eventBody, identifier, identifyBody, mergeBody, metricBody, pushMetricBody } from './validate-track.ts';
import { ok, type Route, type WireRequest } from './wire.ts';

/**
 * The v1 endpoints publish no whole-body cap; we take the Track API's largest published request size
 * (500 KB, /api/v2/batch) so a runaway client is refused instead of buffered.
 */
export const TRACK_BODY_LIMIT = 500 * 1024;

const person = (req: WireRequest) => identifier(req.params.identifier ?? '');

export const trackRoutes: Route[] = [
  {
    method: 'put',
    paths: ['/api/v1/customers/:identifier'],
    auth: 'track',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      state.identify(person(req), identifyBody(req.body));
      return ok();
    },
  },
  {
    method: 'delete',
    paths: ['/api/v1/customers/:identifier'],
    auth: 'track',
    handle: (req, state) => {
      state.deletePerson(person(req));
      return ok();
    },
  },
  {
    method: 'post',
    paths: ['/api/v1/customers/:identifier/events'],
    auth: 'track',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      state.trackEvent(person(req), eventBody(req.body, { anonymous: false }));
      return ok();
    },
  },
  {
    method: 'post',
    paths: ['/api/v1/events'],
    auth: 'track',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      state.trackAnonymous(eventBody(req.body, { anonymous: true }));
      return ok();
    },
  },
  {
    method: 'put',
    paths: ['/api/v1/customers/:identifier/devices'],
    auth: 'track',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      state.upsertDevice(person(req), deviceBody(req.body));
      return ok();
    },
  },
  {
    method: 'delete',
    paths: ['/api/v1/customers/:identifier/devices/:deviceId'],
    auth: 'track',
    handle: (req, state) => {
      state.deleteDevice(person(req), req.params.deviceId ?? '');
      return ok();
    },
  },
  {
    method: 'post',
    paths: ['/api/v1/merge_customers'],
    auth: 'track',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      const { primary, secondary } = mergeBody(req.body);
      state.mergeCustomers(primary, secondary);
      return ok();
    },
  },
  suppression('suppress', (state, id) => state.suppress(id)),
  suppression('unsuppress', (state, id) => state.unsuppress(id)),
  {
    // Deprecated but live; "does not require authentication" (Track API "Report push metrics").
    method: 'post',
    paths: ['/api/v1/push/events'],
    auth: 'none',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      state.recordMetric(pushMetricBody(req.body));
      return ok();
    },
  },
  {
    // Universal metrics endpoint, also unauthenticated (Track API "Report metrics").
    method: 'post',
    paths: ['/api/v1/metrics'],
    auth: 'none',
    maxBody: TRACK_BODY_LIMIT,
    handle: (req, state) => {
      state.recordMetric(metricBody(req.body));
      return ok();
    },
  },
];

function suppression(action: 'suppress' | 'unsuppress', apply: (state: CustomerioState, id: string) => void): Route {
  return {
    method: 'post',
    paths: [`/api/v1/customers/:identifier/${action}`],
    auth: 'track',
    handle: (req, state) => {
      apply(state, person(req));
      return ok();
    },
  };
}
