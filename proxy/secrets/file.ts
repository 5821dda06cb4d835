import { readFile, unlink } from 'node:fs/promises';
import type { SecretProvider } from './chain.ts';

/**
 * The Vault Lambda extension writes secrets to a file (by default under /tmp/vault/) before the function's
 * init. We read it at most once and delete it after the chain ran, whether or not the chain needed it (seed 000:
 * "secrets file deleted after reading"), so the values live only in memory afterwards.
 * Accepted shapes: a flat JSON object, or Vault's KV v2 read response ({"data":{"data":{…}}}).
 */
export function fileProvider(path: string | undefined): SecretProvider {
  return {
    name: 'file',
    where: `the secrets file ${path ?? '(none)'}`,
    async load(wanted) {
      if (!path) return {};
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw new Error(`cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not the parser's message: V8 quotes the start of the text, which is a secret.
        throw new Error('it is not valid JSON');
      }
      const obj = parsed as { data?: { data?: Record<string, unknown> } } & Record<string, unknown>;
      const flat = (obj?.data?.data ?? obj?.data ?? obj) as Record<string, unknown>;
      const out: Record<string, string> = {};
      for (const n of wanted) if (typeof flat?.[n] === 'string') out[n] = flat[n] as string;
      return out;
    },
    async finish() {
      if (!path) return;
      await unlink(path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw new Error(`could not delete ${path} (${e.code})`);
      });
    },
  };
}
