/**
 * Whitelists API (documentation.mailgun.com "Suppressions", Whitelists): GET/POST/DELETE /v3/{domain}/whitelists
 * and GET/DELETE /v3/{domain}/whitelists/{address or domain}, with the reference's sample messages.
 */
import type { Express } from 'express';
import { notFound } from './errors.ts';
import { field, parseForm } from './form.ts';
import type { MailgunState } from './state.ts';
import { listPage } from './list-page.ts';
import { handle, param } from './wire.ts';

export function whitelistRoutes(app: Express, state: MailgunState): void {
  const base = '/v3/:domain/whitelists';
  const domainOf = (req: Parameters<typeof param>[0]) => state.domain(param(req, 'domain'));

  app.get(base, handle((req) => {
    const d = domainOf(req);
    return listPage(req, 'whitelists', (q) => d.whitelist.page(q), (r) => r.value);
  }));
  app.post(base, handle(async (req) => {
    const d = domainOf(req);
    const form = await parseForm(req.body, req.headers['content-type']);
    const record = d.whitelist.add({ address: field(form, 'address'), domain: field(form, 'domain'), reason: field(form, 'reason') });
    return { body: { message: 'Address/Domain has been added to the whitelists table', type: record.type, value: record.value } };
  }));
  app.delete(base, handle((req) => {
    domainOf(req).whitelist.clear();
    return { body: { message: 'Whitelist addresses/domains for this domain have been removed' } };
  }));
  app.get(`${base}/:value`, handle((req) => {
    const record = domainOf(req).whitelist.get(param(req, 'value'));
    if (!record) throw notFound('Address/Domain not found in whitelists table');
    return { body: record };
  }));
  app.delete(`${base}/:value`, handle((req) => {
    const value = param(req, 'value').toLowerCase();
    if (!domainOf(req).whitelist.remove(value)) throw notFound('Address/Domain not found in whitelists table');
    return { body: { message: 'Whitelist address/domain has been removed', value } };
  }));
}
