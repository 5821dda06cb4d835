/**
 * Paging and sorting of Extend lists. Pages are 0-based (`page=0` is the first, as clients of the v2021-03-12
 * API request `virtualcards?count=50&page=0` and then `page=1..numberOfPages-1`).
 */
export interface PageRequest {
  page: number;
  count: number;
}

// Envelope field names from extend-python virtual_cards.py / transactions.py docstrings.
export interface Pagination {
  page: number;
  pageItemCount: number;
  totalItems: number;
  numberOfPages: number;
}

export interface Page<T> {
  items: T[];
  pagination: Pagination;
}

export interface SortSpec<T> {
  key: (item: T) => string | number;
  descending: boolean;
}

/** A counted page: totals describe the whole list. */
export function paginate<T>(all: readonly T[], req: PageRequest): Page<T> {
  const items = all.slice(req.page * req.count, (req.page + 1) * req.count);
  return {
    items,
    pagination: { page: req.page, pageItemCount: items.length, totalItems: all.length, numberOfPages: Math.ceil(all.length / req.count) },
  };
}

/**
 * A look-ahead page, as GET /transactions answers: "totalItems will be 1 more than pageItemCount if there is
 * another page to fetch" (extend-python transactions.py docstring) — the full count is never computed.
 */
export function paginateLookahead<T>(all: readonly T[], req: PageRequest): Page<T> {
  const start = req.page * req.count;
  const items = all.slice(start, start + req.count);
  const more = all.length > start + req.count;
  return {
    items,
    pagination: { page: req.page, pageItemCount: items.length, totalItems: items.length + (more ? 1 : 0), numberOfPages: req.page + (more ? 2 : 1) },
  };
}

/** Stable sort by one key, ties broken by id so pages never overlap. */
export function sortItems<T extends { id: string }>(items: readonly T[], spec: SortSpec<T>): T[] {
  const dir = spec.descending ? -1 : 1;
  return [...items].sort((a, b) => {
    const ka = spec.key(a);
    const kb = spec.key(b);
    if (ka !== kb) return (ka < kb ? -1 : 1) * dir;
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * dir;
  });
}
