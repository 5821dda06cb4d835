/**
 * `npm run token -- user@example.com [--ttl 3600]`: prints a JWT for that email, signed with the local gateway's
 * key (the same key directory the stack uses), and nothing else on stdout, so `TOKEN=$(npm run -s token -- …)`.
 */
import { join } from 'node:path';
import { DEFAULT_KEY_DIR, GatewayState, loadGatewayKeys } from '../emulators/gateway/index.ts';
import { parseEmailTtlArgs } from './lib/cli/email-ttl-args.ts';

const USAGE = 'usage: npm run token -- <email> [--ttl <seconds>]';


try {
  const { email, ttl } = parseEmailTtlArgs(process.argv.slice(2));
  const env = process.env;
  const keyDir = env.GATEWAY_KEY_DIR ?? (env.GATEHOUSE_STATE_DIR ? join(env.GATEHOUSE_STATE_DIR, 'gateway') : DEFAULT_KEY_DIR);
  // Only the JWT key matters here; the upstream is never contacted.
  const state = new GatewayState(loadGatewayKeys({ keyDir }), new URL('http://127.0.0.1/'));
  process.stdout.write(`${await state.mintToken(email, ttl)}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
  process.exitCode = 2;
}
