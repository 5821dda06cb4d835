/**
 * The cards routes through the Lambda adapter, in each event flavour (REST v1, HTTP API v2, Function URL), against
 * the stack's fake Extend and embedded AWS — the same handlers the HTTP tests cover, every body checked against
 * the OpenAPI document.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Stack } from '../../emulators/stack/index.ts';
import type { FaultSpec } from '../../emulators/shared/faults.ts';
import { buildCardsApp } from '../../proxy/functions/cards.ts';
import { createLambdaHandler } from '../../proxy/adapters/lambda/handler.ts';
import { silentLogger } from '../../proxy/core/log.ts';
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../proxy/routes/cards/aws.ts';
import { responseValidator } from '../../proxy/routes/cards/openapi-check.ts';
import { FLAVOURS, resultBody, toEvent } from '../helpers/events.ts';
import { admin, injectFault, testStack } from '../helpers/stack.ts';

const seed = JSON.parse(readFileSync(new URL('../../fixtures/extend/seed.json', import.meta.url), 'utf8')) as {
  users: { id: string; email: string }[];
  virtualCards: { id: string; recipientId: string; cardholderId: string }[];
};
const owner = (email: string) => seed.users.find((u) => u.email === email)!.id;
const ADA_CARD = seed.virtualCards.find((c) => c.recipientId === owner('ada@example.com'))!.id;
const LINUS_CARD = seed.virtualCards.find((c) => c.recipientId === owner('linus@example.com') && c.cardholderId === owner('linus@example.com'))!.id;

interface Case { name: string; path: string; query?: string; token?: 'ada' | 'bogus'; status: number; code?: string; fault?: FaultSpec; header?: [string, string] }

const CASES: Case[] = [
  { name: 'all cards', path: '/cards', token: 'ada', status: 200 },
  { name: 'active cards', path: '/cards/active', token: 'ada', status: 200 },
  { name: 'one card', path: `/cards/${ADA_CARD}`, token: 'ada', status: 200 },
  { name: 'card transactions', path: `/cards/${ADA_CARD}/transactions`, query: 'count=5', token: 'ada', status: 200 },
  { name: 'all transactions', path: '/transactions', query: 'page=1&count=3', token: 'ada', status: 200 },
  { name: 'the OpenAPI document', path: '/openapi.json', status: 200 },
  { name: 'someone else\'s card', path: `/cards/${LINUS_CARD}`, token: 'ada', status: 404, code: 'card_not_found' },
  { name: 'a bad card id', path: '/cards/card-1', token: 'ada', status: 400, code: 'invalid_card_id' },
  { name: 'bad paging', path: '/transactions', query: 'count=1000', token: 'ada', status: 400, code: 'invalid_paging' },
  { name: 'no token', path: '/cards', status: 401, code: 'token_missing' },
  { name: 'an unknown token', path: '/cards', token: 'bogus', status: 401, code: 'token_invalid' },
  { name: 'Extend throttling', path: '/cards', token: 'ada', status: 429, code: 'upstream_rate_limited', fault: { status: 429, retryAfter: 3, match: { path: '/virtualcards' } }, header: ['retry-after', '3'] },
  { name: 'Extend failing', path: '/cards/active', token: 'ada', status: 502, code: 'upstream_error', fault: { status: 503, match: { path: '/virtualcards' } } },
  { name: 'Extend too slow', path: '/cards', token: 'ada', status: 504, code: 'upstream_timeout', fault: { latencyMs: 1600, match: { path: '/virtualcards' } } },
];

describe('Cards routes through the Lambda adapter', () => {
  let stack: Stack;
  let handler: ReturnType<typeof createLambdaHandler>;
  let adaToken: string;
  const check = responseValidator();

  before(async () => {
    stack = await testStack({ UPSTREAM_TIMEOUT_MS: '800' });
    handler = createLambdaHandler(() => buildCardsApp({ env: stack.proxyEnv, log: silentLogger() }));
    adaToken = (await new ApiTokenStore(cardsAwsClients(stack.proxyEnv).ddb, 'gatehouse-api-tokens').create('ada@example.com', Date.now())).token;
  });
  after(() => stack?.close());

  for (const flavour of FLAVOURS) {
    describe(`${flavour} events`, () => {
      for (const c of CASES) {
        it(`${c.name}: GET ${c.path} → ${c.status}`, async () => {
          await admin(stack.urls.extend, '/faults', { method: 'DELETE' });
          // Sign in first, so a fault hits the data call and not the sign-in.
          if (c.fault) await handler(toEvent(flavour, { method: 'GET', path: '/cards', headers: { token: adaToken } }));
          if (c.fault) await injectFault(stack.urls.extend, c.fault as Record<string, unknown>);
          const token = c.token === 'ada' ? adaToken : c.token === 'bogus' ? 'bogus-token' : undefined;
          const res = await handler(toEvent(flavour, { method: 'GET', path: c.path, query: c.query, headers: token ? { token } : {} }));
          const body = JSON.parse(resultBody(res).toString());
          expect(res.statusCode, JSON.stringify(body)).to.equal(c.status);
          expect(check('GET', c.path, res.statusCode, body).errors).to.deep.equal([]);
          if (c.code) expect(body.error.code).to.equal(c.code);
          if (c.header) expect(Object.fromEntries(Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]))[c.header[0]]).to.equal(c.header[1]);
        });
      }
    });
  }
});
