/**
 * Cards configuration (seed 004): where Extend is, which media type selects its API version, and where the
 * per-user passwords (SSM), the Extend session cache and our hashed API tokens (DynamoDB) live. Every problem is
 * reported at once, by name, at cold start.
 */
import { EnvReader } from '../../core/config.ts';

// Real base URL from Extend's own clients (extend-python client.py, Extend Kotlin/Go clients: https://api.paywithextend.com/).
export const EXTEND_DEFAULT_BASE_URL = 'https://api.paywithextend.com';
// Every client of the v2021-03-12 API sends this Accept type; the fake enforces it (emulators/extend/routes.ts).
export const EXTEND_DEFAULT_ACCEPT = 'application/vnd.paywithextend.v2021-03-12+json';

export interface CardsConfig {
  extendBaseUrl: string;
  extendAccept: string;
  /** SSM parameter for a user: `${prefix}/${email with @ → _at_}/password`. */
  passwordSsmPrefix: string;
  extendTokenTable: string;
  apiTokenTable: string;
  upstreamTimeoutMs: number;
}

export function loadCardsConfig(env: Record<string, string | undefined>): CardsConfig {
  const r = new EnvReader(env);
  const prefix = r.optional('EXTEND_PASSWORD_SSM_PREFIX', '/gatehouse/extend/users')!;
  if (!/^\/[A-Za-z0-9_.\-/]*[^/]$/.test(prefix)) {
    r.problems.push(`EXTEND_PASSWORD_SSM_PREFIX must be an SSM path such as /gatehouse/extend/users (a-z A-Z 0-9 _ . - /, no trailing /), got "${prefix}"`);
  }
  const table = (name: string, fallback: string) => {
    const v = r.optional(name, fallback)!;
    // DynamoDB table names: 3-255 of a-z A-Z 0-9 _ . - (CreateTable API reference, TableName).
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(v)) r.problems.push(`${name} must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -), got "${v}"`);
    return v;
  };
  const cfg: CardsConfig = {
    extendBaseUrl: r.url('EXTEND_API_BASE_URL', EXTEND_DEFAULT_BASE_URL)!.replace(/\/+$/, ''),
    extendAccept: r.optional('EXTEND_API_VERSION_ACCEPT', EXTEND_DEFAULT_ACCEPT)!,
    passwordSsmPrefix: prefix,
    extendTokenTable: table('EXTEND_TOKEN_TABLE', 'gatehouse-extend-tokens'),
    apiTokenTable: table('API_TOKEN_TABLE', 'gatehouse-api-tokens'),
    upstreamTimeoutMs: r.int('UPSTREAM_TIMEOUT_MS', 10_000, 100, 60_000),
  };
  r.done();
  return cfg;
}

/** The SSM parameter holding a user's Extend password (names allow no "@": PutParameter API reference, Name). */
export function passwordParameter(prefix: string, email: string): string {
  return `${prefix}/${email.toLowerCase().replace(/@/g, '_at_')}/password`;
}
