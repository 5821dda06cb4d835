/** The local stack's default ports (README's table); each is overridable by its environment variable. */
export const PORTS = {
  gateway: { env: 'GATEWAY_PORT', port: 8080 },
  proxy: { env: 'PROXY_PORT', port: 3000 },
  customerio: { env: 'CIO_PORT', port: 4010 },
  customerioHttps: { env: 'CIO_HTTPS_PORT', port: 4443 },
  extend: { env: 'EXTEND_PORT', port: 4020 },
  mailgun: { env: 'MAILGUN_PORT', port: 4030 },
  cloudfront: { env: 'CLOUDFRONT_PORT', port: 4040 },
  cloudfrontHttps: { env: 'CLOUDFRONT_HTTPS_PORT', port: 4041 },
  vault: { env: 'VAULT_PORT', port: 8200 },
  aws: { env: 'AWS_PORT', port: 4566 },
  console: { env: 'CONSOLE_PORT', port: 4050 },
} as const;

export type PortName = keyof typeof PORTS;

/** Ports from the environment, or all 0 (free ports) when `ephemeral` is set, as tests do. */
export function resolvePorts(env: Record<string, string | undefined>, ephemeral = false): Record<PortName, number> {
  const out = {} as Record<PortName, number>;
  for (const [name, { env: key, port }] of Object.entries(PORTS) as [PortName, { env: string; port: number }][]) {
    const raw = ephemeral ? undefined : env[key];
    const n = raw === undefined || raw === '' ? (ephemeral ? 0 : port) : Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${key} must be a port number (0-65535), got "${raw}"`);
    out[name] = n;
  }
  return out;
}
