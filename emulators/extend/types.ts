/**
 * Records of the fake Extend API, with Extend's own field names (v2021-03-12 wire format).
 * Sources: paywithextend/extend-python `extend/models.py` (statuses, card and transaction fields) and the
 * transaction fields a real client parsed (nameOnCard, vcnDisplayName, vcnLast4, mccGroup, authedAt).
 */

// extend-python models.py VirtualCardStatus: every status a virtual card can be in.
export const CARD_STATUSES = ['ACTIVE', 'PENDING', 'CANCELLED', 'CLOSED', 'EXPIRED', 'CONSUMED'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

// extend-python models.py TransactionStatus. (The "reversed" webhook event carries status AUTH_REVERSAL.)
export const TRANSACTION_STATUSES = ['PENDING', 'CLEARED', 'DECLINED', 'NO_MATCH', 'AVS_PASS', 'AVS_FAIL', 'AUTH_REVERSAL'] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

// extend-python models.py TransactionType.
export const TRANSACTION_TYPES = ['DEBIT', 'CREDIT', 'AVS'] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export interface UserRecord {
  id: string; // u_…
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  organizationId: string;
  createdAt: string;
}

/** A person as embedded in a card (recipient / cardholder). */
export interface PersonRef {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
}

export interface VirtualCardRecord {
  id: string; // vc_…
  status: CardStatus;
  recipientId: string;
  recipient: PersonRef;
  cardholderId: string;
  cardholder: PersonRef;
  displayName: string;
  expires: string;
  currency: string;
  limitCents: number;
  balanceCents: number;
  spentCents: number;
  lifetimeSpentCents: number;
  last4: string;
  numberFormat: string;
  validFrom: string;
  validTo: string;
  timezone: string;
  creditCardId: string;
  creditCardDisplayName: string;
  recurs: boolean;
  notes: string;
  createdAt: string;
  updatedAt: string;
  /** Full card number and CVC: only in the single-card response, as Extend does. */
  vcn: string;
  securityCode: string;
}

export interface TransactionRecord {
  id: string; // txn_…
  cardholderId: string;
  cardholderName: string;
  cardholderEmail: string;
  recipientId: string;
  recipientName: string;
  recipientEmail: string;
  nameOnCard: string;
  virtualCardId: string;
  vcnLast4: string;
  vcnDisplayName: string;
  creditCardId: string;
  type: TransactionType;
  status: TransactionStatus;
  authBillingAmountCents: number;
  authBillingCurrency: string;
  clearingBillingAmountCents: number | null;
  clearingBillingCurrency: string | null;
  merchantName: string;
  merchantId: string;
  mcc: string;
  mccGroup: string;
  mccDescription: string;
  authedAt: string;
  clearedAt: string | null;
  updatedAt: string;
  hasAttachments: boolean;
  notes: string;
}

export interface ExtendSeed {
  users: UserRecord[];
  virtualCards: VirtualCardRecord[];
  transactions: TransactionRecord[];
}
