/** Customer.io-specific admin routes, mounted beside the shared ones under /__admin. */
import type { Router } from 'express';
import type { CustomerioState } from './state.ts';

export function customerioAdmin(router: Router, state: CustomerioState): void {
  // Settings → API Credentials, which has no public API: create a key (shown once, as the dashboard does), delete one.
  router.post('/api-keys/track', (_req, res) => res.status(201).json(state.credentials.createTrack()));
  router.post('/api-keys/app', (_req, res) => res.status(201).json(state.credentials.createApp()));
  router.delete('/api-keys/track/:siteId', (req, res) => {
    if (!state.credentials.deleteTrack(req.params.siteId)) return void res.status(404).json({ error: `no tracking key for site ${req.params.siteId}` });
    res.json({ deleted: req.params.siteId });
  });
  router.delete('/api-keys/app/:id', (req, res) => {
    if (!state.credentials.deleteApp(req.params.id)) return void res.status(404).json({ error: `no App API key ${req.params.id}` });
    res.json({ deleted: req.params.id });
  });
  router.get('/api-keys', (_req, res) => res.json(state.credentials.list()));
  // The reporting webhooks' signing key, regenerated: the answer is the only place the new key is shown.
  router.post('/api-keys/webhook-signing-key', (_req, res) => res.status(201).json({ key: state.credentials.regenerateWebhookSigningKey() }));
  // A person by id, email or cio_<id>, including deleted and suppressed people (the App API hides those).
  router.get('/people/:identifier', (req, res) => {
    const id = req.params.identifier;
    const person = state.people.all().findLast((p) => p.id === id || p.email === id || `cio_${p.cioId}` === id);
    if (!person) return void res.status(404).json({ error: `no person ${id}` });
    res.json(person);
  });
  // The console's views (emulators/console/api/customerio.ts), answered here and bounded: a view costs the same
  // whatever the workspace holds. The console read the whole /__admin/state per view, which is 70 MB after a fuzz
  // run (18,000 deliveries with their content); sixteen views at once kept the fake busy past the console's timeout.
  router.get('/people', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.toLowerCase().slice(0, 200) : '';
    const limit = boundedLimit(req.query.limit, 500);
    if (limit === undefined) return void res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
    const { people, events } = state.snapshot();
    const counts = new Map<string, number>();
    for (const e of events) if (e.cioId) counts.set(e.cioId, (counts.get(e.cioId) ?? 0) + 1);
    const found = people.filter((p) => !q || JSON.stringify([p.id, p.email, p.cioId, p.attributes]).toLowerCase().includes(q));
    res.json({ total: people.length, matched: found.length, people: found.slice(-limit).reverse().map((p) => ({ ...p, events: counts.get(p.cioId) ?? 0 })) });
  });
  router.get('/people/:identifier/recent', (req, res) => {
    const limit = boundedLimit(req.query.limit, 50);
    if (limit === undefined) return void res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
    const id = req.params.identifier;
    const person = state.people.all().findLast((p) => p.id === id || p.email === id || `cio_${p.cioId}` === id);
    if (!person) return void res.status(404).json({ error: `no person ${id}` });
    const snap = state.snapshot();
    const mine = <T extends { cioId?: string }>(xs: T[]) => newest(xs.filter((x) => x.cioId === person.cioId), limit);
    res.json({ person, events: mine(snap.events), deliveries: mine(snap.deliveries) });
  });
  router.get('/activity', (req, res) => {
    const limit = boundedLimit(req.query.limit, 50);
    if (limit === undefined) return void res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
    const snap = state.snapshot();
    res.json({ broadcastTriggers: newest(snap.broadcastTriggers, limit), deliveries: newest(snap.deliveries, limit), anonymousEvents: newest(snap.anonymousEvents, limit), activities: newest(snap.activities, limit) });
  });
  router.get('/deliveries', (req, res) => {
    const type = typeof req.query.type === 'string' ? req.query.type : undefined;
    res.json({ deliveries: state.snapshot().deliveries.filter((d) => !type || d.type === type) });
  });
}

/** The last `limit` items, newest first. */
const newest = <T>(xs: T[], limit: number): T[] => xs.slice(-limit).reverse();

/** `?limit=` as an integer from 1 to 1,000 (absent: the fallback), or undefined when it is not one. */
function boundedLimit(v: unknown, fallback: number): number | undefined {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && /^\d{1,4}$/.test(v) ? Number(v) : NaN;
  return n >= 1 && n <= 1000 ? n : undefined;
}
