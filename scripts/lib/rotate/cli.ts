/**
 * What the rotation scripts share: `--name value` / `--name=value` flags, and the environment they run with —
 * the process's, over the local stack's defaults (Vault on :8200 with its root token, the AWS edge on :4566), so
 * `npm run rotate:… ` works against `npm start` as it is and against a deployment once its variables are set.
 */
import type { SecretSpec } from '../../../proxy/secrets/index.ts';

export function parseFlags(argv: string[], known: Record<string, 'number' | 'string' | 'boolean'>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(argv[i]);
    if (!m || !(m[1] in known)) throw new Error(`unexpected argument "${argv[i]}"`);
    const kind = known[m[1]];
    if (kind === 'boolean') {
      out[m[1]] = true;
      continue;
    }
    const raw = m[2] ?? argv[++i];
    if (raw === undefined) throw new Error(`--${m[1]} needs a value`);
    if (kind === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0) throw new Error(`--${m[1]} must be a number ≥ 0, got "${raw}"`);
      out[m[1]] = n;
    } else out[m[1]] = raw;
  }
  return out;
}

export const LOCAL_STACK_ENV = {
  VAULT_ADDR: 'http://127.0.0.1:8200',
  VAULT_TOKEN: 'root',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
};

/** The process's environment over the local stack's defaults (a variable set to "" removes a default). */
export function rotationEnv(env: Record<string, string | undefined> = process.env): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...LOCAL_STACK_ENV, ...env };
  for (const k of Object.keys(merged)) if (merged[k] === '') delete merged[k];
  return merged;
}

/**
 * How long proxies may take to see a new version of a secret: they re-read it when it is older than
 * SECRET_REFRESH_SECONDS (checked on their next request) and never closer than SECRET_REFRESH_MIN_INTERVAL_MS,
 * so one interval of each, plus a margin for the read itself.
 */
export function propagationMs(env: Record<string, string | undefined>): number {
  const refresh = Number(env.SECRET_REFRESH_SECONDS ?? 300) * 1000;
  const minInterval = Number(env.SECRET_REFRESH_MIN_INTERVAL_MS ?? 1000);
  return refresh + minInterval + 2000;
}

/** `--propagation-seconds` when given, else the proxies' refresh settings (propagationMs). */
export function propagationFrom(flags: Record<string, unknown>, env: Record<string, string | undefined>): number {
  return flags['propagation-seconds'] !== undefined ? Number(flags['propagation-seconds']) * 1000 : propagationMs(env);
}

/** Where a function's secret lives in the store the scripts write (the function's own spec, so both agree). */
export function secretLocation(spec: SecretSpec, store: 'vault' | 'secretsmanager'): string {
  const where = store === 'vault' ? spec.vaultPath : spec.secretsManager?.id;
  if (!where) throw new Error(`the function keeps no secret of its own in ${store}`);
  return where;
}

/** Run a script's body: errors to stderr with the usage, exit code 2. */
export async function runCli(usage: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${usage}\n`);
    process.exitCode = 2;
  }
}
