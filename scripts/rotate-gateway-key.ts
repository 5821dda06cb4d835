/**
 * `npm run rotate:gateway-key -- [--gateway <url>] [--propagation-seconds <s>] [--drain-seconds <s>]`: rotates the
 * gateway's HTTP-signature key with no refused request (steps in scripts/lib/rotate/gateway-key.ts). Writes the key
 * set in the store SECRET_STORE names (Vault: VAULT_ADDR + a VAULT_TOKEN that may write GATEWAY_KEYS_VAULT_PATH;
 * Secrets Manager: GATEWAY_KEYS_SECRET_ID); defaults reach the local stack (`npm start`). The propagation wait
 * defaults to the proxies' SECRET_REFRESH_SECONDS + SECRET_REFRESH_MIN_INTERVAL_MS + 2 s, so set those as the
 * proxies have them. Prints a `secret.rotate` audit line per step on stdout, progress on stderr.
 */
import { DEFAULT_GATEWAY_KEYS_SECRET_ID, DEFAULT_GATEWAY_KEYS_VAULT_PATH } from '../proxy/secrets/index.ts';
import { storeWriterFromEnv } from '../proxy/secrets/store-writer.ts';
import { cliReporter } from './lib/rotate/events.ts';
import { parseFlags, propagationFrom, rotationEnv, runCli } from './lib/rotate/cli.ts';
import { rotateGatewayKey } from './lib/rotate/gateway-key.ts';

const USAGE = 'usage: npm run rotate:gateway-key -- [--gateway http://127.0.0.1:8080] [--propagation-seconds <s>] [--drain-seconds <s>]';

await runCli(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), { gateway: 'string', 'propagation-seconds': 'number', 'drain-seconds': 'number' });
  const env = rotationEnv();
  const store = storeWriterFromEnv(env);
  try {
    const { oldKeyId, newKeyId } = await rotateGatewayKey({
      gatewayUrl: String(flags.gateway ?? env.GATEWAY_URL ?? 'http://127.0.0.1:8080'),
      store,
      location: store.kind === 'vault' ? env.GATEWAY_KEYS_VAULT_PATH || DEFAULT_GATEWAY_KEYS_VAULT_PATH : env.GATEWAY_KEYS_SECRET_ID || DEFAULT_GATEWAY_KEYS_SECRET_ID,
      propagationMs: propagationFrom(flags, env),
      drainMs: Number(flags['drain-seconds'] ?? 5) * 1000,
      report: cliReporter('rotate-gateway-key'),
    });
    process.stderr.write(`the gateway signs with ${newKeyId}; ${oldKeyId} is retired\n`);
  } finally {
    store.close();
  }
});
