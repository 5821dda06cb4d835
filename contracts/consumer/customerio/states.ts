/** Provider states of the proxy's pact with Customer.io, shared with the fake's state handlers. */
export const CIO_STATES = {
  acceptsKeys: 'the workspace accepts the proxy\'s keys',
  refusesKeys: 'the workspace refuses the proxy\'s keys',
  adaExists: 'ada@example.com exists with device fcm-token-ada-pixel',
  transactionalMessages: 'transactional email 1 and push 2 exist',
  broadcast: 'API-triggered broadcast 7 exists',
  adaActivity: 'ada@example.com has recent activity',
} as const;
