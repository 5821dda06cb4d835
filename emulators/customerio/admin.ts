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
  router.get('/deliveries', (req, res) => {
    const type = typeof req.query.type === 'string' ? req.query.type : undefined;
    res.json({ deliveries: state.snapshot().deliveries.filter((d) => !type || d.type === type) });
  });
}
