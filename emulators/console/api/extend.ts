/**
 * Extend: users, virtual cards and transactions as the fake holds them (its state and `/__admin/transactions`;
 * card numbers and security codes are never in either).
 *
 *   GET /api/extend                              users and cards
 *   GET /api/extend/transactions[?card=]         transactions, newest first
 */
import { text, type ApiRoute } from '../app.ts';
import type { ConsoleDeps } from '../deps.ts';

export const extendRoutes: ApiRoute<ConsoleDeps>[] = [
  {
    method: 'GET', path: '/api/extend',
    handler: async (_req, deps) => {
      const s = await deps.fakes.json<{ users: unknown[]; virtualCards: unknown[]; transactionCount: number }>('extend', '/__admin/state');
      return { json: { users: s.users, cards: s.virtualCards, transactionCount: s.transactionCount } };
    },
  },
  {
    method: 'GET', path: '/api/extend/transactions',
    handler: async (req, deps) => {
      const card = text(req.query.get('card'), 'card', { optional: true, max: 100, pattern: /^[\w-]+$/ });
      return { json: await deps.fakes.json('extend', `/__admin/transactions${card ? `?virtualCardId=${encodeURIComponent(card)}` : ''}`) };
    },
  },
];
