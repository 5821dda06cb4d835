/** Provider states of the proxy's pact with Mailgun, shared with the fake's state handlers. */
export const MAILGUN_STATES = {
  acceptsKey: 'Mailgun accepts the proxy\'s API key',
  refusesKey: 'Mailgun refuses the proxy\'s API key',
  domainExists: 'the sending domain mg.gatehouse.local exists',
  acceptedWithVariable: 'Mailgun accepted a message to ada@example.com carrying the proxy\'s send variable',
} as const;
