/** The fake's wire surface: Track API v1 and App API v1 on one app, plus a Customer.io-shaped 404. */
import type { Express } from 'express';
import { appRoutes } from './app-routes.ts';
import { errorBody } from './errors.ts';
import type { CustomerioState } from './state.ts';
import { trackRoutes } from './track-routes.ts';
import { mount } from './wire.ts';

export function customerioRoutes(app: Express, state: CustomerioState): void {
  mount(app, [...trackRoutes, ...appRoutes], state);
  app.use((req, res) => {
    res.status(404).json(errorBody(`no route for ${req.method} ${req.path}`));
  });
}
