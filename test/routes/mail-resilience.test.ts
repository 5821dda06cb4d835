/**
 * Mailgun failures driven by the fake's fault injection, against a mail app built with a fake clock (waits
 * advance it; nothing sleeps): retries with backoff, Retry-After, the circuit breaker; and CloudFront key
 * rotation in Secrets Manager, picked up by the next cold start only.
 */
import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { SecretsManagerClient, GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Stack } from '../../emulators/stack/index.ts';
import { MESSAGES, campaignBody, mailSuite } from '../helpers/mail.ts';
import { admin, injectFault } from '../helpers/stack.ts';

const body = campaignBody;

describe('/send-mail when Mailgun struggles', function () {
  this.timeout(20_000);
  const suite = mailSuite();
  const { coldStart, mailgunCalls } = suite;
  let stack: Stack;
  before(() => { stack = suite.stack(); });

  beforeEach(async () => {
    await admin(stack.urls.mailgun, '/faults', { method: 'DELETE' });
    await admin(stack.urls.mailgun, '/journal', { method: 'DELETE' });
  });

  const fault = (spec: Record<string, unknown>) => injectFault(stack.urls.mailgun, { match: { path: MESSAGES }, ...spec });

  it('retries two 503s with 1 s and 2 s waits, then sends', async () => {
    const { clock, post } = await coldStart();
    await fault({ status: 503, count: 2 });
    const res = await post(body());
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(await mailgunCalls()).to.equal(3);
    expect(clock.slept).to.deep.equal([1000, 2000]);
  });

  it('honours Retry-After on a 429', async () => {
    const { clock, post } = await coldStart();
    await fault({ status: 429, retryAfter: 4 });
    expect((await post(body())).status).to.equal(200);
    expect(clock.slept).to.deep.equal([4000]);
  });

  it('retries a connection Mailgun refused (nothing can have been sent), then answers 502 upstream_unreachable', async () => {
    const { clock, post } = await coldStart({ MAILGUN_API_BASE_URL: 'http://127.0.0.1:1' });
    const res = await post(body());
    expect(res.status).to.equal(502);
    expect(res.body.error.code).to.equal('upstream_unreachable');
    expect(clock.slept).to.deep.equal([1000, 2000]);
  });

  it('gives up after 3 attempts with 502 upstream_error', async () => {
    const { post } = await coldStart();
    await fault({ status: 500, count: 5 });
    const res = await post(body());
    expect(res.status).to.equal(502);
    expect(res.body.error.code).to.equal('upstream_error');
    expect(await mailgunCalls()).to.equal(3);
  });

  it('does not retry Mailgun\'s 400', async () => {
    const { post } = await coldStart();
    await fault({ status: 400, body: { message: "'from' parameter is missing" } });
    const res = await post(body());
    expect(res.status).to.equal(400);
    expect(res.body.error.message).to.include("'from' parameter is missing");
    expect(await mailgunCalls()).to.equal(1);
  });

  it('opens the breaker after repeated failures, answers 503 + Retry-After without calling Mailgun, and half-opens after the cool-down', async () => {
    const { clock, post } = await coldStart({ MAILGUN_BREAKER_THRESHOLD: '3', MAILGUN_BREAKER_COOLDOWN_MS: '30000' });
    await fault({ status: 503, count: 100 });
    const first = await post(body());
    expect(first.status).to.equal(502);
    expect(await mailgunCalls()).to.equal(3);
    const open = await post(body());
    expect(open.status).to.equal(503);
    expect(open.body.error.code).to.equal('circuit_open');
    expect(Number(open.headers.get('retry-after'))).to.be.within(1, 30);
    expect(await mailgunCalls(), 'no call while open').to.equal(3);
    await admin(stack.urls.mailgun, '/faults', { method: 'DELETE' });
    clock.advance(30_000);
    const trial = await post(body());
    expect(trial.status, 'the half-open trial succeeds and closes the breaker').to.equal(200);
    expect((await post(body())).status).to.equal(200);
  });

  it('picks up a rotated CloudFront key (new AWSCURRENT) on the next cold start only', async () => {
    const sm = new SecretsManagerClient({ endpoint: stack.urls.aws, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const original = (await sm.send(new GetSecretValueCommand({ SecretId: 'cloudfront-private-key' }))).SecretString!;
    const warm = await coldStart();
    const reporting = body({ attachReporting: true, customIds: ['DN-1002'], month: '07', year: '2025' });
    const keyId = (res: { body: { links: { url: string }[] } }) => new URL(res.body.links[0].url).searchParams.get('Key-Pair-Id');
    const before = await warm.post(reporting);
    expect(keyId(before)).to.equal(JSON.parse(original).keyPairId);
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await sm.send(new PutSecretValueCommand({ SecretId: 'cloudfront-private-key', SecretString: JSON.stringify({ keyPairId: 'K2ROTATED00000', privateKey }) }));
    try {
      expect(keyId(await warm.post(reporting)), 'a warm container keeps its key').to.equal(JSON.parse(original).keyPairId);
      const cold = await coldStart();
      const after = await cold.post(reporting);
      expect(keyId(after)).to.equal('K2ROTATED00000');
      // The edge does not trust the new key pair yet: rotation must reach the key group before the secret.
      expect((await fetch(after.body.links[0].url)).status).to.equal(403);
      expect((await fetch(before.body.links[0].url)).status, 'links signed before the rotation stay valid').to.equal(200);
    } finally {
      await sm.send(new PutSecretValueCommand({ SecretId: 'cloudfront-private-key', SecretString: original }));
      sm.destroy();
    }
  });
});
