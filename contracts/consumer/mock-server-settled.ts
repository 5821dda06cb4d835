/**
 * A barrier between the client's call and Pact's verdict. The Rust mock server answers the client first and
 * records the match through an async channel afterwards, so `executeTest` can read "expected but not received"
 * for a request that was served (pact-foundation/pact-core-mock-server#13, pact-reference#535). Waiting here until
 * the server lists no missing request makes the verdict depend on what was sent, not on thread scheduling. A
 * request that was never sent still fails: after the deadline the verdict is read as it stands.
 */
import { makeConsumerPact, type ConsumerPact } from '@pact-foundation/pact-core';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACT_LOG_LEVEL } from '../support/pact-env.ts';

// The mismatch query is keyed by port only; any consumer handle can ask (pact-core consumer/internals).
let query: ConsumerPact | undefined;
const handle = () => (query ??= makeConsumerPact('gatehouse-settle-query', 'none', undefined, PACT_LOG_LEVEL));

const DEADLINE_MS = 2000;

export async function mockServerSettled(port: number): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (handle().mockServerMismatches(port).some((m) => 'type' in m && m.type === 'missing-request') && Date.now() < until) await sleep(2);
}
