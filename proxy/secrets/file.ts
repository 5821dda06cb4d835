import { readFile, unlink } from 'node:fs/promises';
import type { SecretProvider } from './chain.ts';
import type { Logger } from '../core/log.ts';

/**
 * The Vault Lambda extension writes secrets to a file (by default under /tmp/vault/) before the function's
 * init. We read it once and delete it, so the values live only in memory afterwards.
 * Accepted shapes: a flat JSON object, or Vault's KV v2 read response ({"data":{"data":{…}}}).
 */
export function fileProvider(path: string | undefined, log?: Logger): SecretProvider {
  return {
    name: 'file',
    async load(wanted) {
      if (!path) return {};
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw e;
      }
      await unlink(path).catch((e) => log?.warn('could not delete secrets file', { path, error: (e as Error).message }));
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`secrets file ${path} is not valid JSON`);
      }
      const obj = parsed as { data?: { data?: Record<string, unknown> } } & Record<string, unknown>;
      const flat = (obj?.data?.data ?? obj?.data ?? obj) as Record<string, unknown>;
      const out: Record<string, string> = {};
      for (const n of wanted) if (typeof flat[n] === 'string') out[n] = flat[n] as string;
      return out;
    },
  };
}
