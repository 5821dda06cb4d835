import { expect } from 'chai';
import { startExtend, loadExtendSeed, API_VERSION_MEDIA_TYPE, type ExtendEmulator } from '../../emulators/extend/index.ts';
import type { TransactionRecord, VirtualCardRecord } from '../../emulators/extend/types.ts';

const seed = loadExtendSeed();
const user = (email: string) => seed.users.find((u) => u.email === email)!;
const ADA = user('ada@example.com');
const GRACE = user('grace@example.com');
const cardsOf = (id: string) => seed.virtualCards.filter((c) => c.recipientId === id || c.cardholderId === id);
const txnsOf = (cardId: string) => seed.transactions.filter((t) => t.virtualCardId === cardId);
/** A card only Grace can see (Ada neither receives nor holds it). */
const gracesOnly = seed.virtualCards.find((c) => c.recipientId === GRACE.id && c.cardholderId === GRACE.id)!;

interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

function client(ext: () => ExtendEmulator) {
  const call = async (path: string, c: Call = {}) => {
    const headers: Record<string, string> = { accept: API_VERSION_MEDIA_TYPE, ...c.headers };
    if (c.token) headers.authorization = `Bearer ${c.token}`;
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(ext().url + path, { method: c.method ?? (c.body === undefined ? 'GET' : 'POST'), headers, body: typeof c.body === 'string' ? c.body : c.body === undefined ? undefined : JSON.stringify(c.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
  const signIn = async (u = ADA) => {
    const r = await call('/signin', { body: { email: u.email, password: u.password } });
    expect(r.status).to.equal(200);
    return r.body as { token: string; refreshToken: string };
  };
  const admin = (path: string, body?: unknown) => call(`/__admin${path}`, { body, method: body === undefined && path !== '/reset' ? 'GET' : 'POST' });
  return { call, signIn, admin };
}

/** Walk every page of a counted list. */
async function allPages<T>(call: ReturnType<typeof client>['call'], path: string, key: string, token: string): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let page = 0;
  let numberOfPages = 1;
  while (page < numberOfPages) {
    const r = await call(`${path}${path.includes('?') ? '&' : '?'}page=${page}`, { token });
    expect(r.status).to.equal(200);
    items.push(...r.body[key]);
    expect(r.body.pagination.page).to.equal(page);
    numberOfPages = r.body.pagination.numberOfPages;
    page++;
  }
  return { items, pages: numberOfPages };
}

const isSortedDesc = (xs: string[]) => xs.every((x, i) => i === 0 || xs[i - 1] >= x);

describe('fake Extend API', () => {
  let ext: ExtendEmulator;
  const { call, signIn, admin } = client(() => ext);
  before(async () => {
    ext = await startExtend({ port: 0 });
  });
  after(() => ext.close());
  beforeEach(() => admin('/reset'));

  describe('sign-in and sessions', () => {
    it('signs in with email and password, returning token, refreshToken and the user, and counts the sign-in', async () => {
      const r = await call('/signin', { body: { email: ADA.email, password: ADA.password } });
      expect(r.status).to.equal(200);
      expect(r.body.token).to.be.a('string').with.length.above(20);
      expect(r.body.refreshToken).to.be.a('string').and.not.equal(r.body.token);
      expect(r.body.user).to.include({ id: ADA.id, email: ADA.email, firstName: 'Ada' });
      expect(r.body.user).not.to.have.property('password');
      expect((await call('/virtualcards', { token: r.body.token })).status).to.equal(200);
      expect((await admin('/signins')).body).to.deep.include({ signIns: 1, failedSignIns: 0, byEmail: { [ADA.email]: 1 } });
    });

    it('rejects a wrong password and an unknown email with 401 in Extend error shape', async () => {
      for (const body of [{ email: ADA.email, password: 'wrong' }, { email: 'nobody@example.com', password: ADA.password }]) {
        const r = await call('/signin', { body });
        expect(r.status).to.equal(401);
        expect(r.body).to.deep.equal({ error: 'Incorrect username or password.' });
      }
      expect((await admin('/signins')).body).to.include({ signIns: 0, failedSignIns: 2 });
    });

    it('answers 400 for a sign-in without password or with malformed JSON, and stays up', async () => {
      expect((await call('/signin', { body: { email: ADA.email } })).body).to.deep.equal({ error: 'email and password are required' });
      const bad = await call('/signin', { body: '{"email":' });
      expect(bad.status).to.equal(400);
      expect(bad.body.error).to.match(/JSON/);
      expect((await call('/signin', { body: [1] })).status).to.equal(400);
      await signIn();
    });

    it('renews an access token with the refresh token', async () => {
      const s = await signIn();
      const r = await call('/renewauth', { body: { refreshToken: s.refreshToken } });
      expect(r.status).to.equal(200);
      expect(r.body.token).to.be.a('string').and.not.equal(s.token);
      expect(r.body.refreshToken).to.equal(s.refreshToken);
      expect((await call('/virtualcards', { token: r.body.token })).status).to.equal(200);
      expect((await admin('/signins')).body).to.include({ signIns: 1, renewals: 1 });
    });

    it('rejects an unknown refresh token with 401', async () => {
      const r = await call('/renewauth', { body: { refreshToken: 'not-a-token' } });
      expect(r.status).to.equal(401);
      expect(r.body).to.deep.equal({ error: 'Invalid refresh token' });
      expect((await call('/renewauth', { body: {} })).status).to.equal(400);
    });

    it('expires access tokens after 10 minutes on the fake clock, while renewal still works', async () => {
      const s = await signIn();
      await admin('/clock', { advanceSeconds: 599 });
      expect((await call('/virtualcards', { token: s.token })).status).to.equal(200);
      expect((await admin('/clock', { advanceSeconds: 1 })).body.offsetSeconds).to.equal(600);
      const r = await call('/virtualcards', { token: s.token });
      expect(r.status).to.equal(401);
      expect(r.body).to.deep.equal({ error: 'Token expired' });
      const renewed = await call('/renewauth', { body: { refreshToken: s.refreshToken } });
      expect((await call('/virtualcards', { token: renewed.body.token })).status).to.equal(200);
    });

    it('expires a user\'s tokens on demand; renewal then works', async () => {
      const s = await signIn();
      const other = await signIn(GRACE);
      expect((await admin(`/users/${encodeURIComponent(ADA.email)}/expire-tokens`, {})).body).to.deep.equal({ email: ADA.email, expired: 1 });
      expect((await call('/virtualcards', { token: s.token })).status).to.equal(401);
      expect((await call('/virtualcards', { token: other.token })).status).to.equal(200);
      expect((await call('/renewauth', { body: { refreshToken: s.refreshToken } })).status).to.equal(200);
    });

    it('revokes a user\'s tokens: access and refresh both answer 401 until the next sign-in', async () => {
      const s = await signIn();
      expect((await admin(`/users/${ADA.email}/revoke-tokens`, {})).body).to.deep.equal({ email: ADA.email, revoked: 2 });
      const r = await call('/virtualcards', { token: s.token });
      expect(r.status).to.equal(401);
      expect(r.body).to.deep.equal({ error: 'Token revoked' });
      expect((await call('/renewauth', { body: { refreshToken: s.refreshToken } })).status).to.equal(401);
      const again = await signIn();
      expect((await call('/virtualcards', { token: again.token })).status).to.equal(200);
      expect((await admin('/users/nobody@example.com/revoke-tokens', {})).status).to.equal(404);
    });

    it('answers 401 for a missing, malformed or unknown bearer token', async () => {
      expect((await call('/virtualcards')).status).to.equal(401);
      expect((await call('/virtualcards', { headers: { authorization: 'Basic abc' } })).status).to.equal(401);
      const r = await call('/virtualcards', { token: 'forged' });
      expect(r.status).to.equal(401);
      expect(r.body).to.deep.equal({ error: 'Unauthorized' });
    });
  });

  describe('versioned Accept header', () => {
    it('answers 406 without the v2021-03-12 media type, on sign-in too', async () => {
      const s = await signIn();
      for (const accept of ['', 'application/json', '*/*', 'application/vnd.paywithextend.v2099-01-01+json']) {
        const r = await call('/virtualcards', { token: s.token, headers: { accept } });
        expect(r.status, accept).to.equal(406);
        expect(r.body.error).to.include(API_VERSION_MEDIA_TYPE);
      }
      expect((await call('/signin', { body: { email: ADA.email, password: ADA.password }, headers: { accept: 'application/json' } })).status).to.equal(406);
    });

    it('accepts the media type among other ranges and with parameters', async () => {
      const s = await signIn();
      const r = await call('/virtualcards', { token: s.token, headers: { accept: `application/json, ${API_VERSION_MEDIA_TYPE}; q=0.9` } });
      expect(r.status).to.equal(200);
    });
  });

  describe('virtual cards', () => {
    it('pages through the signed-in user\'s cards with the Extend pagination envelope', async () => {
      const s = await signIn();
      const first = await call('/virtualcards?count=4', { token: s.token });
      const mine = cardsOf(ADA.id);
      expect(first.body.pagination).to.deep.equal({ page: 0, pageItemCount: 4, totalItems: mine.length, numberOfPages: Math.ceil(mine.length / 4) });
      const { items } = await allPages<VirtualCardRecord>(call, '/virtualcards?count=4', 'virtualCards', s.token);
      expect(items.map((c) => c.id)).to.have.members(mine.map((c) => c.id));
      expect(isSortedDesc(items.map((c) => c.createdAt))).to.equal(true);
      expect(items.every((c) => !('vcn' in c) && !('securityCode' in c))).to.equal(true);
      const beyond = await call('/virtualcards?count=4&page=9', { token: s.token });
      expect(beyond.body.virtualCards).to.deep.equal([]);
    });

    it('holds cards in every Extend status and filters by statuses', async () => {
      const s = await signIn();
      const all = (await call('/virtualcards?count=100', { token: s.token })).body.virtualCards as VirtualCardRecord[];
      expect(new Set(all.map((c) => c.status))).to.have.keys('ACTIVE', 'PENDING', 'CANCELLED', 'CLOSED', 'EXPIRED', 'CONSUMED');
      const r = await call('/virtualcards?statuses=CANCELLED,expired', { token: s.token });
      expect(r.body.virtualCards.length).to.equal(all.filter((c) => ['CANCELLED', 'EXPIRED'].includes(c.status)).length).and.above(1);
      expect(r.body.virtualCards.every((c: VirtualCardRecord) => ['CANCELLED', 'EXPIRED'].includes(c.status))).to.equal(true);
      const bad = await call('/virtualcards?statuses=BOGUS', { token: s.token });
      expect(bad.status).to.equal(400);
      expect(bad.body.error).to.match(/Invalid statuses value: BOGUS/);
    });

    it('sorts by sortField and sortDirection, and rejects bad paging values', async () => {
      const s = await signIn();
      const names = (await call('/virtualcards?count=100&sortField=displayName&sortDirection=ASC', { token: s.token })).body.virtualCards.map((c: VirtualCardRecord) => c.displayName.toLowerCase());
      expect(names).to.deep.equal([...names].sort());
      for (const q of ['count=0', 'count=101', 'page=-1', 'page=abc', 'sortDirection=UP']) {
        expect((await call(`/virtualcards?${q}`, { token: s.token })).status, q).to.equal(400);
      }
    });

    it('shows an own card by id with its full number, and another user\'s card as absent', async () => {
      const s = await signIn();
      const own = cardsOf(ADA.id)[0];
      const r = await call(`/virtualcards/${own.id}`, { token: s.token });
      expect(r.status).to.equal(200);
      expect(r.body.virtualCard).to.include({ id: own.id, last4: own.last4, vcn: own.vcn });
      const other = await call(`/virtualcards/${gracesOnly.id}`, { token: s.token });
      const unknown = await call('/virtualcards/vc_doesNotExist0000000000', { token: s.token });
      expect(other.status).to.equal(404);
      expect(other.body).to.deep.equal(unknown.body).and.deep.equal({ error: 'Virtual card not found' });
      const grace = await signIn(GRACE);
      expect((await call(`/virtualcards/${gracesOnly.id}`, { token: grace.token })).status).to.equal(200);
    });
  });

  describe('transactions', () => {
    const busiest = () => [...cardsOf(ADA.id)].sort((a, b) => txnsOf(b.id).length - txnsOf(a.id).length)[0];

    it('pages a card\'s 60+ transactions newest first, with a counted envelope', async () => {
      const s = await signIn();
      const card = busiest();
      expect(txnsOf(card.id).length).to.be.above(60);
      const { items, pages } = await allPages<TransactionRecord>(call, `/virtualcards/${card.id}/transactions?count=25`, 'transactions', s.token);
      expect(pages).to.equal(Math.ceil(txnsOf(card.id).length / 25));
      expect(new Set(items.map((t) => t.id)).size).to.equal(txnsOf(card.id).length);
      expect(items.every((t) => t.virtualCardId === card.id && t.vcnLast4 === card.last4)).to.equal(true);
      expect(isSortedDesc(items.map((t) => t.authedAt))).to.equal(true);
    });

    it('filters a card\'s transactions by status and hides other users\' cards', async () => {
      const s = await signIn();
      const card = busiest();
      const r = await call(`/virtualcards/${card.id}/transactions?status=DECLINED,PENDING&count=100`, { token: s.token });
      const expected = txnsOf(card.id).filter((t) => t.status === 'DECLINED' || t.status === 'PENDING');
      expect(r.body.transactions.map((t: TransactionRecord) => t.id)).to.have.members(expected.map((t) => t.id));
      expect(r.body.pagination.totalItems).to.equal(expected.length);
      expect((await call(`/virtualcards/${gracesOnly.id}/transactions`, { token: s.token })).status).to.equal(404);
    });

    it('lists transactions across the user\'s cards with look-ahead paging and date sort', async () => {
      const s = await signIn();
      const visible = new Set(cardsOf(ADA.id).map((c) => c.id));
      const expected = seed.transactions.filter((t) => visible.has(t.virtualCardId));
      const first = await call('/transactions?count=50', { token: s.token });
      // Look-ahead envelope: totalItems is one more than the page when another page exists.
      expect(first.body.pagination).to.deep.equal({ page: 0, pageItemCount: 50, totalItems: 51, numberOfPages: 2 });
      const { items } = await allPages<TransactionRecord>(call, '/transactions?count=50', 'transactions', s.token);
      expect(items.map((t) => t.id)).to.have.members(expected.map((t) => t.id));
      expect(isSortedDesc(items.map((t) => t.authedAt))).to.equal(true);
      const oldest = await call('/transactions?count=5&sortField=date&sortDirection=ASC', { token: s.token });
      const ascending = [...expected].sort((a, b) => (a.authedAt < b.authedAt ? -1 : 1));
      expect(oldest.body.transactions.map((t: TransactionRecord) => t.id)).to.deep.equal(ascending.slice(0, 5).map((t) => t.id));
      const prefixed = await call('/transactions?count=5&sort=date', { token: s.token });
      expect(prefixed.body.transactions).to.deep.equal(oldest.body.transactions);
    });

    it('filters all transactions by status, card and date range', async () => {
      const s = await signIn();
      const card = busiest();
      const r = await call(`/transactions?count=100&status=CLEARED&virtualCardId=${card.id}&fromDate=2024-03-01&toDate=2024-04-30`, { token: s.token });
      const expected = txnsOf(card.id).filter((t) => t.status === 'CLEARED' && t.authedAt >= '2024-03-01' && t.authedAt.slice(0, 10) <= '2024-04-30');
      expect(expected.length).to.be.above(0);
      expect(r.body.transactions.map((t: TransactionRecord) => t.id)).to.have.members(expected.map((t) => t.id));
      expect((await call('/transactions?status=REFUNDED', { token: s.token })).status).to.equal(400);
      expect((await call('/transactions?fromDate=yesterday', { token: s.token })).status).to.equal(400);
    });

    it('shows one transaction of the user and hides others\'', async () => {
      const s = await signIn();
      const own = txnsOf(busiest().id)[0];
      expect((await call(`/transactions/${own.id}`, { token: s.token })).body).to.deep.equal(own);
      const foreign = await call(`/transactions/${txnsOf(gracesOnly.id)[0].id}`, { token: s.token });
      expect(foreign.status).to.equal(404);
      expect(foreign.body).to.deep.equal({ error: 'Transaction not found' });
    });
  });

  describe('admin frame', () => {
    it('answers an injected 429 with Retry-After in Extend\'s error shape, then recovers', async () => {
      const s = await signIn();
      expect((await admin('/faults', { status: 429, retryAfter: 7, match: { path: '/virtualcards' } })).status).to.equal(201);
      const r = await call('/virtualcards', { token: s.token });
      expect(r.status).to.equal(429);
      expect(r.headers.get('retry-after')).to.equal('7');
      expect(r.body).to.deep.equal({ error: 'Too Many Requests' });
      expect((await call('/virtualcards', { token: s.token })).status).to.equal(200);
    });

    it('journals requests without passwords, tokens or refresh tokens', async () => {
      const s = await signIn();
      await call('/renewauth', { body: { refreshToken: s.refreshToken } });
      await call('/signin', { body: `{"email":"${ADA.email}","password":"${ADA.password}"` });
      await call('/virtualcards', { token: s.token });
      const { entries } = (await admin('/journal')).body;
      expect(entries).to.have.length(4);
      const dump = JSON.stringify(entries);
      for (const secret of [ADA.password, s.token, s.refreshToken]) expect(dump).not.to.include(secret);
      expect(JSON.parse(entries[0].body)).to.deep.equal({ email: ADA.email, password: '***' });
      expect(entries[3].headers.authorization).to.equal('Bearer ***');
    });

    it('keeps secrets out of the state snapshot', async () => {
      await signIn();
      const snap = (await admin('/state')).body;
      const dump = JSON.stringify(snap);
      expect(dump).not.to.include(ADA.password);
      expect(dump).not.to.include(seed.virtualCards[0].vcn);
      expect(snap.sessions).to.deep.equal({ liveAccessTokens: 1, liveRefreshTokens: 1 });
    });

    it('POST /__admin/users resets a user\'s password: the new one signs in, the old one and old tokens do not', async () => {
      const before = await signIn();
      const r = await admin('/users', { email: ADA.email, password: 'fake-new-password' });
      expect(r.status).to.equal(200);
      expect(r.body).to.include({ id: ADA.id, email: ADA.email });
      expect(r.body).not.to.have.property('password');
      expect((await call('/signin', { body: { email: ADA.email, password: ADA.password } })).status).to.equal(401);
      expect((await call('/virtualcards', { token: before.token })).status).to.equal(401);
      const after = await call('/signin', { body: { email: ADA.email, password: 'fake-new-password' } });
      expect(after.status).to.equal(200);
      expect(JSON.stringify((await admin('/journal')).body)).not.to.include('fake-new-password');
    });

    it('POST /__admin/users adds a new user who can sign in and sees no cards; bad input is a 400', async () => {
      const r = await admin('/users', { email: 'new@example.com', password: 'fake-pw', firstName: 'New' });
      expect(r.status).to.equal(201);
      expect(r.body.id).to.match(/^u_[A-Za-z0-9]{22}$/);
      const s = await call('/signin', { body: { email: 'new@example.com', password: 'fake-pw' } });
      expect(s.status).to.equal(200);
      expect((await call('/virtualcards', { token: s.body.token })).body.virtualCards).to.deep.equal([]);
      expect((await admin('/users', { email: 'not-an-email', password: 'x' })).status).to.equal(400);
      expect((await admin('/users', { email: 'a@example.com' })).body).to.deep.equal({ error: 'password must be a string of 1 to 256 characters' });
      await admin('/reset');
      expect((await call('/signin', { body: { email: 'new@example.com', password: 'fake-pw' } })).status).to.equal(401);
    });

    it('reset drops sessions, counters and the clock offset', async () => {
      const s = await signIn();
      await admin('/clock', { advanceSeconds: 30 });
      await admin('/reset');
      expect((await admin('/signins')).body).to.include({ signIns: 0, renewals: 0 });
      expect((await admin('/clock')).body.offsetSeconds).to.equal(0);
      expect((await call('/virtualcards', { token: s.token })).status).to.equal(401);
      expect((await call('/nowhere', { token: s.token })).body).to.deep.equal({ error: 'Not Found' });
    });
  });
});

describe('fake Extend API with an injected clock', () => {
  let now = Date.UTC(2024, 5, 1);
  let ext: ExtendEmulator;
  const { call, signIn } = client(() => ext);
  before(async () => {
    ext = await startExtend({ port: 0, accessTokenTtlSeconds: 5, now: () => now });
  });
  after(() => ext.close());

  it('expires access tokens after the configured TTL', async () => {
    const s = await signIn();
    now += 4_999;
    expect((await call('/virtualcards', { token: s.token })).status).to.equal(200);
    now += 1;
    expect((await call('/virtualcards', { token: s.token })).status).to.equal(401);
  });
});
