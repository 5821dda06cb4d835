/** Provider states of the proxy's pact with Extend, shared with the fake's state handlers. */
export const EXTEND_STATES = {
  acceptsPassword: 'ada@example.com signs in with the pact\'s password',
  refusesPassword: 'ada@example.com does not accept the pact\'s password',
  hasSession: 'ada@example.com has a session whose refresh token the pact uses',
  signedIn: 'ada@example.com is signed in',
  hasCards: 'ada@example.com receives several virtual cards, some active',
  cardWithTransactions: 'ada@example.com has a card with transactions',
} as const;
