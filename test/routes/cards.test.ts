/**
 * The cards routes (seed 004) over real HTTP against the stack's fake Extend and embedded AWS: every status, paging,
 * the Extend session cache (TTL item, renewal, re-sign-in, single-flight), upstream faults and log hygiene. The
 * app is served on its own port with an injected clock and a capturing logger; every answer is checked against
 * the OpenAPI document.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Stack } from '../../emulators/stack/index.ts';
import { listen, type Listening } from '../../emulators/shared/emulator.ts';
import { expressAdapter } from '../../proxy/adapters/express.ts';
import { createLogger } from '../../proxy/core/log.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { ApiTokenStore, hashApiToken } from '../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients, type CardsAws } from '../../proxy/routes/cards/aws.ts';
import { responseValidator } from '../../proxy/routes/cards/openapi-check.ts';
import { admin, injectFault, testStack } from '../helpers/stack.ts';

const ADA = 'ada@example.com';
const seed = JSON.parse(readFileSync(new URL('../../fixtures/extend/seed.json', import.meta.url), 'utf8')) as {
  users: { id: string; email: string; password: string }[];
  virtualCards: { id: string; status: string; recipientId: string; cardholderId: string; vcn: string; securityCode: string }[];
  transactions: { id: string; virtualCardId: string; authedAt: string }[];
};
const userId = (email: string) => seed.users.find((u) => u.email === email)!.id;
const cardsOfUser = (email: string) => seed.virtualCards.filter((c) => c.recipientId === userId(email) || c.cardholderId === userId(email));
const txnsOfCards = (ids: string[]) => seed.transactions.filter((t) => ids.includes(t.virtualCardId));
const newestFirst = (a: { authedAt: string; id: string }, b: { authedAt: string; id: string }) =>
  a.authedAt === b.authedAt ? (a.id < b.id ? 1 : -1) : a.authedAt < b.authedAt ? 1 : -1;

describe('Cards routes against the fake Extend and embedded AWS', function () {
  let stack: Stack;
  let served: Listening;
  let extend: string;
  let aws: CardsAws;
  let adaToken: string;
  const clock = { offsetMs: 0, now: () => Date.now() + clock.offsetMs, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const logLines: string[] = [];
  const seenSecrets = new Set<string>();
  const check = responseValidator();

  async function get(path: string, token?: string, base = served.url) {
    const res = await fetch(base + path, { headers: token === undefined ? {} : { token } });
    const text = await res.text();
    const body = JSON.parse(text);
    const verdict = check('GET', path, res.status, body);
    expect(verdict.errors, `${path} → ${res.status} against the OpenAPI document`).to.deep.equal([]);
    return { status: res.status, headers: res.headers, body, text };
  }
  const signIns = () => admin(extend, '/signins') as Promise<{ signIns: number; renewals: number; failedRenewals: number }>;
  const cacheItem = async (email = ADA) => (await aws.ddb.send(new GetCommand({ TableName: 'gatehouse-extend-tokens', Key: { email } }))).Item;
  const remember = (item?: Record<string, unknown>) => item && [item.accessToken, item.refreshToken].forEach((v) => typeof v === 'string' && seenSecrets.add(v));

  before(async () => {
    stack = await testStack({ UPSTREAM_TIMEOUT_MS: '1000' });
    extend = stack.urls.extend;
    aws = cardsAwsClients(stack.proxyEnv);
    const log = createLogger({ level: 'debug', sink: (l) => logLines.push(l) });
    const app = await buildCardsApp({ env: stack.proxyEnv, clock, log });
    served = await listen(expressAdapter(app) as unknown as http.RequestListener, 0);
    adaToken = (await new ApiTokenStore(aws.ddb, 'gatehouse-api-tokens').create(ADA, Date.now())).token;
    seenSecrets.add(adaToken);
  });
  after(async () => {
    await served?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    clock.offsetMs = 0;
    remember(await cacheItem());
    await admin(extend, '/reset', { method: 'POST' });
    for (const u of seed.users) await aws.ddb.send(new DeleteCommand({ TableName: 'gatehouse-extend-tokens', Key: { email: u.email } }));
  });

  describe('cards', () => {
    it('lists every card the user can see, without numbers or CVCs', async () => {
      const res = await get('/cards?count=100', adaToken);
      expect(res.status).to.equal(200);
      expect(res.body.cards.map((c: { id: string }) => c.id).sort()).to.deep.equal(cardsOfUser(ADA).map((c) => c.id).sort());
      expect(res.body.next).to.equal(null);
      for (const c of cardsOfUser(ADA)) expect(res.text).not.to.include(c.vcn);
    });

    it('lists only ACTIVE cards on /cards/active', async () => {
      const res = await get('/cards/active', adaToken);
      expect(res.status).to.equal(200);
      const active = cardsOfUser(ADA).filter((c) => c.status === 'ACTIVE').map((c) => c.id).sort();
      expect(res.body.cards.map((c: { id: string }) => c.id).sort()).to.deep.equal(active);
    });

    it('answers one card in the seed\'s shape, never with its number or CVC', async () => {
      const card = cardsOfUser(ADA)[0];
      const res = await get(`/cards/${card.id}`, adaToken);
      expect(res.status).to.equal(200);
      expect(Object.keys(res.body.card).sort()).to.deep.equal(['balanceCents', 'displayName', 'id', 'last4', 'limitCents', 'status']);
      expect(res.text).not.to.include(card.vcn);
      expect(res.text).not.to.include(`"${card.securityCode}"`);
    });

    it('answers someone else\'s card exactly like a missing one (404)', async () => {
      const linusCard = cardsOfUser('linus@example.com').find((c) => !cardsOfUser(ADA).some((a) => a.id === c.id))!;
      const theirs = await get(`/cards/${linusCard.id}`, adaToken);
      const missing = await get('/cards/vc_DoesNotExist0000000000', adaToken);
      expect(theirs.status).to.equal(404);
      expect(theirs.text).to.equal(missing.text);
      expect(theirs.body.error.code).to.equal('card_not_found');
      expect((await get(`/cards/${linusCard.id}/transactions`, adaToken)).text).to.equal(missing.text);
    });

    for (const bad of ['abc', 'vc_', 'vc_bad%21', 'vc_' + 'a'.repeat(65)]) {
      it(`rejects the card id ${bad.slice(0, 12)} with 400 before calling Extend`, async () => {
        await admin(extend, '/journal', { method: 'DELETE' });
        const res = await get(`/cards/${bad}`, adaToken);
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_card_id');
        expect((await get(`/cards/${bad}/transactions`, adaToken)).status).to.equal(400);
      });
    }
  });

  describe('transactions and paging', () => {
    it('gives a card\'s 25 most recent transactions, newest first, then the rest through next', async () => {
      const card = cardsOfUser(ADA).reduce((a, b) => (txnsOfCards([a.id]).length >= txnsOfCards([b.id]).length ? a : b));
      const want = txnsOfCards([card.id]).sort(newestFirst).map((t) => t.id);
      expect(want.length).to.be.greaterThan(25);
      let res = await get(`/cards/${card.id}/transactions`, adaToken);
      expect(res.body.transactions.map((t: { id: string }) => t.id)).to.deep.equal(want.slice(0, 25));
      const got: string[] = res.body.transactions.map((t: { id: string }) => t.id);
      while (res.body.next) {
        res = await get(`/cards/${card.id}/transactions?cursor=${res.body.next}`, adaToken);
        got.push(...res.body.transactions.map((t: { id: string }) => t.id));
      }
      expect(got).to.deep.equal(want);
    });

    it('merges the most recent 25 of each card, newest first, on /transactions', async () => {
      const res = await get('/transactions', adaToken);
      expect(res.status).to.equal(200);
      const want = cardsOfUser(ADA).flatMap((c) => txnsOfCards([c.id]).sort(newestFirst).slice(0, 25)).sort(newestFirst).map((t) => t.id);
      expect(res.body.transactions.map((t: { id: string }) => t.id)).to.deep.equal(want);
      expect(res.body.next).to.be.a('string');
    });

    it('walks next to the end of /transactions and returns every transaction once, matching the fake\'s state', async () => {
      const got: string[] = [];
      let path = '/transactions?count=10';
      for (let i = 0; i < 50; i++) {
        const res = await get(path, adaToken);
        expect(res.status).to.equal(200);
        got.push(...res.body.transactions.map((t: { id: string }) => t.id));
        if (!res.body.next) break;
        path = `/transactions?cursor=${res.body.next}`;
      }
      const state = await admin(extend, '/state');
      const visible = state.virtualCards.filter((c: { recipientId: string; cardholderId: string }) => [c.recipientId, c.cardholderId].includes(userId(ADA)));
      expect(got.length).to.equal(visible.reduce((n: number, c: { transactionCount: number }) => n + c.transactionCount, 0));
      expect(new Set(got).size).to.equal(got.length);
      expect([...got].sort()).to.deep.equal(txnsOfCards(cardsOfUser(ADA).map((c) => c.id)).map((t) => t.id).sort());
    });

    for (const q of ['count=0', 'count=101', 'page=-1', 'page=x', 'count=2&count=3', 'cursor=not-a-cursor', `cursor=${Buffer.from('{"page":1,"count":500}').toString('base64url')}`, 'cursor=eyJwYWdlIjoxLCJjb3VudCI6MTB9&page=1']) {
      it(`answers 400 for ${q}`, async () => {
        const res = await get(`/transactions?${q}`, adaToken);
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.be.oneOf(['invalid_paging', 'invalid_cursor']);
      });
    }
  });

  describe('the token header', () => {
    const refused = async (token: string | undefined, code: string) => {
      await admin(extend, '/journal', { method: 'DELETE' });
      const res = await get('/cards', token);
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal(code);
      expect((await admin(extend, '/journal')).entries).to.have.length(0);
    };

    it('401s a missing token', () => refused(undefined, 'token_missing'));
    it('401s an unknown token', () => refused('not-a-token-we-issued', 'token_invalid'));

    it('401s a revoked token', async () => {
      const { token, item } = await new ApiTokenStore(aws.ddb, 'gatehouse-api-tokens').create(ADA, Date.now());
      await aws.ddb.send(new PutCommand({ TableName: 'gatehouse-api-tokens', Item: { ...item, revoked: true } }));
      await refused(token, 'token_invalid');
    });

    it('401s a token past its expiresAt even while DynamoDB still holds it', async () => {
      const { token } = await new ApiTokenStore(aws.ddb, 'gatehouse-api-tokens').create(ADA, Date.now() - 7_200_000, 3600);
      await refused(token, 'token_invalid');
    });

    it('stores only the SHA-256 of a token', async () => {
      const item = (await aws.ddb.send(new GetCommand({ TableName: 'gatehouse-api-tokens', Key: { tokenHash: hashApiToken(adaToken) } }))).Item!;
      expect(item).to.include({ email: ADA, revoked: false });
      expect(JSON.stringify(item)).not.to.include(adaToken);
    });

    it('passes through the gateway (which strips Authorization) and serves the spec without a token', async () => {
      const jwt = await stack.gateway.mintToken(ADA);
      const res = await fetch(`${stack.urls.gateway}/cards/active`, { headers: { token: adaToken, authorization: `Bearer ${jwt}` } });
      expect(res.status).to.equal(200);
      expect(check('GET', '/cards/active', 200, await res.json()).ok).to.equal(true);
      const spec = await get('/openapi.json', undefined, stack.urls.gateway);
      expect(spec.body.openapi).to.equal('3.1.0');
    });
  });

  describe('the Extend session', () => {
    it('signs in once, caches the token with a 10-minute TTL and reuses it', async () => {
      expect((await get('/cards', adaToken)).status).to.equal(200);
      const item = await cacheItem();
      expect(item!.expiresAt).to.be.closeTo(Math.floor(clock.now() / 1000) + 600, 2);
      expect(item!.accessToken).to.be.a('string');
      await get('/cards/active', adaToken);
      expect(await signIns()).to.include({ signIns: 1, renewals: 0 });
    });

    it('ignores an expired cache item that DynamoDB has not deleted yet', async () => {
      await aws.ddb.send(new PutCommand({ TableName: 'gatehouse-extend-tokens', Item: { email: ADA, accessToken: 'stale-access', refreshToken: 'stale-refresh', issuedAt: '2020-01-01T00:00:00Z', expiresAt: Math.floor(Date.now() / 1000) - 5 } }));
      expect((await get('/cards', adaToken)).status).to.equal(200);
      expect(await signIns()).to.include({ signIns: 1, renewals: 0, failedRenewals: 0 });
      expect((await cacheItem())!.accessToken).not.to.equal('stale-access');
    });

    it('renews with the refresh token when under a minute is left (no new sign-in)', async () => {
      await get('/cards', adaToken);
      const before = await cacheItem();
      clock.offsetMs = 570_000;
      await admin(extend, '/clock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 570 }) });
      expect((await get('/cards', adaToken)).status).to.equal(200);
      expect(await signIns()).to.include({ signIns: 1, renewals: 1 });
      const after = await cacheItem();
      expect(after!.accessToken).not.to.equal(before!.accessToken);
      expect(after!.expiresAt).to.be.closeTo(Math.floor(clock.now() / 1000) + 600, 2);
    });

    it('keeps using a still-valid token when an early renewal fails', async () => {
      await get('/cards', adaToken);
      const before = await cacheItem();
      clock.offsetMs = 570_000;
      await injectFault(extend, { status: 503, match: { path: '/renewauth' } });
      expect((await get('/cards', adaToken)).status).to.equal(200);
      expect((await cacheItem())!.accessToken).to.equal(before!.accessToken);
      expect(await signIns()).to.include({ signIns: 1, renewals: 0 });
    });

    it('renews once when Extend refuses an expired token, then retries', async () => {
      await get('/cards', adaToken);
      await admin(extend, `/users/${ADA}/expire-tokens`, { method: 'POST' });
      expect((await get('/cards', adaToken)).status).to.equal(200);
      expect(await signIns()).to.include({ signIns: 1, renewals: 1 });
    });

    it('signs in afresh when the refresh token was revoked', async () => {
      await get('/cards', adaToken);
      await admin(extend, `/users/${ADA}/revoke-tokens`, { method: 'POST' });
      expect((await get('/cards', adaToken)).status).to.equal(200);
      expect(await signIns()).to.include({ signIns: 2, renewals: 0, failedRenewals: 1 });
    });

    it('shares one sign-in among 20 concurrent requests with an empty cache', async () => {
      const all = await Promise.all(Array.from({ length: 20 }, () => get('/cards/active', adaToken)));
      expect(all.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
      expect((await signIns()).signIns).to.equal(1);
    });
  });

  describe('when Extend misbehaves', () => {
    const warm = () => get('/cards', adaToken);

    it('passes a 429 on with Retry-After', async () => {
      await warm();
      await injectFault(extend, { status: 429, retryAfter: 7, match: { path: '/virtualcards' } });
      const res = await get('/cards', adaToken);
      expect(res.status).to.equal(429);
      expect(res.headers.get('retry-after')).to.equal('7');
      expect(res.body.error.code).to.equal('upstream_rate_limited');
    });

    it('answers 502 when Extend fails', async () => {
      await warm();
      await injectFault(extend, { status: 500, match: { path: '/virtualcards' } });
      const res = await get('/cards/active', adaToken);
      expect(res.status).to.equal(502);
      expect(res.body.error.code).to.equal('upstream_error');
    });

    it('answers 504 when Extend is slower than UPSTREAM_TIMEOUT_MS', async () => {
      await warm();
      await injectFault(extend, { latencyMs: 2000, match: { path: '/virtualcards' } });
      const res = await get('/cards', adaToken);
      expect(res.status).to.equal(504);
      expect(res.body.error.code).to.equal('upstream_timeout');
    });

    it('answers 502 when Extend refuses the stored password', async () => {
      await aws.ddb.send(new DeleteCommand({ TableName: 'gatehouse-extend-tokens', Key: { email: ADA } }));
      await injectFault(extend, { status: 401, match: { path: '/signin' } });
      const res = await get('/cards', adaToken);
      expect(res.status).to.equal(502);
      expect(res.body.error.code).to.equal('upstream_auth_failed');
    });
  });

  // A nested suite: mocha runs a suite's own tests before its nested ones, so this one truly runs last.
  describe('logs', () => {
    it('never logged a password or a token', async () => {
      remember(await cacheItem());
      const passwords = seed.users.map((u) => u.password);
      const logs = logLines.join('\n');
      expect(logLines.length).to.be.greaterThan(10);
      expect(logs).to.include('extend sign-in');
      for (const secret of [...passwords, ...seenSecrets]) expect(logs).not.to.include(secret);
    });
  });
});
