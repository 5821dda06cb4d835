/**
 * The cards provider states on a local stack: API tokens minted into the API-token table on the stack's AWS edge
 * (the same DynamoDB the cards function reads), cards from the fake Extend's seed, reset through its /__admin.
 */
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../proxy/routes/cards/aws.ts';
import { loadCardsConfig } from '../../proxy/routes/cards/config.ts';
import { loadExtendSeed } from '../../emulators/extend/index.ts';
import type { CardsStates } from './gatehouse-proxy.ts';
import { adminReset } from './fakes.ts';

const TOKEN_TTL_SECONDS = 3600;

export function localCardsStates(proxyEnv: Record<string, string | undefined>, extendUrl: string): CardsStates {
  const tokens = new ApiTokenStore(cardsAwsClients(proxyEnv).ddb, loadCardsConfig(proxyEnv).apiTokenTable);
  return {
    issueApiToken: async (email) => (await tokens.create(email, Date.now(), TOKEN_TTL_SECONDS)).token,
    seedCards: async (email) => ({ cardId: activeCardWithTransactions(email) }),
    reset: () => adminReset(extendUrl),
  };
}

/** The user's active card with the most transactions in the fake Extend's seed (fixtures/extend/seed.json). */
function activeCardWithTransactions(email: string): string {
  const seed = loadExtendSeed();
  const counts = new Map<string, number>();
  for (const t of seed.transactions) counts.set(t.virtualCardId, (counts.get(t.virtualCardId) ?? 0) + 1);
  const best = seed.virtualCards
    .filter((c) => c.status === 'ACTIVE' && c.recipient?.email === email && (counts.get(c.id) ?? 0) > 0)
    .sort((a, b) => (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0))[0];
  if (!best) throw new Error(`fixtures/extend/seed.json must give ${email} an active card with transactions`);
  return best.id;
}
