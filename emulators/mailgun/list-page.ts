/** Listing pages of a domain's address-keyed tables (suppressions, whitelists) with Mailgun's paging links. */
import type { Request } from 'express';
import { badRequest } from './errors.ts';
import type { PageQuery } from './suppressions.ts';
import { origin, param, queryStrings } from './wire.ts';

/** List limit: default 100, at most 1000 (Bounces API reference). */
const MAX_LIMIT = 1000;

/**
 * One listing page with Mailgun's four paging links, each carrying the address cursor (`page`, `address`, `limit`,
 * `term`), for any address-keyed table of a domain.
 */
export function listPage<T>(req: Request, table: string, rows: (q: PageQuery) => T[], keyOf: (r: T) => string) {
  const d = param(req, 'domain');
  const q = queryStrings(req);
  const limit = q.limit === undefined ? 100 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`'limit' parameter must be an integer between 1 and ${MAX_LIMIT}`);
  const items = rows({ limit, page: q.page, address: q.address, term: q.term });
  const base = `${origin(req)}/v3/${d}/${table}`;
  const link = (page: string, address?: string) => {
    const p = new URLSearchParams({ page, ...(address !== undefined ? { address } : {}), limit: String(limit), ...(q.term ? { term: q.term } : {}) });
    return `${base}?${p}`;
  };
  const firstKey = items.length ? keyOf(items[0]) : q.address ?? '';
  const lastKey = items.length ? keyOf(items[items.length - 1]) : q.address ?? '';
  return { body: { items, paging: { first: link('first'), last: link('last'), next: link('next', lastKey), previous: link('previous', firstKey) } } };
}
