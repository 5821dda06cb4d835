/**
 * Track API routes around the workspace rather than one person: the account region (GET /api/v1/accounts/region)
 * and manual segment membership (POST /api/v1/segments/{id}/add_customers|remove_customers), per the Track API
 * reference. Both answer with Track API auth; segment changes answer 200 `{}` like every Track write.
 */
import { badRequest } from './errors.ts';
import type { CustomerioState } from './state.ts';
import { People } from './people.ts';
import { TRACK_BODY_LIMIT } from './track-routes.ts';
import { object } from './validate-track.ts';
import { ok, type Route, type WireRequest } from './wire.ts';

const ID_TYPES = ['id', 'email', 'cio_id'] as const;
/** "You are limited to 1000 customer IDs per request." */
const MAX_IDS = 1000;

/**
 * The ids of a segment request, as the members they name. Values that do not fit `id_type` (an email under
 * `id`, say) are ignored, as the reference says.
 */
function members(req: WireRequest): string[] {
  const idType = req.query.id_type ?? 'id';
  if (!(ID_TYPES as readonly string[]).includes(idType)) throw badRequest(`id_type must be one of: ${ID_TYPES.join(', ')}`);
  const b = object(req.body, 'request body must be a JSON object');
  if (!Array.isArray(b.ids) || b.ids.length === 0) throw badRequest('ids must be a non-empty array');
  if (b.ids.length > MAX_IDS) throw badRequest(`ids cannot hold more than ${MAX_IDS} customer ids`);
  if (b.ids.some((v) => typeof v !== 'string' && typeof v !== 'number')) throw badRequest('ids must be strings');
  const values = b.ids.map((v) => String(v).trim()).filter(Boolean);
  if (idType === 'cio_id') return values.map((v) => `cio_${v.replace(/^cio_/, '')}`);
  return values.filter((v) => People.kindOf(v) === idType);
}

function segmentId(req: WireRequest): number {
  const id = Number(req.params.segmentId);
  if (!Number.isInteger(id) || id <= 0) throw badRequest('segment_id must be a positive integer');
  return id;
}

const change = (add: boolean) => (req: WireRequest, state: CustomerioState) => {
  state.changeSegment(segmentId(req), members(req), add);
  return ok();
};

export const segmentRoutes: Route[] = [
  {
    method: 'get',
    paths: ['/api/v1/accounts/region'],
    auth: 'track',
    handle: (_req, state) => {
      const eu = state.workspace.region === 'eu';
      // environment_id: the workspace the credentials belong to; the fake has one.
      return ok({ url: eu ? 'https://track-eu.customer.io' : 'https://track.customer.io', region: state.workspace.region, environment_id: 1 });
    },
  },
  { method: 'post', paths: ['/api/v1/segments/:segmentId/add_customers'], auth: 'track', maxBody: TRACK_BODY_LIMIT, handle: change(true) },
  { method: 'post', paths: ['/api/v1/segments/:segmentId/remove_customers'], auth: 'track', maxBody: TRACK_BODY_LIMIT, handle: change(false) },
];
