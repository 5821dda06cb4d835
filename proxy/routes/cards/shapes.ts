/**
 * What the cards routes answer, built from Extend's records. A card is exactly seed 004's shape; a transaction
 * keeps the fields a cardholder needs. The full card number (`vcn`) and CVC (`securityCode`) are never copied.
 * Extend field names: emulators/extend/types.ts (from extend-python models.py and real client responses).
 */
export interface ExtendCard {
  id: string;
  displayName: string;
  limitCents: number;
  balanceCents: number;
  last4: string;
  status: string;
}

export interface ExtendTransaction {
  id: string;
  virtualCardId: string;
  vcnLast4: string;
  vcnDisplayName: string;
  status: string;
  type: string;
  authBillingAmountCents: number;
  authBillingCurrency: string;
  clearingBillingAmountCents: number | null;
  merchantName: string;
  mcc: string;
  mccGroup: string;
  mccDescription: string;
  authedAt: string;
  clearedAt: string | null;
}

export interface ExtendPagination {
  page?: number;
  numberOfPages?: number;
}

export type Card = Pick<ExtendCard, 'id' | 'displayName' | 'limitCents' | 'balanceCents' | 'last4' | 'status'>;

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

export const toCard = (c: ExtendCard): Card => ({
  id: c.id, displayName: c.displayName, limitCents: c.limitCents, balanceCents: c.balanceCents, last4: c.last4, status: c.status,
});

export const toTransaction = (t: ExtendTransaction): Transaction => ({
  id: t.id,
  cardId: t.virtualCardId,
  cardLast4: t.vcnLast4,
  cardDisplayName: t.vcnDisplayName,
  status: t.status,
  type: t.type,
  amountCents: t.authBillingAmountCents,
  currency: t.authBillingCurrency,
  clearedAmountCents: t.clearingBillingAmountCents ?? null,
  merchantName: t.merchantName,
  mcc: t.mcc,
  mccGroup: t.mccGroup,
  mccDescription: t.mccDescription,
  authorizedAt: t.authedAt,
  clearedAt: t.clearedAt ?? null,
});

/** Newest first; ties by id so a merged page has one stable order. */
export const newestFirst = (a: Transaction, b: Transaction): number =>
  a.authorizedAt === b.authorizedAt ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.authorizedAt < b.authorizedAt ? 1 : -1;
