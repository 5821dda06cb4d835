/**
 * Provider verification of the proxy's Extend pact against our fake Extend, so the fake cannot drift from what
 * the proxy relies on. Sign-in carries the password in the JSON body, which a header-swapping request filter cannot
 * reach; so the states register the pact's (fake) password for ada through POST /__admin/users instead. Sessions
 * come from a real sign-in at the fake (no token backdoor): the refresh token is injected into the renewal's body
 * with `fromProviderState`, the access token is swapped into the Bearer header.
 */
import { API_VERSION_MEDIA_TYPE, loadExtendSeed, startExtend } from '../../emulators/extend/index.ts';
import { FAKE_PASSWORD } from '../consumer/extend/index.ts';
import { EXTEND_STATES as S } from '../consumer/extend/states.ts';
import { PARTICIPANTS } from '../support/pact-env.ts';
import { adminReset } from './fakes.ts';
import { verifyProvider, type StateHandlers } from './verify.ts';

const ADA = 'ada@example.com';

export async function verifyFakeExtend(pactFile: string): Promise<string> {
  const fake = await startExtend({ port: 0 });
  const base = fake.url;
  let accessToken: string | undefined;
  const signIn = async () => {
    await putUser(base, ADA, FAKE_PASSWORD);
    const tokens = await signInAt(base, ADA, FAKE_PASSWORD);
    accessToken = tokens.token;
    return tokens;
  };
  const stateHandlers: StateHandlers = {
    [S.acceptsPassword]: async () => { await putUser(base, ADA, FAKE_PASSWORD); return undefined; },
    // Explicit, not the seed's password by luck: the state must make the pact's password wrong.
    [S.refusesPassword]: async () => { await putUser(base, ADA, 'a-password-the-pact-does-not-send'); return undefined; },
    [S.hasSession]: async () => ({ refreshToken: (await signIn()).refreshToken }),
    [S.signedIn]: async () => { await signIn(); return undefined; },
    [S.hasCards]: async () => {
      const cards = adasCards();
      if (cards.length < 2 || !cards.some((c) => c.status === 'ACTIVE')) throw new Error('fixtures/extend/seed.json must give ada@example.com several cards, some ACTIVE');
      return undefined;
    },
    [S.cardWithTransactions]: async () => ({ cardId: adasCardWithTransactions() }),
  };
  try {
    return await verifyProvider({
      provider: PARTICIPANTS.extend,
      providerBaseUrl: base,
      pactFiles: [pactFile],
      stateHandlers,
      beforeEach: async () => { accessToken = undefined; await adminReset(base); },
      swapCredentials: (h) => {
        if (accessToken && h.authorization) h.authorization = `Bearer ${accessToken}`;
      },
    });
  } finally {
    await fake.close();
  }
}

const seed = loadExtendSeed();
const adaId = () => seed.users.find((u) => u.email === ADA)!.id;
const adasCards = () => seed.virtualCards.filter((c) => c.recipientId === adaId() || c.cardholderId === adaId());

function adasCardWithTransactions(): string {
  const card = adasCards().find((c) => seed.transactions.some((t) => t.virtualCardId === c.id));
  if (!card) throw new Error('fixtures/extend/seed.json must give ada@example.com a card with transactions');
  return card.id;
}

async function putUser(base: string, email: string, password: string): Promise<void> {
  const res = await fetch(`${base}/__admin/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`could not register ${email} in the fake Extend: HTTP ${res.status}`);
}

async function signInAt(base: string, email: string, password: string): Promise<{ token: string; refreshToken: string }> {
  const res = await fetch(`${base}/signin`, {
    method: 'POST', headers: { accept: API_VERSION_MEDIA_TYPE, 'content-type': 'application/json' }, body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in of ${email} at the fake Extend failed: HTTP ${res.status}`);
  return (await res.json()) as { token: string; refreshToken: string };
}
