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
import { csvRecords } from './csv.ts';
import { listPage } from './list-page.ts';
import { whitelistRoutes } from './whitelist-routes.ts';
import { handle, param } from './wire.ts';

// Per-kind wording from the Suppressions reference's sample responses.
const NOT_FOUND: Record<SuppressionKind, string> = {
  bounces: 'Address not found in bounces table',
  unsubscribes: 'Address not found in unsubscribers table',
  complaints: 'No spam complaints found for this address',
};
const REMOVED: Record<SuppressionKind, { one: string; all: string }> = {
  bounces: { one: 'Bounced address has been removed', all: 'Bounced addresses for this domain have been removed' },
  unsubscribes: { one: 'Unsubscribe event has been removed', all: 'Unsubscribe addresses for this domain have been removed' },
  complaints: { one: 'Spam complaint has been removed', all: 'Complaint addresses for this domain have been removed' },
};

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
    // "4 addresses have been added to the bounces table"; complaints say "2 complaint addresses have been added…".
    const noun = `${kind === 'complaints' ? 'complaint ' : ''}${n === 1 ? 'address has' : 'addresses have'}`;
    return { body: { message: `${n} ${noun} been added to the ${kind} table` } };
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
  return listPage(req, kind, (q) => d.suppressions.page(kind, q), (r) => r.address);
}

/**
 * POST /v3/{domain}/{kind}/import: a CSV file (field `file`, at most 25 MB) with the columns the reference names —
 * bounces `address,code,error,created_at`, unsubscribes `address,tag(s),created_at`, complaints
 * `address,created_at`, whitelists `address,domain`. Mailgun processes the file later; the fake applies it at once.
 */
async function importFile(state: MailgunState, req: Request) {
  const d = state.domain(param(req, 'domain'));
  const kind = param(req, 'kind');
  const form = await parseForm(req.body, req.headers['content-type']);
  const file = form.files.find((f) => f.field === 'file');
  if (!file) throw badRequest("'file' parameter is missing");
  if (file.bytes.length > 25 * 1024 * 1024) throw badRequest('CSV file must be 25MB or under');
  const { header, records } = csvRecords(file.bytes.toString('utf8'));
  if (kind === 'whitelists') {
    if (!header.includes('address') && !header.includes('domain')) throw badRequest("CSV file must contain an 'address' or 'domain' column");
    const rows = records.filter((r) => r.address || r.domain).map((r) => (r.address ? { address: r.address } : { domain: r.domain }));
    for (const r of rows) d.whitelist.add(r);
  } else {
    if (!header.includes('address')) throw badRequest("CSV file must contain an 'address' column");
    const rows = records.filter((r) => r.address).map((r) => checkInput({ address: r.address, code: r.code || undefined, error: r.error || undefined, created_at: r.created_at || undefined, ...(r.tags || r.tag ? { tags: (r.tags || r.tag).split(/[;,]/).map((t) => t.trim()).filter(Boolean) } : {}) }));
    for (const r of rows) d.suppressions.add(kind as SuppressionKind, r);
  }
  return { body: { message: 'file uploaded successfully' } };
}

const IMPORT_KINDS = [...SUPPRESSION_KINDS, 'whitelists'];

export function suppressionRoutes(app: Express, state: MailgunState): void {
  app.post('/v3/:domain/:kind/import', (req, _res, next) => next(IMPORT_KINDS.includes(param(req, 'kind')) ? undefined : 'route'), handle((req) => importFile(state, req)));
  whitelistRoutes(app, state);
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
      if (!record) throw notFound(NOT_FOUND[kindOf(req)]);
      return { body: record };
    }),
  );
  app.delete(
    `${path}/:address`,
    onlyKinds,
    handle((req) => {
      const d = state.domain(param(req, 'domain'));
      const address = param(req, 'address').toLowerCase();
      if (!d.suppressions.remove(kindOf(req), address)) throw notFound(NOT_FOUND[kindOf(req)]);
      return { body: { message: REMOVED[kindOf(req)].one, address } };
    }),
  );
}
