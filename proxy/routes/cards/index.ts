/** The cards route group (seed 004): which path goes to which handler. All are GET; all but the spec need a token. */
import type { RouteDef } from '../../core/types.ts';
import { apiTokenAuth } from './auth.ts';
import * as h from './handlers.ts';
import { serveOpenApi } from './openapi.ts';

export function cardsRoutes(): RouteDef[] {
  const r = (path: string, handler: RouteDef['handler'], summary: string): RouteDef => ({ method: 'GET', path, handler, summary, middleware: [apiTokenAuth] });
  return [
    r('/cards', h.allCards, 'List the user\'s virtual cards (Extend GET /virtualcards)'),
    r('/cards/active', h.activeCards, 'List the user\'s active cards (Extend GET /virtualcards?statuses=ACTIVE)'),
    r('/cards/:cardId', h.oneCard, 'One card, without number or CVC (Extend GET /virtualcards/{id})'),
    r('/cards/:cardId/transactions', h.cardTransactions, 'A card\'s transactions, newest first (Extend GET /virtualcards/{id}/transactions)'),
    r('/transactions', h.allTransactions, 'Transactions of all the user\'s cards, merged newest first'),
    { method: 'GET', path: '/openapi.json', handler: serveOpenApi, summary: 'The cards API\'s OpenAPI 3.1 document' },
  ];
}
