/**
 * Mobile app → Gatehouse, cards routes (seed 004; API token in the `token` header): each route's happy path, an
 * auth failure (an unknown token, or none) and a refused input (paging, cursor, card id), as the app relies on them.
 * Error codes: proxy/routes/cards/auth.ts, paging.ts and handlers.ts.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import type { Card, GatehouseClient, Transaction } from '../../mobile-client/index.ts';
import type { InteractionSpec } from '../interaction.ts';
import { apiToken, gatehouseError } from '../matchers.ts';
import { MOBILE_STATES as S } from './states.ts';

type Spec = InteractionSpec<GatehouseClient>;
type Req = Omit<Spec, 'given' | 'uponReceiving' | 'status' | 'errorCode'>;

const token = { token: apiToken() };
const EXAMPLE_CARD = 'vc_dqh0T8Lqz0ZnyOxlCLfCcm';
// The card id comes from the provider state, so a provider with other data still verifies.
const cardPath = (rest = '') => M.fromProviderState(`/cards/\${cardId}${rest}`, `/cards/${EXAMPLE_CARD}${rest}`);

const card = { id: M.regex('^vc_[A-Za-z0-9]+$', EXAMPLE_CARD), displayName: M.like('Cloud hosting'), limitCents: M.integer(50000),
  balanceCents: M.integer(12000), last4: M.regex('^[0-9]{4}$', '4242'), status: M.like('ACTIVE') };
// What the app shows of a transaction; the rest of the record may change without breaking it.
const transaction = { id: M.regex('^txn_[A-Za-z0-9]+$', 'txn_XGttPyhk416L633kYOigrL'), cardId: M.regex('^vc_[A-Za-z0-9]+$', EXAMPLE_CARD),
  status: M.like('PENDING'), amountCents: M.integer(29846), currency: M.like('USD'), merchantName: M.like('DELTA AIR LINES'),
  authorizedAt: M.like('2024-05-29T10:33:28.102+0000') };
const cursor = () => M.regex('^[A-Za-z0-9_-]+$', 'eyJwYWdlIjoxLCJjb3VudCI6Mn0');

const cardView = ({ id, displayName, limitCents, balanceCents, last4, status }: Card) => ({ id, displayName, limitCents, balanceCents, last4, status });
const txnView = ({ id, cardId, status, amountCents, currency, merchantName, authorizedAt }: Transaction) => ({ id, cardId, status, amountCents, currency, merchantName, authorizedAt });

const unknownToken = (what: string, req: Req): Spec => ({
  given: [S.unknownApiToken], uponReceiving: `${what} with an unknown API token`, ...req, headers: token, status: 401,
  responseBody: gatehouseError('token_invalid', 'the API token is unknown, revoked or expired'), errorCode: 'token_invalid',
});
const refused = (what: string, code: string, message: string, req: Req): Spec => ({
  given: [S.apiToken], uponReceiving: what, ...req, headers: token, status: 400, responseBody: gatehouseError(code, message), errorCode: code,
});

export const cardsInteractions: Spec[] = [
  { given: [S.apiToken, S.hasCards], uponReceiving: 'a page of one\'s cards', method: 'GET', path: '/cards', query: { count: '2' }, headers: token,
    status: 200, responseBody: { cards: M.eachLike(card, 2), next: cursor() },
    call: async (c) => { const p = await c.cards.list({ count: 2 }); return { cards: p.cards.map(cardView), next: p.next }; } },
  unknownToken('a page of cards', { method: 'GET', path: '/cards', call: (c) => c.cards.list() }),
  refused('a page of cards with a count of 0', 'invalid_paging', 'count must be an integer from 1 to 100', { method: 'GET', path: '/cards', query: { count: '0' },
    call: (c) => c.cards.list({ count: 0 }) }),

  { given: [S.apiToken, S.hasCards], uponReceiving: 'a page of one\'s active cards', method: 'GET', path: '/cards/active', headers: token,
    status: 200, responseBody: { cards: M.eachLike({ ...card, status: 'ACTIVE' }) },
    call: async (c) => ({ cards: (await c.cards.active()).cards.map(cardView) }) },
  unknownToken('a page of active cards', { method: 'GET', path: '/cards/active', call: (c) => c.cards.active() }),
  refused('a page of active cards with a cursor Gatehouse never issued', 'invalid_cursor', 'cursor is not one this API issued', { method: 'GET', path: '/cards/active',
    query: { cursor: 'bm90LWEtY3Vyc29y' }, call: (c) => c.cards.active({ cursor: 'bm90LWEtY3Vyc29y' }) }),

  { given: [S.apiToken, S.hasCards], uponReceiving: 'one of one\'s cards', method: 'GET', path: cardPath(), headers: token,
    status: 200, responseBody: { card }, call: async (c) => ({ card: cardView(await c.cards.get(EXAMPLE_CARD)) }) },
  { given: [S.anonymous], uponReceiving: 'a card without an API token', method: 'GET', path: `/cards/${EXAMPLE_CARD}`, status: 401,
    responseBody: gatehouseError('token_missing', 'send your API token in the "token" header'), errorCode: 'token_missing', call: (c) => c.cards.get(EXAMPLE_CARD) },
  refused('a card by an id that is not a card id', 'invalid_card_id', 'cardId must be "vc_" followed by letters and digits', { method: 'GET', path: '/cards/not-a-card',
    call: (c) => c.cards.get('not-a-card') }),

  { given: [S.apiToken, S.hasCards], uponReceiving: 'a card\'s transactions', method: 'GET', path: cardPath('/transactions'), query: { count: '5' }, headers: token,
    status: 200, responseBody: { transactions: M.eachLike(transaction) },
    call: async (c) => ({ transactions: (await c.cards.transactions(EXAMPLE_CARD, { count: 5 })).transactions.map(txnView) }) },
  unknownToken('a card\'s transactions', { method: 'GET', path: `/cards/${EXAMPLE_CARD}/transactions`, call: (c) => c.cards.transactions(EXAMPLE_CARD) }),
  refused('a card\'s transactions with a count of 101', 'invalid_paging', 'count must be an integer from 1 to 100', { method: 'GET',
    path: `/cards/${EXAMPLE_CARD}/transactions`, query: { count: '101' }, call: (c) => c.cards.transactions(EXAMPLE_CARD, { count: 101 }) }),

  { given: [S.apiToken, S.hasCards], uponReceiving: 'the transactions of all one\'s cards', method: 'GET', path: '/transactions', query: { count: '5' }, headers: token,
    status: 200, responseBody: { transactions: M.eachLike(transaction) },
    call: async (c) => ({ transactions: (await c.cards.allTransactions({ count: 5 })).transactions.map(txnView) }) },
  unknownToken('the transactions of all cards', { method: 'GET', path: '/transactions', call: (c) => c.cards.allTransactions() }),
  refused('the transactions of all cards with both a cursor and a page', 'invalid_paging', 'send either cursor or page/count, not both', { method: 'GET', path: '/transactions',
    query: { cursor: 'eyJwYWdlIjoxLCJjb3VudCI6NX0', page: '1' }, call: (c) => c.cards.allTransactions({ cursor: 'eyJwYWdlIjoxLCJjb3VudCI6NX0', page: 1 }) }),

  // Public: the spec a client generator reads; it has no credential to refuse and no input.
  { given: [S.anonymous], uponReceiving: 'the cards API\'s OpenAPI document', method: 'GET', path: '/openapi.json', status: 200,
    responseBody: { openapi: M.regex('^3\\.1\\.\\d+$', '3.1.0'), paths: M.like({ '/cards': {} }) },
    call: async (c) => { const d = await c.cards.openApi(); return { openapi: d.openapi, paths: d.paths['/cards'] ? { '/cards': {} } : d.paths }; } },
];
