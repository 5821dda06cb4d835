/**
 * Gatehouse → AWS: every AWS operation the proxy performs, as its own code performs it (the cards, mail, packages
 * and privacy groups' stores and helpers and the restore worker, their SDK clients pointed at the Pact mock server).
 */
import { cardsFlows } from './cards.ts';
import { mailFlows } from './mail.ts';
import { mailIdempotencyFlows } from './mail-idempotency.ts';
import { packagesFlows } from './packages.ts';
import { privacyFlows } from './privacy.ts';
import { restoreWorkerFlows } from './restore-worker.ts';
import type { AwsFlow } from './run.ts';

export { describeAwsPact } from './run.ts';
export const awsFlows: AwsFlow[] = [...cardsFlows, ...mailFlows, ...mailIdempotencyFlows, ...packagesFlows, ...privacyFlows, ...restoreWorkerFlows];
