/**
 * Customer.io view: people with attributes, devices, suppression and deletion, and what the fake's Track API
 * received for them (events, anonymous events); broadcasts triggered and deliveries. Read from the fake's state.
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

interface CioState {
  people: Person[];
  events: { cioId?: string; name: string; [k: string]: unknown }[];
  anonymousEvents: unknown[];
  activities: unknown[];
  deliveries: { cioId?: string; [k: string]: unknown }[];
  broadcastTriggers: unknown[];
}

const RECENT = 50;

/** The fake stores events and deliveries under the person's cio id (emulators/customerio/types.ts). */
const about = (p: Person) => (x: { cioId?: string }) => x.cioId === p.cioId;

export const customerioRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/customerio/people',
    handler: async (req, deps) => {
      const q = text(req.query.get('q'), 'q', { optional: true, max: 200 }).toLowerCase();
      const s = await deps.fakes.json<CioState>('customerio', '/__admin/state');
      const people = s.people
        .filter((p) => !q || JSON.stringify([p.id, p.email, p.cioId, p.attributes]).toLowerCase().includes(q))
        .map((p) => ({ ...p, events: s.events.filter(about(p)).length }))
        .reverse();
      return { json: { total: s.people.length, people } };
    },
  },
  {
    method: 'GET', path: '/api/customerio/people/:cioId',
    handler: async (req, deps) => {
      const s = await deps.fakes.json<CioState>('customerio', '/__admin/state');
      const p = s.people.find((x) => x.cioId === req.params.cioId) ?? missing('person_not_found', `Customer.io has no person with cio id ${req.params.cioId.slice(0, 60)}`);
      return { json: { ...p, events: s.events.filter(about(p)).slice(-RECENT).reverse(), deliveries: s.deliveries.filter(about(p)).slice(-RECENT).reverse() } };
    },
  },
  {
    method: 'GET', path: '/api/customerio/activity',
    handler: async (_req, deps) => {
      const s = await deps.fakes.json<CioState>('customerio', '/__admin/state');
      return { json: { broadcastTriggers: s.broadcastTriggers.slice(-RECENT).reverse(), deliveries: s.deliveries.slice(-RECENT).reverse(), anonymousEvents: s.anonymousEvents.slice(-RECENT).reverse(), activities: s.activities.slice(-RECENT).reverse() } };
    },
  },
];
