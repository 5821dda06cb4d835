/**
 * `npm run create-token -- --rotate <email> --grace <s>` against a running stack while a client keeps calling the
 * cards routes: the client switches to the new token when the script prints it and is never refused; the old
 * token keeps working through the grace period and is refused after it; a token already expiring sooner keeps its
 * own expiry, and other users' tokens are untouched.
 */
import { expect } from 'chai';
import type { Stack } from '../../emulators/stack/index.ts';
import { ApiTokenStore } from '../../proxy/routes/cards/api-tokens.ts';
import { cardsAwsClients } from '../../proxy/routes/cards/aws.ts';
import { subjectRef } from '../../proxy/core/audit.ts';
import { testStack } from '../helpers/stack.ts';
import { eventually, expectNoRefusal, steadyLoad } from '../helpers/steady-load.ts';
import { auditLines, runScript } from '../helpers/run-script.ts';

describe('create-token --rotate', function () {
  this.timeout(90_000);
  let stack: Stack;
  let store: ApiTokenStore;
  before(async () => {
    stack = await testStack();
    store = new ApiTokenStore(cardsAwsClients(stack.proxyEnv).ddb, 'gatehouse-api-tokens');
  });
  after(() => stack?.close());

  const cards = (token: string) => fetch(`${stack.urls.gateway}/cards`, { headers: { token } });
  const awsEnv = () => ({ AWS_ENDPOINT_URL: stack.proxyEnv.AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' });

  it('issues a new token and expires the old ones after the grace period, with no refused request', async () => {
    const old = (await store.create('ada@example.com', Date.now())).token;
    const other = (await store.create('grace@example.com', Date.now())).token;
    let current = old;
    const load = steadyLoad([{ name: 'cards', send: () => cards(current), pauseMs: 10 }]);
    await eventually(() => load.count() > 5);

    const run = await runScript('scripts/create-token.ts', ['--rotate', 'ada@example.com', '--grace', '5'], awsEnv());
    expect(run.code, run.stderr).to.equal(0);
    const rotated = run.stdout.trim();
    expect(rotated).to.match(/^[\w-]{40,}$/);
    expect((await cards(old)).status, 'the old token works during the grace period').to.equal(200);
    current = rotated;
    const switched = load.count();
    await eventually(() => load.count() > switched + 10);
    const result = await load.stop();
    expectNoRefusal(result);

    // After the grace period the old token is refused; the new one and another user's token are not.
    expect(await eventually(async () => (await cards(old)).status === 401, 15_000, 250)).to.equal(true);
    expect((await cards(rotated)).status).to.equal(200);
    expect((await cards(other)).status).to.equal(200);

    const lines = auditLines(run.stderr);
    expect(lines.map((l) => `${l.action} ${l.outcome}`)).to.deep.equal(['api_token.create success', 'api_token.revoke success']);
    for (const l of lines) expect(l.resource).to.equal(`customer:${subjectRef('ada@example.com')}`);
    expect(lines[1].details).to.include({ rotation: true, graceSeconds: 5 });
    expect(run.stderr).not.to.include(rotated);
    expect(run.stderr + run.stdout).not.to.include(old);
  });

  it('keeps an earlier expiry, and a second rotation changes only the token the first one issued', async () => {
    const now = Date.now();
    const sooner = await store.create('linus@example.com', now, 10);
    const later = await store.create('linus@example.com', now, 7200);
    const forever = await store.create('linus@example.com', now);
    const { item, expiring } = await store.rotate('linus@example.com', now, { graceSeconds: 60 });
    const at = Math.floor(now / 1000);
    // Only what changed is reported: the token that already expires within the grace keeps its own expiry.
    expect(Object.fromEntries(expiring.map((e) => [e.tokenHash, e.expiresAt - at]))).to.deep.equal({ [later.item.tokenHash]: 60, [forever.item.tokenHash]: 60 });
    expect(await store.emailFor(sooner.token, now + 9_000)).to.equal('linus@example.com');
    expect(await store.emailFor(sooner.token, now + 11_000)).to.equal(undefined);
    expect(await store.emailFor(forever.token, now + 59_000)).to.equal('linus@example.com');
    expect(await store.emailFor(forever.token, now + 61_000)).to.equal(undefined);
    expect(expiring.map((e) => e.tokenHash)).not.to.include(item.tokenHash);
    // A second rotation finds the first one's token live; the others already expire sooner than its grace.
    const again = await store.rotate('linus@example.com', now + 1000, { graceSeconds: 600 });
    expect(Object.fromEntries(again.expiring.map((e) => [e.tokenHash, e.expiresAt - at]))).to.deep.equal({ [item.tokenHash]: 601 });
  });

  it('refuses --grace without --rotate', async () => {
    const run = await runScript('scripts/create-token.ts', ['ada@example.com', '--grace', '5'], awsEnv());
    expect(run.code).to.equal(2);
    expect(run.stderr).to.include('--grace only applies with --rotate');
  });
});
