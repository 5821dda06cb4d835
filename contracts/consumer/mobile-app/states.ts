/** Provider states of the mobile pact: the `given(...)` words, shared with the provider's state handlers. */
export const MOBILE_STATES = {
  signedIn: 'ada@example.com is signed in',
  expiredToken: 'ada@example.com holds an expired token',
  anonymous: 'the app is not signed in',
  hasActivity: 'ada@example.com has recent activity',
  broadcastAllowed: 'broadcast 7 may be triggered from the app',
  transactionalMessages: 'transactional email 1 and push 2 exist',
  apiToken: 'ada@example.com has an API token',
  unknownApiToken: 'the app holds an unknown API token',
  hasCards: 'ada@example.com has virtual cards with transactions',
  crmApiKey: 'the CRM holds an API key',
  unknownApiKey: 'the CRM holds an API key the gateway does not know',
  julyReports: 'DN-1001 has reports for July 2025',
  mailSent: 'a campaign mail was sent to linus@example.com',
  mailSentWithKey: 'a campaign was sent with the Idempotency-Key crm-retry-0001',
  mailgunSigns: 'Mailgun signs its webhooks with the domain\'s key',
  customerioSigns: 'Customer.io signs its reporting webhooks with the workspace\'s key',
  deletedPackage: 'package N:package:461 of dataset N:dataset:123 is deleted',
  packagePresigned: 'a presigned URL of package N:package:456 was issued',
  corsOrigin: 'the S3 proxy allows the origin http://127.0.0.1:5173',
  reportsCorsOrigin: 'the reports routes allow the origin http://127.0.0.1:5173',
} as const;

/** Who the mobile pact is about. */
export const ADA = 'ada@example.com';

/** The campaign of `mailSentWithKey`: sent by the state under its key, then sent again by the retry interactions. */
export const KEYED_CAMPAIGN = {
  key: 'crm-retry-0001',
  body: { to: ['linus@example.com'], subject: 'Contract retry', html: '<p>Hi</p>', text: 'Hi', from: 'reports@mg.gatehouse.local', campaign: { name: 'contract-retry', type: 'newsletter' } },
} as const;
