/** Customer.io webhook signature verification: wire format, raw bytes, key set, age and replay. */
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { signCustomerioWebhook, verifyCustomerioWebhook } from '../../proxy/auth/customerio-webhook.ts';
import { memoryReplayCache } from '../../proxy/auth/mailgun-webhook.ts';

const KEY = 'current-signing-key';
const NOW = Date.parse('2025-08-01T12:00:00Z');
const TS = Math.floor(NOW / 1000);
const BODY = Buffer.from('{ "event_id" : "01E4C4CT6YDC7Y5M7FE1GWWPQJ", "metric": "opened" }');

const headers = (body: Buffer | string = BODY, ts: number = TS, key = KEY) => ({ 'x-cio-timestamp': String(ts), 'x-cio-signature': signCustomerioWebhook(key, ts, body) });
const check = (keys = [KEY], replays = memoryReplayCache()) => ({ keys, now: NOW, maxAgeSeconds: 300, replays });

describe('Customer.io webhook signatures', () => {
  it('is the hex HMAC-SHA256 of v0:<timestamp>:<raw body> under the signing key (Customer.io docs)', () => {
    const expected = createHmac('sha256', KEY).update(`v0:${TS}:${BODY.toString()}`).digest('hex');
    expect(signCustomerioWebhook(KEY, TS, BODY)).to.equal(expected);
    expect(verifyCustomerioWebhook(headers(), BODY, check())).to.deep.equal({ ok: true, signature: expected, timestamp: TS });
  });

  it('verifies the bytes as sent: the same JSON re-serialised does not verify', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString())));
    expect(verifyCustomerioWebhook(headers(BODY), reserialised, check())).to.include({ ok: false, reason: 'bad_signature' });
  });

  it('accepts any key of the set (rotation overlap) and refuses a key outside it', () => {
    expect(verifyCustomerioWebhook(headers(BODY, TS, 'previous-key'), BODY, check([KEY, 'previous-key']))).to.include({ ok: true });
    expect(verifyCustomerioWebhook(headers(BODY, TS, 'previous-key'), BODY, check([KEY]))).to.include({ reason: 'bad_signature' });
    expect(verifyCustomerioWebhook(headers(), BODY, check([]))).to.include({ reason: 'bad_signature' });
  });

  it('refuses a timestamp more than the allowed age away, either way, but only once the signature verifies', () => {
    expect(verifyCustomerioWebhook(headers(BODY, TS - 301), BODY, check())).to.include({ reason: 'stale' });
    expect(verifyCustomerioWebhook(headers(BODY, TS + 301), BODY, check())).to.include({ reason: 'stale' });
    expect(verifyCustomerioWebhook(headers(BODY, TS - 300), BODY, check())).to.include({ ok: true });
    const forgedAndOld = { ...headers(BODY, TS - 3600), 'x-cio-signature': 'a'.repeat(64) };
    expect(verifyCustomerioWebhook(forgedAndOld, BODY, check())).to.include({ reason: 'bad_signature' });
  });

  it('refuses a signature it has already accepted (once remembered)', () => {
    const replays = memoryReplayCache();
    const v = verifyCustomerioWebhook(headers(), BODY, check([KEY], replays));
    expect(v.ok).to.equal(true);
    replays.remember((v as { signature: string }).signature, TS + 300);
    expect(verifyCustomerioWebhook(headers(), BODY, check([KEY], replays))).to.include({ reason: 'replayed' });
  });

  it('refuses missing or malformed headers as malformed', () => {
    for (const h of [{}, { 'x-cio-timestamp': 'yesterday', 'x-cio-signature': 'a'.repeat(64) }, { 'x-cio-timestamp': String(TS), 'x-cio-signature': 'v0=abc' }, { 'x-cio-timestamp': String(TS) }] as Record<string, string>[]) {
      expect(verifyCustomerioWebhook(h, BODY, check())).to.include({ ok: false, reason: 'malformed' });
    }
  });
});
