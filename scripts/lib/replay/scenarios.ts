/**
 * Mobile traffic per seed system, as the app sends it, for `npm run record -- --scenario <name>`: the fixtures in
 * fixtures/recordings/ are these requests recorded through the recording proxy (and redacted there). Users are the
 * seeded ones, so a replay maps their placeholders back to them. Upstream calls stay within what the provider pacts
 * allow (the pact check of fixtures/upstream enforces it).
 */
export interface ScenarioRequest {
  method: string;
  path: string;
  /** Signed-in user: a fresh gateway JWT is sent as Authorization. */
  user?: string;
  /** Cards user: a fresh API token is sent in the `token` header. */
  tokenUser?: string;
  /** Sends a gateway API key (x-api-key), as the CRM does. */
  apiKey?: boolean;
  json?: unknown;
}

const ADA = 'ada@example.com';
const GRACE = 'grace@example.com';
const LINUS = 'linus@example.com';

export const SCENARIOS: Record<string, { seed: string; requests: ScenarioRequest[] }> = {
  // Seeds 000/001: the Customer.io proxy.
  customerio: {
    seed: '000 Customer.io Lambda proxy, 001 Customer.io security basics',
    requests: [
      { method: 'POST', path: `/customers/${encodeURIComponent(ADA)}/events`, user: ADA, json: { name: 'item_purchased', data: { price: 29.99, ssn: '123-45-6789' } } },
      { method: 'PUT', path: `/customers/${encodeURIComponent(ADA)}/attributes`, user: ADA, json: { plan: 'premium' } },
      { method: 'PUT', path: `/customers/${encodeURIComponent(ADA)}/devices`, user: ADA, json: { device: { id: 'fcm-token-ada-pixel', platform: 'android' } } },
      { method: 'POST', path: `/customers/${encodeURIComponent(GRACE)}/events`, user: ADA, json: { name: 'spoof' } },
      { method: 'POST', path: '/events', json: { name: 'app_opened', anonymous_id: 'device-1' } },
      { method: 'POST', path: '/push/events', json: { delivery_id: 'RPILAgUBcRhIBqSfeiIwdIYJKxTY', event: 'opened', timestamp: 1795425864 } },
      { method: 'POST', path: '/api/v1/cio/device', user: ADA, json: { device: { id: 'fcm-token-ada-pixel', platform: 'android' } } },
      { method: 'GET', path: `/customers/${encodeURIComponent(ADA)}/activities?limit=10`, user: ADA },
      { method: 'POST', path: `/customers/${encodeURIComponent(ADA)}/events`, user: ADA, json: { name: 5 } },
      { method: 'POST', path: '/campaigns/7/triggers', user: ADA, json: { data: { headline: 'Hello' } } },
    ],
  },
  // Seed 002: the CRM's /send-mail with CloudFront report links.
  mail: {
    seed: '002 Distro Nation CRM /send-mail',
    requests: [
      { method: 'POST', path: '/send-mail', apiKey: true, json: { to: [ADA], subject: 'Your July statement', html: '<p>Hello!</p>', text: 'Hello!', from: 'Distro Nation <reports@mg.gatehouse.local>', campaign: { name: 'july-payouts', type: 'financial' }, attachReporting: true, customIds: ['DN-1001', 'DN-1003'], month: '7', year: '2025' } },
      { method: 'POST', path: '/send-mail', apiKey: true, json: { to: [] } },
      { method: 'POST', path: '/send-mail', json: { to: [ADA] } },
      { method: 'GET', path: '/reports', apiKey: true },
    ],
  },
  // Seed 003: the packages service (presigned S3 and CloudFront URLs; restore refusals that change no state).
  packages: {
    seed: '003 Packages Service',
    requests: [
      { method: 'GET', path: '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false', user: LINUS },
      { method: 'GET', path: '/packages/cloudfront/sign?dataset_id=N:dataset:123&package_id=N:package:456&path=data.parquet', user: LINUS },
      { method: 'GET', path: '/packages/presign/s3?dataset_id=N:dataset:123&package_id=N:package:456&redirect=false' },
      { method: 'POST', path: '/packages/restore', user: ADA, json: { nodeIds: ['N:package:1'] } },
      { method: 'POST', path: '/packages/restore?dataset_id=N:dataset:123', user: ADA, json: { nodeIds: 'x' } },
    ],
  },
  // Seed 004: the virtual-card service.
  cards: {
    seed: '004 Virtual Transaction Service',
    requests: [
      { method: 'GET', path: '/cards', tokenUser: ADA },
      { method: 'GET', path: '/cards/active', tokenUser: ADA },
      { method: 'GET', path: '/cards/vc_dqh0T8Lqz0ZnyOxlCLfCcm', tokenUser: ADA },
      { method: 'GET', path: '/cards/vc_dqh0T8Lqz0ZnyOxlCLfCcm/transactions', tokenUser: ADA },
      { method: 'GET', path: '/cards', tokenUser: GRACE },
      { method: 'GET', path: '/cards' },
    ],
  },
};
