/**
 * What a capture cannot hold as recorded and replay makes again: webhook signatures (re-signed with the target's
 * key, or refused the way the capture shows), values an earlier answer handed out (the target's instead of the
 * recording's), and the guard that keeps `--reset` to a stack on this machine.
 */
import { expect } from 'chai';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { memoryReplayCache, verifyMailgunWebhook } from '../../proxy/auth/mailgun-webhook.ts';
import { Correlator } from '../../scripts/lib/replay/correlate.ts';
import { Redactor } from '../../scripts/lib/replay/redaction.ts';
import { isLoopback, resetRefusal } from '../../scripts/lib/replay/reset.ts';
import { loadCompareRules } from '../../scripts/lib/replay/rules.ts';
import { WebhookSigner } from '../../scripts/lib/replay/webhooks.ts';

const KEYS = { mailgun: 'mailgun-signing-key-for-tests', customerio: 'cio-signing-key-for-tests' };
const refused = (code: string, message = 'x') => ({ status: 406, body: JSON.stringify({ error: { code, message } }) });
const OK = { status: 200, body: '{"message":"Post received","stored":true}' };

describe('replay makes again what a capture cannot hold', () => {
  describe('Mailgun webhooks', () => {
    // As the capture holds it: the signature block masked, an event for a message.
    const recorded = { signature: { timestamp: '[REDACTED]', token: '[REDACTED]', signature: '[REDACTED]' }, 'event-data': { event: 'opened', recipient: 'a@example.com' } };
    const req = { path: '/webhooks/mailgun', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(recorded)) };
    const verify = (body: Buffer, replays = memoryReplayCache()) => verifyMailgunWebhook(JSON.parse(body.toString()), { signingKeys: [KEYS.mailgun], now: Date.now(), maxAgeSeconds: 300, replays });

    it('signs one the capture shows accepted afresh, with the target\'s key, keeping the event', () => {
      const out = new WebhookSigner(KEYS).sign(req, OK);
      expect(verify(out.body)).to.include({ ok: true });
      expect(JSON.parse(out.body.toString())['event-data']).to.deep.equal(recorded['event-data']);
    });

    it('repeats each refusal: another key, an old timestamp, the token of the one it sent last', () => {
      const signer = new WebhookSigner(KEYS);
      expect(verify(signer.sign(req, refused('webhook_bad_signature')).body)).to.include({ ok: false, reason: 'bad_signature' });
      expect(verify(signer.sign(req, refused('webhook_stale')).body)).to.include({ ok: false, reason: 'stale' });
      const replays = memoryReplayCache();
      const first = verify(signer.sign(req, OK).body, replays);
      expect(first.ok).to.equal(true);
      if (first.ok) replays.remember(first.token, Math.floor(Date.now() / 1000) + 300);
      expect(verify(signer.sign(req, refused('webhook_replayed')).body, replays)).to.include({ ok: false, reason: 'replayed' });
    });

    it('leaves a webhook whose signature itself was malformed as recorded, but signs one refused after its signature verified', () => {
      const signer = new WebhookSigner(KEYS);
      expect(signer.sign(req, refused('webhook_malformed', 'signature.signature is not a hex SHA-256 HMAC')).body).to.equal(req.body);
      expect(verify(signer.sign(req, refused('webhook_malformed', 'event-data is missing')).body)).to.include({ ok: true });
    });

    it('touches nothing else, and nothing without a key', () => {
      expect(new WebhookSigner(KEYS).sign({ ...req, path: '/send-mail' }, OK)).to.deep.equal({ ...req, path: '/send-mail' });
      expect(new WebhookSigner({}).sign(req, OK)).to.deep.equal(req);
    });
  });

  describe('Customer.io webhooks', () => {
    const body = Buffer.from('{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"delivered"}');
    const req = { path: '/webhooks/customerio', headers: { 'x-cio-timestamp': '1754049600', 'x-cio-signature': '[REDACTED]' }, body };
    const verify = (h: Record<string, string>) => verifyCustomerioWebhook(h, body, { keys: [KEYS.customerio], now: Date.now(), maxAgeSeconds: 300, replays: memoryReplayCache() });

    it('signs the exact bytes sent with a fresh timestamp, or repeats the refusal', () => {
      const signer = new WebhookSigner(KEYS);
      expect(verify(signer.sign(req, OK).headers)).to.include({ ok: true });
      expect(verify(signer.sign(req, { status: 401, body: '{"error":{"code":"webhook_bad_signature","message":"x"}}' }).headers)).to.include({ ok: false, reason: 'bad_signature' });
      expect(verify(signer.sign(req, { status: 401, body: '{"error":{"code":"webhook_stale","message":"x"}}' }).headers)).to.include({ ok: false, reason: 'stale' });
    });
  });

  describe('values an earlier answer handed out', () => {
    const redact = new Redactor();

    it('sends the target\'s message id where the capture has the recorded one: bracketed, bare, percent-encoded', () => {
      const c = new Correlator(redact);
      // The capture holds the id redacted (it looks like an email); the target answered with a new one.
      c.learn(JSON.stringify({ messages: [{ id: '<user-19c4c4d3@redacted.invalid>' }] }), JSON.stringify({ messages: [{ id: '<20261202.abc@mg.gatehouse.local>' }] }));
      expect(c.apply('/send-mail/%3Cuser-19c4c4d3%40redacted.invalid%3E')).to.equal('/send-mail/%3C20261202.abc%40mg.gatehouse.local%3E');
      expect(c.apply('{"message":{"headers":{"message-id":"user-19c4c4d3@redacted.invalid"}}}')).to.equal('{"message":{"headers":{"message-id":"20261202.abc@mg.gatehouse.local"}}}');
    });

    it('swaps a presigned URL inside a query value, and learns nothing from values that only the redaction changed', () => {
      const c = new Correlator(redact);
      const old = 'http://127.0.0.1:1111/bucket/O1/k.csv?X-Amz-Signature=aaaa';
      const fresh = 'http://127.0.0.1:2222/bucket/O1/k.csv?X-Amz-Signature=bbbb';
      c.learn(JSON.stringify({ url: old, who: redact.string('ada@example.com'), n: 'short' }), JSON.stringify({ url: fresh, who: 'ada@example.com', n: 'other' }));
      expect(c.size).to.equal(1);
      expect(c.apply(`/packages/proxy/s3?presigned_url=${encodeURIComponent(old)}`)).to.equal(`/packages/proxy/s3?presigned_url=${encodeURIComponent(fresh)}`);
    });
  });

  describe('--reset is for a stack on this machine', () => {
    it('knows loopback from everything else', () => {
      for (const u of ['http://127.0.0.1:3000', 'http://localhost:8080', 'http://127.1.2.3', 'http://[::1]:3000', 'http://app.localhost']) expect(isLoopback(u), u).to.equal(true);
      for (const u of ['https://api.example.com', 'http://10.0.0.5:3000', 'http://0.0.0.0:3000', 'http://192.168.1.2', 'not a url']) expect(isLoopback(u), u).to.equal(false);
    });

    it('refuses a remote target or admin unless forced, naming which', () => {
      expect(resetRefusal({ target: 'http://127.0.0.1:8080', admin: 'http://127.0.0.1:3000' }, false)).to.equal(undefined);
      expect(resetRefusal({ target: 'https://staging.example.com', admin: 'http://127.0.0.1:3000' }, false)).to.include('--target https://staging.example.com');
      expect(resetRefusal({ target: 'https://staging.example.com', admin: 'https://admin.staging.example.com' }, true)).to.equal(undefined);
    });
  });

  it('a replay rule may wait only for a read (asking again must change nothing)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rules-')), 'rules.json');
    writeFileSync(file, JSON.stringify({ headers: [], volatileKeys: [], volatileValues: [], routes: [{ match: 'POST /send-mail', eventually: 1000 }] }));
    expect(() => loadCompareRules(file)).to.throw('eventually is for GET and HEAD only');
  });
});
