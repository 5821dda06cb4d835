/**
 * The cards routes (seed 004), each a plain handler: parse the input, ask Extend as the user, answer in our
 * envelope — lists are `{cards|transactions, next}`, a single card is `{card}`.
 */
import { notFound, badRequest } from '../../core/errors.ts';
import type { Handler, ProxyResponse, RouteRequest } from '../../core/types.ts';
import { userOf } from './auth.ts';
import { cardsOf } from './deps.ts';
import { nextCursor, parsePaging, MAX_COUNT, type PageQuery } from './paging.ts';
import { newestFirst, toCard, toTransaction, type ExtendCard, type ExtendPagination, type ExtendTransaction } from './shapes.ts';

// Extend ids are a prefix and 22 alphanumerics (e.g. vc_A681POqRINI7goyrCNPff7, seed 004); shorter ones are allowed.
const CARD_ID = /^vc_[A-Za-z0-9]{1,64}$/;

const cardNotFound = () => notFound('card_not_found', 'no such card');
const ok = (body: unknown): ProxyResponse => ({ status: 200, body });

interface CardPage { virtualCards?: ExtendCard[]; pagination?: ExtendPagination }
interface TransactionPage { transactions?: ExtendTransaction[]; pagination?: ExtendPagination }

/** More pages after this one: Extend's page count when it sent one, else "this page was full". */
const hasMore = (p: PageQuery, got: number, pagination?: ExtendPagination) =>
  typeof pagination?.numberOfPages === 'number' ? pagination.numberOfPages > p.page + 1 : got >= p.count;

function cardId(req: RouteRequest): string {
  const id = req.params.cardId;
  if (!CARD_ID.test(id)) throw badRequest('invalid_card_id', 'cardId must be "vc_" followed by letters and digits', { cardId: id.slice(0, 80) });
  return id;
}

const listCards = (statuses?: string): Handler => async (req, deps) => {
  const email = userOf(req);
  const p = parsePaging(req.query);
  // Extend's list filter is `statuses` (extend-python virtual_cards.py get_virtual_cards).
  const out = await cardsOf(deps).extend.get<CardPage>(email, '/virtualcards', { query: { page: p.page, count: p.count, ...(statuses ? { statuses } : {}) } });
  const cards = out.virtualCards ?? [];
  return ok({ cards: cards.map(toCard), next: nextCursor(p, hasMore(p, cards.length, out.pagination)) });
};

export const allCards = listCards();
export const activeCards = listCards('ACTIVE');

export const oneCard: Handler = async (req, deps) => {
  const id = cardId(req);
  const out = await cardsOf(deps).extend.get<{ virtualCard?: ExtendCard }>(userOf(req), `/virtualcards/${id}`, { notFound: cardNotFound });
  if (!out.virtualCard) throw cardNotFound();
  return ok({ card: toCard(out.virtualCard) });
};

export const cardTransactions: Handler = async (req, deps) => {
  const id = cardId(req);
  const p = parsePaging(req.query);
  const out = await cardsOf(deps).extend.get<TransactionPage>(userOf(req), `/virtualcards/${id}/transactions`, { query: { page: p.page, count: p.count }, notFound: cardNotFound });
  const txns = out.transactions ?? [];
  return ok({ transactions: txns.map(toTransaction), next: nextCursor(p, hasMore(p, txns.length, out.pagination)) });
};

/** Page `p` of every one of the user's cards (the most recent `count` each on page 0), merged newest first. */
export const allTransactions: Handler = async (req, deps) => {
  const email = userOf(req);
  const p = parsePaging(req.query);
  const { extend } = cardsOf(deps);
  const ids = await allCardIds(email, extend.get.bind(extend));
  const pages = await Promise.all(ids.map((id) =>
    extend.get<TransactionPage>(email, `/virtualcards/${encodeURIComponent(id)}/transactions`, { query: { page: p.page, count: p.count } })));
  const merged = pages.flatMap((pg) => (pg.transactions ?? []).map(toTransaction)).sort(newestFirst);
  const more = pages.some((pg) => hasMore(p, pg.transactions?.length ?? 0, pg.pagination));
  return ok({ transactions: merged, next: nextCursor(p, more) });
};

type Get = <T>(email: string, path: string, opts: { query: Record<string, number> }) => Promise<T>;

/** Every card id of the user, walking Extend's card pages. */
async function allCardIds(email: string, get: Get): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 0; ; page++) {
    const out = await get<CardPage>(email, '/virtualcards', { query: { page, count: MAX_COUNT } });
    const cards = out.virtualCards ?? [];
    ids.push(...cards.map((c) => c.id));
    if (!hasMore({ page, count: MAX_COUNT }, cards.length, out.pagination) || cards.length === 0) return ids;
  }
}
