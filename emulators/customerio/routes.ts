/** The fake's wire surface: Track API v1 and App API v1 on one app, with misses and errors in Customer.io's shape. */
import type { Express, NextFunction, Request, Response } from 'express';
import { appRoutes } from './app-routes.ts';
import { errorBody } from './errors.ts';
import { exportRoutes } from './export-routes.ts';
import { segmentRoutes } from './segment-routes.ts';
import type { CustomerioState } from './state.ts';
import { trackRoutes } from './track-routes.ts';
import { mount } from './wire.ts';
import { notRouted } from '../shared/emulator.ts';

export function customerioRoutes(app: Express, state: CustomerioState): void {
  mount(app, [...trackRoutes, ...segmentRoutes, ...appRoutes, ...exportRoutes], state);
  app.use((req: Request, res: Response) => {
    notRouted(req);
    res.status(404).json(errorBody(`no route for ${req.method} ${req.path}`));
  });
  // Errors raised before a handler runs (a path that does not URL-decode, a body over the frame's cap).
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.type === 'entity.too.large' ? 413 : err.status && err.status < 500 ? err.status : 500;
    res.status(status).json(errorBody(status === 500 ? 'internal error' : err.message));
  });
}
