/**
 * `npm run rotate:customerio-webhook-key -- [--customerio <url of the local fake>] [--propagation-seconds <s>]
 * [--overlap-seconds <s>]`: moves the proxy to a new Customer.io reporting-webhook signing key with no refused
 * webhook (steps in scripts/lib/rotate/webhook-key.ts). Customer.io has no public API for the key: against the local
 * fake (--customerio http://127.0.0.1:4010) its admin API regenerates it; otherwise the script announces the
 * rotation, waits for the proxies, then asks for the key the operator regenerated in Customer.io — one line on
 * stdin, so run it in a terminal and regenerate when it asks (earlier, webhooks would be refused until the paste).
 * The secret is the Customer.io function's (SECRET_STORE; VAULT_SECRET_PATH or CIO_SECRET_ID). The overlap defaults
 * to CIO_WEBHOOK_MAX_AGE_SECONDS (300) plus the propagation wait.
 */
import { createInterface } from 'node:readline/promises';
import { cioSecretSpec } from '../proxy/routes/customerio/config.ts';
import { secretLocation } from './lib/rotate/cli.ts';
import { webhookKeyCli } from './lib/rotate/webhook-key.ts';

async function fromFake(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/__admin/api-keys/webhook-signing-key`, { method: 'POST' });
  if (!res.ok) throw new Error(`the fake Customer.io answered ${res.status} to regenerating the webhook signing key`);
  return ((await res.json()) as { key: string }).key;
}

async function fromOperator(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  try {
    const line = await rl.question('Regenerate the reporting-webhook signing key in Customer.io now, then paste the new key here: ');
    return line.trim();
  } finally {
    rl.close();
  }
}

await webhookKeyCli({
  script: 'rotate-customerio-webhook-key',
  usage: 'usage: npm run rotate:customerio-webhook-key -- [--customerio http://127.0.0.1:4010] [--propagation-seconds <s>] [--overlap-seconds <s>]',
  keyName: 'CIO_WEBHOOK_SIGNING_KEY',
  location: (env, store) => secretLocation(cioSecretSpec(env), store),
  maxAgeVariable: 'CIO_WEBHOOK_MAX_AGE_SECONDS',
  flags: { customerio: 'string' },
  async regenerate(_doc, { flags, remember }) {
    const key = flags.customerio ? await fromFake(String(flags.customerio)) : await fromOperator();
    remember(key);
    return key;
  },
  done: 'the proxy verifies Customer.io webhooks with the new key only',
});
