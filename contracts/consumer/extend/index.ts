/**
 * Gatehouse → Extend: what the proxy's real session and client code (proxy/routes/cards/session.ts, client.ts,
 * extend-api.ts) send — the versioned Accept header, sign-in and renewal bodies, Bearer auth by shape, the paths
 * and queries of the cards handlers — and the fields the handlers read back (shapes.ts toCard/toTransaction,
 * pagination.numberOfPages). Wire format: extend-python client.py / virtual_cards.py and the fake's routes.ts.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import { notFound } from '../../../proxy/core/errors.ts';
import { createHttpClient } from '../../../proxy/core/http-client.ts';
import { silentLogger } from '../../../proxy/core/log.ts';
import { systemClock } from '../../../proxy/core/types.ts';
import { ExtendClient } from '../../../proxy/routes/cards/client.ts';
import { EXTEND_DEFAULT_ACCEPT, type CardsConfig } from '../../../proxy/routes/cards/config.ts';
import { ExtendApi } from '../../../proxy/routes/cards/extend-api.ts';
import { MAX_COUNT } from '../../../proxy/routes/cards/paging.ts';
import { ExtendSession, SESSION_TTL_SECONDS, type CachedSession } from '../../../proxy/routes/cards/session.ts';
import { PARTICIPANTS } from '../../support/pact-env.ts';
import type { InteractionSpec } from '../interaction.ts';
import type { ConsumerPact } from '../suite.ts';
import { passwordStore, sessionTable } from './session-stores.ts';
import { EXTEND_STATES as S } from './states.ts';

export interface ExtendConsumer {
  session: ExtendSession;
  client: ExtendClient;
  /** The session table the proxy reads and writes, keyed by email. */
  cache: Map<string, CachedSession>;
}

type Spec = InteractionSpec<ExtendConsumer>;

/** Obviously fake credentials: the password is registered in the fake by a provider state; tokens are matched by shape. */
export const FAKE_PASSWORD = 'fake-extend-password-for-contracts';
const FAKE_TOKEN = 'fake-extend-access-token';
const FAKE_REFRESH = 'fake-extend-refresh-token';
const ADA = 'ada@example.com';
export const EXAMPLE_CARD = 'vc_fakeCardForContracts000';

const accept = EXTEND_DEFAULT_ACCEPT;
const bearer = () => M.regex('^Bearer \\S+$', `Bearer ${FAKE_TOKEN}`);
const authed = { accept, authorization: bearer() };
const cardId = () => M.regex('^vc_[A-Za-z0-9]{1,64}$', EXAMPLE_CARD);
const timestamp = (example: string) => M.regex('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:?\\d{2})$', example);
// extend-python models.py VirtualCardStatus / TransactionStatus / TransactionType.
const CARD_STATUS = '^(ACTIVE|PENDING|CANCELLED|CLOSED|EXPIRED|CONSUMED)$';

/** What toCard reads. */
const card = (status = M.regex(CARD_STATUS, 'ACTIVE')) => ({
  id: cardId(), displayName: M.like('Cloud hosting'), limitCents: M.integer(2500000), balanceCents: M.integer(1926615),
  last4: M.regex('^[0-9]{4}$', '6351'), status,
});

/** What toTransaction reads; the cleared amount and time may be null or absent (the proxy maps both to null). */
const transaction = {
  id: M.regex('^txn_[A-Za-z0-9]+$', 'txn_fakeTransaction000000'), virtualCardId: cardId(), vcnLast4: M.regex('^[0-9]{4}$', '5189'),
  vcnDisplayName: M.like('Team travel'), status: M.regex('^(PENDING|CLEARED|DECLINED|NO_MATCH|AVS_PASS|AVS_FAIL|AUTH_REVERSAL)$', 'PENDING'),
  type: M.regex('^(DEBIT|CREDIT|AVS)$', 'DEBIT'), authBillingAmountCents: M.integer(29846), authBillingCurrency: M.regex('^[A-Z]{3}$', 'USD'),
  merchantName: M.like('DELTA AIR LINES'), mcc: M.like('3058'), mccGroup: M.like('Travel'), mccDescription: M.like('Airlines'),
  authedAt: timestamp('2024-05-29T10:33:28.102+0000'),
};

/** The handlers read numberOfPages to decide whether there is a next page. */
const pagination = (pages: number) => ({ page: M.integer(0), numberOfPages: M.integer(pages) });

/** Puts a session for ada in the proxy's cache, `secondsLeft` before it expires. */
function cacheSession(c: ExtendConsumer, secondsLeft = SESSION_TTL_SECONDS): void {
  const now = Math.floor(Date.now() / 1000);
  c.cache.set(ADA, { email: ADA, accessToken: FAKE_TOKEN, refreshToken: FAKE_REFRESH, issuedAt: new Date().toISOString(), expiresAt: now + secondsLeft });
}

/** A path with a provider-state expression and its example, e.g. a card id the state picks. */
type StatePath = readonly [expression: string, example: string];

