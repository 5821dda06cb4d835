/**
 * Domain webhooks API: GET/POST /v3/domains/{domain}/webhooks, GET/PUT/DELETE …/webhooks/{id}
 * (documentation.mailgun.com "Domain Webhooks"; bodies `{"webhooks": {...}}` and `{"message", "webhook": {"urls"}}`).
 */
import type { Express, Request } from 'express';
import { badRequest } from './errors.ts';
import { field, fieldAll, parseForm } from './form.ts';
import type { MailgunState } from './state.ts';
import { handle, param } from './wire.ts';
import { testWebhook } from './webhooks.ts';

const domainOf = (state: MailgunState, req: Request) => state.domain(param(req, 'domain'));

export function webhookRoutes(app: Express, state: MailgunState): void {
  const base = '/v3/domains/:domain/webhooks';
  app.get(base, handle((req) => ({ body: { webhooks: domainOf(state, req).listWebhooks() } })));
  app.post(
    base,
    handle(async (req) => {
      const d = domainOf(state, req);
      const form = await parseForm(req.body, req.headers['content-type']);
      const id = field(form, 'id');
      if (!id) throw badRequest("'id' parameter is missing");
      return { body: { message: 'Webhook has been created', webhook: { urls: d.createWebhook(id, fieldAll(form, 'url')) } } };
    }),
  );
  app.get(`${base}/:id`, handle((req) => ({ body: { webhook: { urls: domainOf(state, req).getWebhook(param(req, 'id')) } } })));
  app.put(
    `${base}/:id`,
    handle(async (req) => {
      const d = domainOf(state, req);
      const form = await parseForm(req.body, req.headers['content-type']);
      return { body: { message: 'Webhook has been updated', webhook: { urls: d.updateWebhook(param(req, 'id'), fieldAll(form, 'url')) } } };
    }),
  );
  app.put(
    `${base}/:id/test`,
    handle(async (req) => {
      const d = domainOf(state, req);
      const id = d.checkWebhookId(param(req, 'id'));
      const url = field(await parseForm(req.body, req.headers['content-type']), 'url');
      if (!url) throw badRequest("'url' parameter is missing");
      return { body: await testWebhook(d.webhookSigningKey, id, url) };
    }),
  );
  app.delete(`${base}/:id`, handle((req) => ({ body: { message: 'Webhook has been deleted', webhook: { urls: domainOf(state, req).deleteWebhook(param(req, 'id')) } } })));
}
