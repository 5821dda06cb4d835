/**
 * Customer.io configuration (seed 000). Keys are secrets and come from the secret chain; URLs and the region
 * come from the environment. Every problem is reported at once, by name, at cold start.
 */
import { EnvReader } from '../../core/config.ts';
import type { Secrets } from '../../secrets/chain.ts';
import { gatewayKeyProblems } from '../../secrets/gateway-keys.ts';
import type { SecretSpec } from '../../secrets/index.ts';

/** The Track API pair and the App API key: what a rotation of the Customer.io keys changes. */
export const CIO_KEY_NAMES = ['CIO_SITE_ID', 'CIO_API_KEY', 'CIO_APP_API_KEY'] as const;

/** Where the function's secrets live in each store (Secrets Manager: seed 001's `customerio-credentials`). */
export const cioSecretSpec = (env: Record<string, string | undefined>): SecretSpec => ({
  required: [...CIO_KEY_NAMES, 'ANON_ID_SALT', 'PII_SALT'],
  vaultPath: env.VAULT_SECRET_PATH || 'gatehouse/customerio',
  // Seed 001 reads {"siteId","apiKey"} from that secret; the chain's own names are accepted too.
  secretsManager: { id: env.CIO_SECRET_ID || 'customerio-credentials', aliases: { siteId: 'CIO_SITE_ID', apiKey: 'CIO_API_KEY', appApiKey: 'CIO_APP_API_KEY' } },
  gatewayKeys: true,
});

// Regional endpoints: https://docs.customer.io/integrations/api/#section/Overview/Regions
const REGIONS = {
  US: { track: 'https://track.customer.io/api/v1/', app: 'https://api.customer.io/v1/' },
  EU: { track: 'https://track-eu.customer.io/api/v1/', app: 'https://api-eu.customer.io/v1/' },
} as const;

export interface CustomerioConfig {
  region: keyof typeof REGIONS;
  siteId: string;
  trackApiKey: string;
  appApiKey: string;
  trackBaseUrl: string;
  appBaseUrl: string;
  anonIdSalt: string;
  /** Salt of `<field>_hash` values (proxy/core/pii.ts). */
  piiSalt: string;
  signatureMaxSkewSeconds: number;
  /** Broadcasts a mobile user may trigger; triggering any other id is refused (403). */
  allowedBroadcastIds: Set<string>;
  upstreamTimeoutMs: number;
}

export function loadCustomerioConfig(env: Record<string, string | undefined>, secrets: Secrets): CustomerioConfig {
  const r = new EnvReader(env);
  const secret = (name: string, why: string) => {
    const v = secrets.get(name);
    if (!v) r.problems.push(`${name} is required (${why}); set it in the environment, the secret store (SECRET_STORE) or the secrets file`);
    return v ?? '';
  };
  const region = r.oneOf('CIO_REGION', ['US', 'EU'] as const, 'US');
  const cfg: CustomerioConfig = {
    region,
    siteId: secret('CIO_SITE_ID', 'Track API Basic auth user'),
    trackApiKey: secret('CIO_API_KEY', 'Track API Basic auth password'),
    appApiKey: secret('CIO_APP_API_KEY', 'App API Bearer token'),
    anonIdSalt: secret('ANON_ID_SALT', 'salt for anonymous identifiers'),
    piiSalt: secret('PII_SALT', 'salt of hashed personal data such as phone_hash'),
    trackBaseUrl: withSlash(r.url('CIO_TRACK_API_BASE_URL', REGIONS[region].track)!),
    appBaseUrl: withSlash(r.url('CIO_APP_API_BASE_URL', REGIONS[region].app)!),
    signatureMaxSkewSeconds: r.int('SIGNATURE_MAX_SKEW_SECONDS', 300, 1, 3600),
    allowedBroadcastIds: new Set((r.optional('CIO_ALLOWED_BROADCAST_IDS') ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
    upstreamTimeoutMs: r.int('UPSTREAM_TIMEOUT_MS', 10_000, 100, 60_000),
  };
  r.problems.push(...gatewayKeyProblems(secrets));
  r.done();
  return cfg;
}

const withSlash = (u: string) => (u.endsWith('/') ? u : u + '/');
