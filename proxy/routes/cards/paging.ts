/**
 * Paging of the cards routes: `page` (0-based, as Extend's) and `count` (1..100, default 25: seed 004's "most
 * recent 25"), or an opaque `cursor` handed back as `next`. Validated once here; handlers get numbers.
 */
import { badRequest } from '../../core/errors.ts';

export interface PageQuery {
  page: number;
  count: number;
}

export const DEFAULT_COUNT = 25;
export const MAX_COUNT = 100;
export const MAX_PAGE = 1_000_000;

export function parsePaging(query: URLSearchParams): PageQuery {
  const cursor = query.get('cursor');
  if (cursor !== null) {
    if (query.has('page') || query.has('count')) throw badRequest('invalid_paging', 'send either cursor or page/count, not both');
    return decodeCursor(cursor);
  }
  return {
    page: integer(query, 'page', 0, 0, MAX_PAGE),
    count: integer(query, 'count', DEFAULT_COUNT, 1, MAX_COUNT),
  };
}

/** The cursor of the following page, or null at the end. */
export function nextCursor(p: PageQuery, hasMore: boolean): string | null {
  return hasMore ? Buffer.from(JSON.stringify({ page: p.page + 1, count: p.count })).toString('base64url') : null;
}

function decodeCursor(raw: string): PageQuery {
  let v: { page?: unknown; count?: unknown };
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as typeof v;
  } catch {
    throw badRequest('invalid_cursor', 'cursor is not one this API issued');
  }
  const ok = (n: unknown, min: number, max: number) => Number.isInteger(n) && (n as number) >= min && (n as number) <= max;
  if (!v || typeof v !== 'object' || !ok(v.page, 0, MAX_PAGE) || !ok(v.count, 1, MAX_COUNT)) {
    throw badRequest('invalid_cursor', 'cursor is not one this API issued');
  }
  return { page: v.page as number, count: v.count as number };
}

function integer(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const all = query.getAll(name);
  if (all.length === 0) return fallback;
  const s = all[0];
  if (all.length > 1 || !/^\d{1,9}$/.test(s) || Number(s) < min || Number(s) > max) {
    throw badRequest('invalid_paging', `${name} must be an integer from ${min} to ${max}`, { parameter: name });
  }
  return Number(s);
}
