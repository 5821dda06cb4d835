/** The mobile app's pact with Gatehouse: every route, driven through the typed mobile client. */
import { gatehouseClient, type GatehouseClient } from '../../mobile-client/index.ts';
import { freshConnectionFetch } from '../fresh-connection-fetch.ts';
import { FAKE_API_KEY, FAKE_API_TOKEN, FAKE_JWT } from '../matchers.ts';
import type { ConsumerPact } from '../suite.ts';
import { PARTICIPANTS } from '../../support/pact-env.ts';
import { cardsInteractions } from './cards.ts';
import { customerioInteractions } from './customerio.ts';
import { mailInteractions } from './mail.ts';
import { packagesInteractions } from './packages.ts';
import { privacyInteractions } from './privacy.ts';

export const mobileAppPact: ConsumerPact<GatehouseClient> = {
  consumer: PARTICIPANTS.mobileApp,
  provider: PARTICIPANTS.proxy,
  interactions: [...customerioInteractions, ...privacyInteractions, ...cardsInteractions, ...mailInteractions, ...packagesInteractions],
  // The app holds a credential exactly when the interaction's request carries one.
  clientFor: (mock, spec) => gatehouseClient({
    baseUrl: mock.url,
    fetch: freshConnectionFetch,
    jwt: spec.headers && 'authorization' in spec.headers ? FAKE_JWT : undefined,
    apiToken: spec.headers && 'token' in spec.headers ? FAKE_API_TOKEN : undefined,
    apiKey: spec.headers && 'x-api-key' in spec.headers ? FAKE_API_KEY : undefined,
  }),
};
