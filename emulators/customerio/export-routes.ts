/**
 * App API exports on the wire (App API "Exports": export customer data, export deliveries, list, get, download)
 * and the signed file link a download hands out. Bodies are checked here; exports.ts keeps the files.
 */
import { badRequest, CioError, notFound } from './errors.ts';
import { matches, parseFilter, segmentIds } from './audience.ts';
import { renderExport } from './exports.ts';
import type { CustomerioState } from './state.ts';
import type { Delivery } from './types.ts';
import { object } from './validate-track.ts';
import { ok, type Route } from './wire.ts';

/** The metrics a deliveries export may filter on (customerio-node's DeliveryExportMetric; App API export body). */
const DELIVERY_METRICS = ['created', 'attempted', 'sent', 'delivered', 'opened', 'clicked', 'converted', 'bounced', 'spammed', 'unsubscribed', 'dropped', 'failed', 'undeliverable'];

const FILE_PATH = '/downloads/exports';

export const exportRoutes: Route[] = [
  {
    method: 'post',
    paths: ['/v1/exports/customers'],
    auth: 'app',
    handle: (req, state) => ok({ export: renderExport(exportCustomers(req.body, state)) }),
  },
  {
    method: 'post',
    paths: ['/v1/exports/deliveries'],
    auth: 'app',
    handle: (req, state) => ok({ export: renderExport(exportDeliveries(req.body, state)) }),
  },
  {
    method: 'get',
    paths: ['/v1/exports'],
    auth: 'app',
    handle: (_req, state) => ok({ exports: state.exports.list().map(renderExport) }),
  },
  {
    method: 'get',
    paths: ['/v1/exports/:exportId'],
    auth: 'app',
    handle: (req, state) => ok({ export: renderExport(state.exports.get(req.params.exportId ?? '')) }),
  },
  {
    // {"url": …}: a link to the file, valid for 15 minutes (App API "Download an export").
    method: 'get',
    paths: ['/v1/exports/:exportId/download'],
    auth: 'app',
    handle: (req, state) => ok({ url: `${req.origin}${FILE_PATH}/${state.exports.link(req.params.exportId ?? '').token}` }),
  },
  {
    // The file link itself, as a storage host serves it: no API credentials, refused once expired.
    method: 'get',
    paths: [`${FILE_PATH}/:token`],
    auth: 'none',
    handle: (req, state) => {
      const file = state.exports.file(req.params.token ?? '');
      if (!file) throw new CioError(403, 'forbidden', 'this download link is invalid or has expired; ask for a new one');
      return { status: 200, body: file.csv, contentType: 'text/csv; charset=utf-8' };
    },
  },
];

function exportCustomers(body: unknown, state: CustomerioState) {
  const b = object(body, 'request body must be a JSON object');
  if (b.filters === undefined || b.filters === null) throw badRequest('filters is required');
  const filter = parseFilter(b.filters);
  for (const id of segmentIds(filter)) if (!state.segments.some((s) => s.id === id)) throw notFound(`segment ${id} not found`);
  const people = state.people.all().filter((p) => !p.deleted && matches(p, filter, state.segments));
  const names = [...new Set(people.flatMap((p) => Object.keys(p.attributes)))].sort();
  const rows = people.map((p) => [p.cioId, p.id, p.email, p.createdAt, ...names.map((n) => p.attributes[n])]);
  return state.exports.create('customers', 'Customers matching filters', ['cio_id', 'id', 'email', 'created_at', ...names], rows);
}

function exportDeliveries(body: unknown, state: CustomerioState) {
  const b = object(body, 'request body must be a JSON object');
  const newsletter = b.newsletter_id;
  if (!Number.isInteger(newsletter)) throw badRequest('newsletter_id is required and must be an integer');
  if (!state.hasBroadcast(newsletter as number)) throw notFound(`newsletter ${newsletter} not found`);
  const time = (name: 'start' | 'end') => {
    const v = b[name];
    if (v === undefined || v === null) return undefined;
    if (!Number.isInteger(v) || (v as number) < 0) throw badRequest(`${name} must be a unix timestamp`);
    return v as number;
  };
  const start = time('start');
  const end = time('end');
  if (b.metric !== undefined && !DELIVERY_METRICS.includes(b.metric as string)) throw badRequest(`metric must be one of: ${DELIVERY_METRICS.join(', ')}`);
  if (b.attributes !== undefined && (!Array.isArray(b.attributes) || b.attributes.some((a) => typeof a !== 'string'))) throw badRequest('attributes must be an array of attribute names');
  if (b.drafts !== undefined && typeof b.drafts !== 'boolean') throw badRequest('drafts must be a boolean');
  const attributes = (b.attributes ?? []) as string[];
  // The fake sends no drafts: a drafts export is empty.
  const deliveries = b.drafts === true ? [] : state.deliveryList().filter((d) =>
    d.broadcastId === newsletter && (start === undefined || d.queuedAt >= start) && (end === undefined || d.queuedAt <= end) && (b.metric === undefined || metricsOf(d, state).includes(b.metric as string)));
  const rows = deliveries.map((d) => {
    const p = state.people.all().find((x) => x.cioId === d.cioId);
    const to = Array.isArray(d.to) ? d.to.join(' ') : d.to;
    return [d.deliveryId, newsletter, p?.id, d.cioId, to, d.type, d.queuedAt, metricsOf(d, state).join(' '), ...attributes.map((a) => p?.attributes[a])];
  });
  return state.exports.create('deliveries', `Deliveries of newsletter ${newsletter}`, ['delivery_id', 'newsletter_id', 'customer_id', 'cio_id', 'recipient', 'type', 'created_at', 'metrics', ...attributes], rows);
}

/** A delivery's metrics, with those every delivery implies: created and attempted; sent, or dropped when suppressed. */
function metricsOf(d: Delivery, state: CustomerioState): string[] {
  return ['created', 'attempted', d.suppressed ? 'dropped' : 'sent', ...state.metricsOf(d.deliveryId)];
}
