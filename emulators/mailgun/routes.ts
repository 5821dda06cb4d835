/**
 * The fake Mailgun's wire protocol: every /v3 route behind `api:<key>` Basic auth, then messages, events,
 * webhooks and suppressions. Routes parse, call the state, and render Mailgun's JSON.
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { decodePage, type EventPage, parseEventQuery } from './events.ts';
import { domainRoutes } from './domain-routes.ts';
import { messageRoutes } from './message-routes.ts';
import type { MailgunState } from './state.ts';
import { accountRoutes } from './account-routes.ts';
import { suppressionRoutes } from './suppression-routes.ts';
import { webhookRoutes } from './webhook-routes.ts';
import { handle, origin, param, queryStrings, requireApiKey } from './wire.ts';
import { notRouted } from '../shared/emulator.ts';

// Observed for unknown API paths: the plain Werkzeug-style 404 page.
const NOT_FOUND_HTML =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server.</p><p>If you entered the URL manually please check your spelling and try again.</p>\n';

function renderEvents(base: string, page: EventPage) {
  const link = (token: string) => `${base}/${token}`;
  return { items: page.items, paging: { next: link(page.paging.next), previous: link(page.paging.previous), first: link(page.paging.first), last: link(page.paging.last) } };
}

export function mailgunRoutes(state: MailgunState): (app: Express) => void {
  return (app) => {
    for (const version of ['/v2', '/v3', '/v4']) app.use(version, requireApiKey(state));

    messageRoutes(app, state);
    domainRoutes(app, state);

    app.get(
      '/v3/:domain/events',
      handle((req) => {
        const d = state.domain(param(req, 'domain'));
        const page = state.events.page(d.name, { q: parseEventQuery(queryStrings(req)), m: 'after' });
        return { body: renderEvents(`${origin(req)}/v3/${d.name}/events`, page) };
      }),
    );
    app.get(
      '/v3/:domain/events/:page',
      handle((req) => {
        const d = state.domain(param(req, 'domain'));
        const page = state.events.page(d.name, decodePage(param(req, 'page')));
        return { body: renderEvents(`${origin(req)}/v3/${d.name}/events`, page) };
      }),
    );

    webhookRoutes(app, state);
    suppressionRoutes(app, state);
    accountRoutes(app, state);

    app.use((req, res) => {
      notRouted(req);
      res.status(404).type('html').send(NOT_FOUND_HTML);
    });
    // Errors Express raises itself (an undecodable path, say) still answer in Mailgun's shape.
    app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      res.status(status).json({ message: status === 500 ? 'Internal Server Error' : err.message });
    });
  };
}
