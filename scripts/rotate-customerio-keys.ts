/**
 * `npm run rotate:customerio-keys -- [--track] [--app] [--customerio <url of the local fake>] [--propagation-seconds <s>]`
 * rotates the proxy's Customer.io keys with no cold start and no refused request (steps in
 * scripts/lib/rotate/customerio-keys.ts); without --track/--app, both. With --customerio (the local stack's fake:
 * http://127.0.0.1:4010) the new keys are created and the old ones deleted through the fake's admin API; without it
 * the new keys are read as JSON from stdin — never from the command line, which `ps` shows — and deleting the old
 * ones in Customer.io is left to the operator. The secret is the one the proxy reads: SECRET_STORE with
 * VAULT_SECRET_PATH (Vault, needs a VAULT_TOKEN that may write it) or CIO_SECRET_ID (Secrets Manager).
 */
import { readFileSync } from 'node:fs';
import { storeWriterFromEnv } from '../proxy/secrets/store-writer.ts';
import { cliReporter } from './lib/rotate/events.ts';
import { cioSecretSpec } from '../proxy/routes/customerio/config.ts';
import { parseFlags, propagationFrom, rotationEnv, runCli, secretLocation } from './lib/rotate/cli.ts';
import { fakeCustomerioIssuer, operatorIssuer, rotateCustomerioKeys } from './lib/rotate/customerio-keys.ts';

const USAGE = 'usage: npm run rotate:customerio-keys -- [--track] [--app] [--customerio http://127.0.0.1:4010] [--propagation-seconds <s>]  (without --customerio: the new keys as JSON on stdin)';

await runCli(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), { track: 'boolean', app: 'boolean', customerio: 'string', 'propagation-seconds': 'number' });
  const env = rotationEnv();
  const which = flags.track || flags.app ? ([flags.track && 'track', flags.app && 'app'].filter(Boolean) as ('track' | 'app')[]) : (['track', 'app'] as const).slice();
  const stdin = flags.customerio ? '' : readFileSync(0, 'utf8');
  const issuer = flags.customerio ? fakeCustomerioIssuer(String(flags.customerio)) : operatorIssuer(stdin);
  const seen: string[] = [];
  const store = storeWriterFromEnv(env);
  try {
    await rotateCustomerioKeys({
      store, which, issuer,
      location: secretLocation(cioSecretSpec(env), store.kind as 'vault' | 'secretsmanager'),
      propagationMs: propagationFrom(flags, env),
      // The new keys pass through this process: the audit logger must never print them, whatever a step reports.
      report: cliReporter('rotate-customerio-keys', () => seen),
      handled: (values) => seen.push(...values),
    });
    process.stderr.write(`the proxy's ${which.join(' and ')} key${which.length > 1 ? 's are' : ' is'} rotated\n`);
  } finally {
    store.close();
  }
});
