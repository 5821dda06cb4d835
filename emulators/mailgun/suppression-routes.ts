/**
 * Suppressions API: GET/POST/DELETE /v3/{domain}/{bounces|unsubscribes|complaints}[/{address}]
 * (documentation.mailgun.com Bounces / Unsubscribe / Complaints references; messages as the Mailgun SDKs assert).
 */
import type { Express, NextFunction, Request, Response } from 'express';
import { isValidEmail } from './addresses.ts';
import { badRequest, notFound } from './errors.ts';
import { field, fieldAll, parseForm } from './form.ts';
import type { MailgunState } from './state.ts';
import { SUPPRESSION_KINDS, type SuppressionInput, type SuppressionKind } from './suppressions.ts';
import { handle, origin, param, queryStrings } from './wire.ts';

const REMOVED: Record<SuppressionKind, { one: string; all: string }> = {
  bounces: { one: 'Bounced address has been removed', all: 'Bounced addresses for this domain have been removed' },
  unsubscribes: { one: 'Unsubscribe event has been removed', all: 'Unsubscribe addresses for this domain have been removed' },
  complaints: { one: 'Spam complaint has been removed', all: 'Complaint addresses for this domain have been removed' },
};
/** List limit: default 100, at most 1000 (Bounces API reference). */
const MAX_LIMIT = 1000;

const kindOf = (req: Request): SuppressionKind => param(req, 'kind') as SuppressionKind;

/** Only the three suppression kinds reach these handlers; other paths fall through to later routes. */
function onlyKinds(req: Request, _res: Response, next: NextFunction): void {
  next((SUPPRESSION_KINDS as readonly string[]).includes(param(req, 'kind')) ? undefined : 'route');
}

function checkInput(raw: unknown): SuppressionInput {
  const row = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  // Observed: {"message":"Missing mandatory parameter: address"}
  if (typeof row.address !== 'string' || row.address === '') throw badRequest('Missing mandatory parameter: address');
  if (!isValidEmail(row.address.trim().toLowerCase())) throw badRequest("'address' parameter is not a valid address. please check documentation");
  const str = (k: string) => (typeof row[k] === 'string' || typeof row[k] === 'number' ? String(row[k]) : undefined);
  const tags = Array.isArray(row.tags) ? row.tags.map(String) : undefined;
  return { address: row.address, code: str('code'), error: str('error'), tag: str('tag'), tags, created_at: str('created_at') };
}

async function add(state: MailgunState, req: Request) {
  const d = state.domain(param(req, 'domain'));
  const kind = kindOf(req);
  const form = await parseForm(req.body, req.headers['content-type']);
  if (form.json !== undefined) {
    // JSON bodies carry up to 1000 records (Add bounces reference); mailgun.js prints "1 address has been added…".
    const rows = (Array.isArray(form.json) ? form.json : [form.json]).map(checkInput);
    if (rows.length > 1000) throw badRequest('Too many records, max is 1000');
    for (const r of rows) d.suppressions.add(kind, r);
    const n = rows.length;
    return { body: { message: `${n} ${n === 1 ? 'address has' : 'addresses have'} been added to the ${kind} table` } };
  }
  const tags = fieldAll(form, 'tag');
  const input = checkInput({ address: field(form, 'address'), code: field(form, 'code'), error: field(form, 'error'), created_at: field(form, 'created_at'), ...(tags.length ? { tags } : {}) });
  const record = d.suppressions.add(kind, input);
  // Observed: {"message": "Address has been added to the bounces table", "address": "bob@example.com"}
  return { body: { message: `Address has been added to the ${kind} table`, address: record.address } };
}

function list(state: MailgunState, req: Request) {
  const d = state.domain(param(req, 'domain'));
  const kind = kindOf(req);
  const q = queryStrings(req);
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`'limit' parameter must be an integer between 1 and ${MAX_LIMIT}`);
  const items = d.suppressions.page(kind, { limit, page: q.page, address: q.address, term: q.term });
  const base = `${origin(req)}/v3/${d.name}/${kind}`;
  const link = (page: string, address?: string) => {
    const p = new URLSearchParams({ page, ...(address !== undefined ? { address } : {}), limit: String(limit), ...(q.term ? { term: q.term } : {}) });
    return `${base}?${p}`;
  };
  const firstAddr = items[0]?.address ?? q.address ?? '';
  const lastAddr = items[items.length - 1]?.address ?? q.address ?? '';
  return { body: { items, paging: { first: link('first'), last: link('last'), next: link('next', lastAddr), previous: link('previous', firstAddr) } } };
}

export function suppressionRoutes(app: Express, state: MailgunState): void {
  const path = '/v3/:domain/:kind';
  app.get(path, onlyKinds, handle((req) => list(state, req)));
  app.post(path, onlyKinds, handle((req) => add(state, req)));
  app.delete(
    path,
    onlyKinds,
    handle((req) => {
      state.domain(param(req, 'domain')).suppressions.clear(kindOf(req));
      return { body: { message: REMOVED[kindOf(req)].all } };
    }),
  );
  app.get(
    `${path}/:address`,
    onlyKinds,
    handle((req) => {
      const record = state.domain(param(req, 'domain')).suppressions.get(kindOf(req), param(req, 'address'));
      // Documented sample: {"message": "Address not found in bounces table"}
      if (!record) throw notFound(`Address not found in ${kindOf(req)} table`);
      return { body: record };
    }),
  );
  app.delete(
    `${path}/:address`,
    onlyKinds,
    handle((req) => {
      const d = state.domain(param(req, 'domain'));
      const address = param(req, 'address').toLowerCase();
      if (!d.suppressions.remove(kindOf(req), address)) throw notFound(`Address not found in ${kindOf(req)} table`);
      return { body: { message: REMOVED[kindOf(req)].one, address } };
    }),
  );
}
