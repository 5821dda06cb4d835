/** Registers one consumer pact's interactions as mocha tests; the pact file is written to `dir()` as they run. */
import '../support/pact-env.ts';
import { PactV4, type V3MockServer as V4MockServer } from '@pact-foundation/pact';
import { PACT_LOG_LEVEL } from '../support/pact-env.ts';
import { runInteraction, type InteractionSpec } from './interaction.ts';

export interface ConsumerPact<C> {
  consumer: string;
  provider: string;
  interactions: InteractionSpec<C>[];
  clientFor(mock: V4MockServer, spec: InteractionSpec<C>): C;
}

export function describeConsumerPact<C>(pact: ConsumerPact<C>, dir: () => string): void {
  describe(`${pact.consumer} → ${pact.provider}`, () => {
    let p: PactV4;
    before(() => {
      p = new PactV4({ consumer: pact.consumer, provider: pact.provider, dir: dir(), logLevel: PACT_LOG_LEVEL });
    });
    for (const spec of pact.interactions) {
      it(`${spec.uponReceiving} (given ${spec.given.join(', ')})`, () => runInteraction(p, spec, pact.clientFor));
    }
  });
}
