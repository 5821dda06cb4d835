/**
 * The secret chain: providers are asked in order (environment → Vault KV v2 → Lambda-extension secrets file)
 * once, at cold start; the first provider that knows a name wins. After loading, values are only in memory and
 * every one of them is registered with the logger so it can never be printed.
 */
import type { Logger } from '../core/log.ts';

export interface SecretProvider {
  readonly name: string;
  /** Load whatever this provider holds for the wanted names. Missing names are simply absent. */
  load(wanted: readonly string[]): Promise<Record<string, string>>;
}

export interface Secrets {
  get(name: string): string | undefined;
  /** Which provider supplied a name (for the start-up table; never the value). */
  source(name: string): string | undefined;
  names(): string[];
  values(): string[];
}

export class SecretChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretChainError';
  }
}

export async function loadSecrets(providers: SecretProvider[], wanted: readonly string[], log?: Logger): Promise<Secrets> {
  const values = new Map<string, string>();
  const sources = new Map<string, string>();
  for (const provider of providers) {
    const missing = wanted.filter((n) => !values.has(n));
    if (missing.length === 0) break;
    const got = await provider.load(missing);
    for (const [k, v] of Object.entries(got)) {
      if (!values.has(k) && typeof v === 'string' && v !== '') {
        values.set(k, v);
        sources.set(k, provider.name);
      }
    }
  }
  log?.addSecretValues(values.values());
  log?.info('secrets loaded', { sources: Object.fromEntries(sources) });
  return fromMap(values, sources);
}

export function fromMap(values: Map<string, string>, sources = new Map<string, string>()): Secrets {
  return {
    get: (n) => values.get(n),
    source: (n) => sources.get(n),
    names: () => [...values.keys()],
    values: () => [...values.values()],
  };
}

/** A fixed set of secrets (tests, scripts). */
export const staticSecrets = (obj: Record<string, string>): Secrets =>
  fromMap(new Map(Object.entries(obj)), new Map(Object.keys(obj).map((k) => [k, 'static'])));
