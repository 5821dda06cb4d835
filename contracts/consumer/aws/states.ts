/** Provider states of the proxy's AWS pact, shared with the edge's state handlers (contracts/provider/aws.ts). */
export const AWS_STATES = {
  apiTokenStored: 'an API token of ada@example.com is stored',
  apiTokenTable: 'the API token table exists',
  sessionCached: 'ada@example.com has a cached Extend session',
  sessionTable: 'the Extend session table exists',
  extendPassword: 'an Extend password for ada@example.com is stored in SSM',
  deliveriesTable: 'the mail deliveries table exists',
  deliveriesStored: 'a message has a delivery stored',
  idempotencyTable: 'the mail idempotency table exists',
  sendRecordHeld: 'a send record is held by its owner',
  sendRecordDone: 'a completed send record is stored',
  cloudfrontSecret: 'the reports CloudFront key is stored in Secrets Manager',
  reportsStored: 'the reports bucket holds a month of reports',
  cloudfrontParameter: 'the packages CloudFront key is stored in SSM',
  restoreQueue: 'the restore queue exists',
  fileBehindDeleteMarker: 'a deleted package\'s file is behind a delete marker',
  assetsLive: 'a restored package\'s objects are live',
  webhookEventsTable: 'the Customer.io webhook events table exists',
  personalData: 'the tables naming people exist, with a Customer.io webhook event about ada@example.com',
} as const;

/** Example values the consumer sends and the provider states seed. */
export const EXAMPLES = {
  email: 'ada@example.com',
  apiToken: 'fake-api-token-for-contracts-0000',
  apiTokenTable: 'gatehouse-api-tokens',
  sessionTable: 'gatehouse-extend-tokens',
  deliveriesTable: 'gatehouse-mail-deliveries',
  webhookEventsTable: 'gatehouse-customerio-webhook-events',
  webhookEventId: '01E4C4CT6YDC7Y5M7FE1GWWPQJ',
  idempotencyTable: 'gatehouse-mail-idempotency',
  messageId: '20250101000000.fake-contract-message',
  passwordParameter: '/gatehouse/extend/users/ada_at_example.com/password',
  cloudfrontSecret: 'cloudfront-private-key',
  reportsBucket: 'gatehouse-package-assets',
  reportsMonth: 'reports/DN-1001/2025/07/',
  reportsFolder: 'reports/DN-1001/',
  cloudfrontParameter: '/gatehouse/packages/cloudfront/private-key',
  restoreQueue: 'gatehouse-restore-package',
  restorePackage: 'N:package:461',
  assetsBucket: 'gatehouse-package-assets',
  /** The seed's file of N:package:461 (fixtures/packages: files row 4) and its viewer-assets prefix. */
  restoreFile: 'O1/D123/P461/old-notes.txt',
  restoreAssets: 'O1/D123/P461/',
  /** The delete marker's version id in the examples; the provider state hands over the real one. */
  deleteMarkerVersion: '01JZ0000000000000000000000fake01',
} as const;

/** The send record of the idempotency examples: fixed values, so the states can hold exactly what the calls name. */
export const SEND_RECORD = {
  key: 'a'.repeat(64),
  fingerprint: 'b'.repeat(64),
  owner: '00000000-0000-4000-8000-00000000c0de',
  now: 1735689600000,
  createdAt: 1735689600000,
  expiresAt: 1735776000,
  messageId: '<20250101000000.fake-contract-message>',
  answer: JSON.stringify({ status: 200, body: { message: 'Queued', messages: [{ id: '<20250101000000.fake-contract-message>', recipients: 1 }], links: [], missingReports: [] } }),
} as const;
