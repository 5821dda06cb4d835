/**
 * `npm run pact:verify`: verifies the committed mobile pact (contracts/pacts/) against a deployed Gatehouse.
 * PACT_PROVIDER_URL=https://… PACT_JWT=… npm run pact:verify   (see contracts/provider/deployed.ts for the states)
 */
import { join } from 'node:path';
import { COMMITTED_PACTS_DIR, pactFileName, PARTICIPANTS } from '../contracts/support/pact-env.ts';
import { deployedTarget } from '../contracts/provider/deployed.ts';
import { verifyGatehouseProxy } from '../contracts/provider/gatehouse-proxy.ts';

try {
  const target = deployedTarget(process.env);
  await verifyGatehouseProxy(target, join(COMMITTED_PACTS_DIR, pactFileName(PARTICIPANTS.mobileApp, PARTICIPANTS.proxy)));
  console.log(`the mobile pact holds against ${target.gatewayUrl}`);
} catch (e) {
  console.error((e as Error).message.slice(0, 4000));
  process.exit(1);
}
