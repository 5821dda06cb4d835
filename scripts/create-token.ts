/**
 * `npm run create-token -- ada@example.com [--ttl <seconds>]`: creates a random API token for the cards routes
 * (the `token` header), stores only its SHA-256 in the API-token table, and prints the token once on stdout, so
 * `TOKEN=$(npm run -s create-token -- ada@example.com)`. Uses AWS_ENDPOINT_URL (default: the local stack's edge)
 * and API_TOKEN_TABLE. The user must have an Extend password in SSM, or the cards routes could not serve them.
 *
 * `--rotate [--grace <seconds>]` (default grace 3600): the same new token, and every other live token of that user
 * expires `grace` seconds later (ApiTokenStore.rotate), so the client switches to the new one with no refusal.
 */
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { audit, subjectRef } from '../proxy/core/audit.ts';
import { createLogger } from '../proxy/core/log.ts';
import { ApiTokenStore } from '../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../proxy/routes/cards/aws.ts';
import { loadCardsConfig, passwordParameter } from '../proxy/routes/cards/config.ts';
import { parseEmailTtlArgs } from './lib/cli/email-ttl-args.ts';

const USAGE = 'usage: npm run create-token -- [--rotate [--grace <seconds>]] <email> [--ttl <seconds>]';
const DEFAULT_GRACE_SECONDS = 3600;


try {
  const { email: given, ttl, rotate, grace } = parseEmailTtlArgs(process.argv.slice(2), { rotation: true });
  const email = given.toLowerCase();
  const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ...process.env };
  const cfg = loadCardsConfig(env);
  const aws = cardsAwsClients(env);
  // Only seeded users: a token for someone without Extend credentials would only ever earn 502s.
  try {
    await aws.ssm.send(new GetParameterCommand({ Name: passwordParameter(cfg.passwordSsmPrefix, email), WithDecryption: false }));
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') throw new Error(`${email} has no Extend password in SSM (${cfg.passwordSsmPrefix}); not a seeded user`);
    throw e;
  }
  const store = new ApiTokenStore(aws.ddb, cfg.apiTokenTable);
  const graceSeconds = grace ?? DEFAULT_GRACE_SECONDS;
  const { token, item, expiring } = rotate ? await store.rotate(email, Date.now(), { graceSeconds, ttlSeconds: ttl }) : { ...(await store.create(email, Date.now(), ttl)), expiring: [] };
  // The audit lines go to stderr: stdout carries only the token, for TOKEN=$(…).
  const log = createLogger({ name: 'create-token', sink: (l) => process.stderr.write(l + '\n') });
  audit({ log }, {
    action: 'api_token.create', actor: 'operator', resource: `customer:${subjectRef(email)}`, outcome: 'success',
    details: { table: cfg.apiTokenTable, tokenHashPrefix: item.tokenHash.slice(0, 12), ...(ttl ? { ttlSeconds: ttl } : {}), ...(rotate ? { rotation: true } : {}) },
  });
  for (const old of expiring) {
    audit({ log }, {
      action: 'api_token.revoke', actor: 'operator', resource: `customer:${subjectRef(email)}`, outcome: 'success',
      details: { table: cfg.apiTokenTable, tokenHashPrefix: old.tokenHash.slice(0, 12), rotation: true, graceSeconds, expiresAt: new Date(old.expiresAt * 1000).toISOString() },
    });
  }
  process.stdout.write(`${token}\n`);
  process.stderr.write(`token for ${email} stored as its SHA-256 in ${cfg.apiTokenTable}${ttl ? `, expires in ${ttl} s` : ''}; it is not shown again\n`);
  if (rotate) process.stderr.write(`${expiring.length} earlier token${expiring.length === 1 ? '' : 's'} of ${email} expire${expiring.length === 1 ? 's' : ''} in ${graceSeconds} s\n`);
} catch (e) {
  process.stderr.write(`${(e as Error).name === 'Error' ? '' : `${(e as Error).name}: `}${(e as Error).message}\n${USAGE}\n`);
  process.exitCode = 2;
}
