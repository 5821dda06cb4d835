/**
 * `npm run token -- user@example.com [--ttl 3600]`: prints a JWT for that email, signed with the local gateway's
 * key (the same key directory the stack uses), and nothing else on stdout, so `TOKEN=$(npm run -s token -- …)`.
 */
import { join } from 'node:path';
import { DEFAULT_KEY_DIR, GatewayState, loadGatewayKeys } from '../emulators/gateway/index.ts';

const USAGE = 'usage: npm run token -- <email> [--ttl <seconds>]';

function parseArgs(argv: string[]): { email: string; ttl?: number } {
  let email: string | undefined;
  let ttl: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const ttlValue = a === '--ttl' ? argv[++i] : a.startsWith('--ttl=') ? a.slice(6) : undefined;
    if (ttlValue !== undefined) {
      ttl = Number(ttlValue);
      if (!Number.isInteger(ttl) || ttl <= 0) throw new Error(`--ttl must be a positive number of seconds, got "${ttlValue}"`);
    } else if (a.startsWith('-') || email !== undefined) {
      throw new Error(`unexpected argument "${a}"`);
    } else {
      email = a;
    }
  }
  if (!email || !email.includes('@')) throw new Error('an email address is required');
  return { email, ttl };
}

try {
  const { email, ttl } = parseArgs(process.argv.slice(2));
  const env = process.env;
  const keyDir = env.GATEWAY_KEY_DIR ?? (env.GATEHOUSE_STATE_DIR ? join(env.GATEHOUSE_STATE_DIR, 'gateway') : DEFAULT_KEY_DIR);
  // Only the JWT key matters here; the upstream is never contacted.
  const state = new GatewayState(loadGatewayKeys({ keyDir }), new URL('http://127.0.0.1/'));
  process.stdout.write(`${await state.mintToken(email, ttl)}\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
  process.exitCode = 2;
}
