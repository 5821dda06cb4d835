/**
 * `npm run pact:publish`: publishes contracts/pacts/*.json to the Pact Broker at PACT_BROKER_BASE_URL (auth:
 * PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME + PACT_BROKER_PASSWORD; version: PACT_CONSUMER_VERSION or the git
 * commit; optional PACT_CONSUMER_TAG). Without PACT_BROKER_BASE_URL it prints what it would do and exits 0.
 */
import { execFileSync } from 'node:child_process';
import { COMMITTED_PACTS_DIR } from '../contracts/support/pact-env.ts';
import { brokerFromEnv, publishPacts, publishPlan } from '../contracts/support/publish.ts';

const gitCommit = () => {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'local';
  }
};

const broker = brokerFromEnv(process.env, gitCommit);
if (!broker) {
  console.log('PACT_BROKER_BASE_URL is not set: nothing published. With it set, this would send:');
  for (const r of publishPlan(COMMITTED_PACTS_DIR, { baseUrl: '$PACT_BROKER_BASE_URL', version: process.env.PACT_CONSUMER_VERSION || gitCommit(), tag: process.env.PACT_CONSUMER_TAG })) {
    console.log(`  ${r.method} ${r.url}${r.file ? `  ← ${r.file}` : ''}`);
  }
  process.exit(0);
}
try {
  await publishPacts(COMMITTED_PACTS_DIR, broker, (line) => console.log(line));
  console.log(`published ${COMMITTED_PACTS_DIR} as version ${broker.version}`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
