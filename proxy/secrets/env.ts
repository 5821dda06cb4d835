import type { SecretProvider } from './chain.ts';

/** Secrets straight from the process environment (local runs, CI, or Lambda env vars). */
export function envProvider(env: NodeJS.ProcessEnv = process.env): SecretProvider {
  return {
    name: 'env',
    async load(wanted) {
      const out: Record<string, string> = {};
      for (const n of wanted) if (env[n]) out[n] = env[n] as string;
      return out;
    },
  };
}
