/** Virtual cards through Gatehouse (API-token auth in the `token` header): lists page with `next` cursors. */
import type { Transport } from './http.ts';

export interface Card {
  id: string;
  displayName: string;
  limitCents: number;
  balanceCents: number;
  last4: string;
  status: string;
}

export interface Transaction {
  id: string;
  cardId: string;
  cardLast4: string;
  cardDisplayName: string;
  status: string;
  type: string;
  amountCents: number;
  currency: string;
  clearedAmountCents: number | null;
  merchantName: string;
  mcc: string;
  mccGroup: string;
  mccDescription: string;
  authorizedAt: string;
  clearedAt: string | null;
}

export interface Paging {
  page?: number;
  count?: number;
  cursor?: string;
}

export interface CardPage { cards: Card[]; next: string | null }
export interface TransactionPage { transactions: Transaction[]; next: string | null }

export class CardsApi {
  constructor(private readonly t: Transport) {}

  list = (paging: Paging = {}) => this.t.send<CardPage>({ method: 'GET', path: '/cards', query: { ...paging } });
  active = (paging: Paging = {}) => this.t.send<CardPage>({ method: 'GET', path: '/cards/active', query: { ...paging } });
  get = async (cardId: string) => (await this.t.send<{ card: Card }>({ method: 'GET', path: `/cards/${encodeURIComponent(cardId)}` })).card;
  transactions = (cardId: string, paging: Paging = {}) =>
    this.t.send<TransactionPage>({ method: 'GET', path: `/cards/${encodeURIComponent(cardId)}/transactions`, query: { ...paging } });
  allTransactions = (paging: Paging = {}) => this.t.send<TransactionPage>({ method: 'GET', path: '/transactions', query: { ...paging } });
  /** The cards API's OpenAPI document (public). */
  openApi = () => this.t.send<{ openapi: string; paths: Record<string, unknown> }>({ method: 'GET', path: '/openapi.json' });
}
