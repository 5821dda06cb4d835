/**
 * Customer.io view: people with attributes, devices, suppression and deletion, and what the fake's Track API
 * received for them (events, anonymous events); broadcasts triggered and deliveries. Read through the fake's admin
 * reads made for these views (`/__admin/people`, `/__admin/people/:id/recent`, `/__admin/activity`), which answer
 * a bounded page whatever the workspace holds.
 *
 *   GET /api/customerio/people[?q=]          people (deleted and suppressed ones too, flagged), newest first
 *   GET /api/customerio/people/:cioId        one person with their recent events and deliveries
 *   GET /api/customerio/activity             broadcast triggers, deliveries, anonymous events
 */
import { missing, text, type ApiRoute } from '../app.ts';
import type { ConsoleDeps } from '../deps.ts';

interface Person {
  cioId: string;
  id?: string;
  email?: string;
  attributes: Record<string, unknown>;
  devices: unknown[];
  suppressed: boolean;
  deleted: boolean;
  createdAt: number;
  updatedAt: number;
}

const RECENT = 50;

export const customerioRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/customerio/people',
    handler: async (req, deps) => {
      const q = text(req.query.get('q'), 'q', { optional: true, max: 200 });
      const found = await deps.fakes.json<{ total: number; people: (Person & { events: number })[] }>('customerio', `/__admin/people?${new URLSearchParams(q ? { q } : {})}`);
      return { json: { total: found.total, people: found.people } };
    },
  },
  {
    method: 'GET', path: '/api/customerio/people/:cioId',
    handler: async (req, deps) => {
      const cioId = text(req.params.cioId, 'cioId', { max: 200 });
      const res = await deps.fakes.call<{ person: Person; events: unknown[]; deliveries: unknown[] }>('customerio', `/__admin/people/${encodeURIComponent(`cio_${cioId}`)}/recent?limit=${RECENT}`, { accept: [404] });
      if (res.status === 404) missing('person_not_found', `Customer.io has no person with cio id ${cioId.slice(0, 60)}`);
      return { json: { ...res.body.person, events: res.body.events, deliveries: res.body.deliveries } };
    },
  },
  {
    method: 'GET', path: '/api/customerio/activity',
    handler: async (_req, deps) => ({ json: await deps.fakes.json('customerio', `/__admin/activity?limit=${RECENT}`) }),
  },
];