/** A GET the cards handlers make as ada, with a cached session. */
const get = (given: string[], uponReceiving: string, path: string | StatePath, query: Record<string, string> | undefined, responseBody: unknown): Spec => ({
  given, uponReceiving, method: 'GET', path: typeof path === 'string' ? path : M.fromProviderState(path[0], path[1]), query, headers: authed, status: 200, responseBody,
  call: (c) => { cacheSession(c); return c.client.get(ADA, typeof path === 'string' ? path : path[1], { query }); },
});

// By shape: the proxy sends whichever user it acts for and that user's password (never a value worth pinning).
const signIn = { email: M.regex('^[^@\\s]+@[^@\\s]+$', ADA), password: M.like(FAKE_PASSWORD) };
const cardPath = (rest = ''): StatePath => ['/virtualcards/${cardId}' + rest, `/virtualcards/${EXAMPLE_CARD}${rest}`];

const interactions: Spec[] = [
  { given: [S.acceptsPassword], uponReceiving: 'a sign-in with the user\'s email and password', method: 'POST', path: '/signin', headers: { accept }, body: signIn,
    status: 200, responseBody: { token: M.like(FAKE_TOKEN), refreshToken: M.like(FAKE_REFRESH) },
    call: async (c) => { await c.session.accessToken(ADA); const s = c.cache.get(ADA)!; return { token: s.accessToken, refreshToken: s.refreshToken }; } },
  // A refused password is our configuration's fault: upstream_auth_failed (502), never Extend's body.
  { given: [S.refusesPassword], uponReceiving: 'a sign-in with a password Extend refuses', method: 'POST', path: '/signin', headers: { accept }, body: signIn,
    status: 401, responseBody: { error: M.like('Incorrect username or password.') }, errorCode: 'upstream_auth_failed', errorStatus: 502,
    call: (c) => c.session.accessToken(ADA) },
  // Under a minute left: the proxy renews with the cached refresh token and relies only on the new token.
  { given: [S.hasSession], uponReceiving: 'a renewal with the cached refresh token', method: 'POST', path: '/renewauth', headers: { accept },
    body: { refreshToken: M.fromProviderState('${refreshToken}', FAKE_REFRESH) }, status: 200, responseBody: { token: M.like(FAKE_TOKEN) },
    call: async (c) => { cacheSession(c, 30); return { token: await c.session.accessToken(ADA) }; } },
  get([S.signedIn, S.hasCards], 'a page of the user\'s virtual cards', '/virtualcards', { page: '0', count: '2' },
    { virtualCards: M.eachLike(card()), pagination: pagination(4) }),
  get([S.signedIn, S.hasCards], 'a page of the user\'s active virtual cards', '/virtualcards', { page: '0', count: '25', statuses: 'ACTIVE' },
    { virtualCards: M.eachLike(card(M.regex('^ACTIVE$', 'ACTIVE'))), pagination: pagination(1) }),
  // All transactions first walks every card id (then reads each card's transactions as below).
  get([S.signedIn, S.hasCards], 'the card walk behind all transactions', '/virtualcards', { page: '0', count: String(MAX_COUNT) },
    { virtualCards: M.eachLike({ id: cardId() }), pagination: pagination(1) }),
  get([S.signedIn, S.cardWithTransactions], 'one virtual card', cardPath(), undefined, { virtualCard: card() }),
  get([S.signedIn, S.cardWithTransactions], 'a page of one card\'s transactions', cardPath('/transactions'), { page: '0', count: '25' },
    { transactions: M.eachLike(transaction), pagination: pagination(1) }),
  // A card Extend does not show the user becomes our card_not_found (404).
  { given: [S.signedIn], uponReceiving: 'a card the user cannot see', method: 'GET', path: '/virtualcards/vc_0000000000000000000000', headers: authed,
    status: 404, responseBody: { error: M.like('Virtual card not found') }, errorCode: 'card_not_found',
    call: (c) => { cacheSession(c); return c.client.get(ADA, '/virtualcards/vc_0000000000000000000000', { notFound: () => notFound('card_not_found', 'no such card') }); } },
];

export const extendPact: ConsumerPact<ExtendConsumer> = {
  consumer: PARTICIPANTS.proxy,
  provider: PARTICIPANTS.extend,
  interactions,
  clientFor: (mock) => extendConsumer(mock.url),
};

function extendConsumer(base: string): ExtendConsumer {
  const cfg: CardsConfig = {
    extendBaseUrl: base, extendAccept: accept, passwordSsmPrefix: '/gatehouse/extend/users',
    extendTokenTable: 'gatehouse-extend-tokens', apiTokenTable: 'gatehouse-api-tokens', upstreamTimeoutMs: 5000,
  };
  const api = new ExtendApi(cfg, createHttpClient());
  const cache = new Map<string, CachedSession>();
  const session = new ExtendSession({ cfg, api, ssm: passwordStore(FAKE_PASSWORD), ddb: sessionTable(cache), clock: systemClock, log: silentLogger() });
  return { session, client: new ExtendClient(api, session), cache };
}
