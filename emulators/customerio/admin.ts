/** Customer.io-specific admin routes, mounted beside the shared ones under /__admin. */
import type { Router } from 'express';
import type { CustomerioState } from './state.ts';

export function customerioAdmin(router: Router, state: CustomerioState): void {
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
