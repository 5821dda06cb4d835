/** Provider states of the proxy's pact with Vault, shared with the fake's state handlers. */
export const VAULT_STATES = {
  approleAccepts: 'AppRole gatehouse-proxy accepts a role_id and secret_id the state issues',
  approleRefuses: 'AppRole does not know the pact\'s role_id and secret_id',
  tokenMayRead: 'the proxy holds a token whose policy reads secret/data/gatehouse/*',
  tokenRefused: 'Vault does not know the proxy\'s token',
  secretStored: 'secret/gatehouse/customerio holds the Customer.io keys and salt',
} as const;
