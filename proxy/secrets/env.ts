import type { SecretProvider } from './chain.ts';

/** Secrets straight from the process environment (local runs, CI, or Lambda env vars): fixed for the container's life. */
export function envProvider(env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env): SecretProvider {
  return {
    name: 'env',
    where: 'the environment',
    async load(wanted) {
      const out: Record<string, string> = {};
      for (const n of wanted) if (env[n]) out[n] = env[n] as string;
      return out;
    },
  };
}
