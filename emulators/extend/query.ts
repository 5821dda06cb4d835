/**
 * Untrusted query strings → typed list queries, once, at the edge. Bad values are 400s in Extend's shape.
 * Parameter names: `page`/`count`/`statuses` on /virtualcards and `status` on transactions (extend-python
 * virtual_cards.py, transactions.py; clients call `/virtualcards/{id}/transactions?status=DECLINED,PENDING,CLEARED`).
 * `sortField`/`sortDirection` (and `sort=-field` on transactions) follow the developer.paywithextend.com list
 * references as we recall them; they are not in the sources we could search.
 */
import { ExtendError } from './errors.ts';
import { CARD_SORT_FIELDS, TRANSACTION_SORT_FIELDS, type CardQuery, type Sort, type TransactionQuery } from './state.ts';
import { CARD_STATUSES, TRANSACTION_STATUSES } from './types.ts';

type RawQuery = Record<string, unknown>;

// Undocumented page size limits: we chose a default of 25 (the seed service's "most recent 25") and a cap of 100.
export const DEFAULT_COUNT = 25;
export const MAX_COUNT = 100;

export function parseCardQuery(q: RawQuery): CardQuery {
  return {
    ...parsePage(q),
    statuses: parseList(q.statuses, 'statuses', CARD_STATUSES),
    sort: parseSort(q, CARD_SORT_FIELDS, 'createdAt', false),
  };
}

export function parseTransactionQuery(q: RawQuery): TransactionQuery {
  return {
    ...parsePage(q),
    statuses: parseList(q.status, 'status', TRANSACTION_STATUSES),
    sort: parseSort(q, TRANSACTION_SORT_FIELDS, 'date', true),
    virtualCardId: optionalString(q.virtualCardId, 'virtualCardId'),
    fromDate: parseDate(q.fromDate, 'fromDate'),
    toDate: parseDate(q.toDate, 'toDate'),
  };
}

function parsePage(q: RawQuery): { page: number; count: number } {
  return { page: parseInteger(q.page, 'page', 0, 0, Number.MAX_SAFE_INTEGER), count: parseInteger(q.count, 'count', DEFAULT_COUNT, 1, MAX_COUNT) };
}

function parseInteger(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  const s = optionalString(raw, name);
  if (s === undefined || s === '') return fallback;
  const n = Number(s);
  if (!/^\d+$/.test(s) || n < min || n > max) throw new ExtendError('bad_request', `Invalid ${name}: must be an integer from ${min} to ${max}`);
  return n;
}

/** `a,b` or repeated `x=a&x=b`, case-insensitive, each value checked against the allowed set. */
function parseList<T extends string>(raw: unknown, name: string, allowed: readonly T[]): T[] | undefined {
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [''])).map((v) => v.trim().toUpperCase()).filter(Boolean);
  if (parts.length === 0) return undefined;
  const bad = parts.filter((p) => !allowed.includes(p as T));
  if (bad.length) throw new ExtendError('bad_request', `Invalid ${name} value: ${bad.join(', ')}. Allowed: ${allowed.join(', ')}`);
  return [...new Set(parts)] as T[];
}

/** `sortField` + `sortDirection` (default DESC); where `prefixed`, also `sort=-field` / `sort=field`. */
function parseSort<F extends string>(q: RawQuery, fields: Record<F, unknown>, fallback: F, prefixed: boolean): Sort<F> {
  let field = optionalString(q.sortField, 'sortField');
  let direction = optionalString(q.sortDirection, 'sortDirection')?.toUpperCase();
  const sort = prefixed ? optionalString(q.sort, 'sort') : undefined;
  if (sort && !field) {
    field = sort.replace(/^[-+]/, '');
    direction ??= sort.startsWith('-') ? 'DESC' : 'ASC';
  }
  if (field !== undefined && !(field in fields)) throw new ExtendError('bad_request', `Invalid sortField: ${field}. Allowed: ${Object.keys(fields).join(', ')}`);
  if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') throw new ExtendError('bad_request', 'Invalid sortDirection: must be ASC or DESC');
  return { field: (field ?? fallback) as F, descending: (direction ?? 'DESC') === 'DESC' };
}

function parseDate(raw: unknown, name: string): string | undefined {
  const s = optionalString(raw, name);
  if (s === undefined || s === '') return undefined;
  const day = s.slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new ExtendError('bad_request', `Invalid ${name}: expected YYYY-MM-DD`);
  return day;
}

function optionalString(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new ExtendError('bad_request', `Invalid ${name}: give it once`);
  return raw;
}
