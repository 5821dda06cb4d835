/**
 * Webhooks in a capture cannot be sent again as recorded: their signature is redacted (Mailgun's whole `signature`
 * block is a body field the rules mask; Customer.io's `X-CIO-Signature` is an HMAC, masked as a header), it covers a
 * timestamp that is minutes old by the next run, and each token or signature is accepted once. Replay signs them
 * afresh, as the contracts' provider states do (contracts/provider/mail-states.ts, the Customer.io webhook states),
 * with the target's signing key — and, for a webhook the capture shows refused, so that it is refused the same way:
 *
 *   recorded answer                               sent
 *   2xx                                           a fresh timestamp (and token), signed with the key
 *   webhook_bad_signature                         a fresh timestamp, signed with a key that is not the target's
 *   webhook_stale                                 signed with the key, stamped an hour ago
 *   webhook_replayed                              the signature block (Customer.io: the request) this replay last sent
 *   webhook_malformed (of the signature itself)   as recorded (the masked values are as malformed as the originals)
 *
 * Signing schemes: Mailgun "Securing Webhooks" (hex HMAC-SHA256 of timestamp + token); Customer.io "Reporting
 * Webhooks" (hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`, proxy/auth/customerio-webhook.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { signCustomerioWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../proxy/auth/customerio-webhook.ts';

export interface WebhookKeys {
  /** The Mailgun domain's HTTP webhook signing key the target verifies with. */
  mailgun?: string;
  /** The Customer.io workspace's reporting-webhook signing key the target verifies with. */
  customerio?: string;
}

type Intent = 'valid' | 'forged' | 'stale' | 'replayed' | 'as-recorded';

/** A key no target holds: what a forged webhook is signed with. */
const NOT_THE_KEY = 'replay-forged-webhook-key-not-the-targets';
const STALE_SECONDS = 3600;

export interface OutgoingRequest { path: string; headers: Record<string, string>; body: Buffer }

/** How the capture says this webhook fared: its recorded status and error code. */
function intentOf(status: number, answer: string): Intent {
  if (status >= 200 && status < 300) return 'valid';
  let error: { code?: string; message?: string } | undefined;
  try { error = (JSON.parse(answer) as { error?: { code?: string; message?: string } }).error; } catch { return 'as-recorded'; }
  switch (error?.code) {
    case 'webhook_bad_signature': return 'forged';
    case 'webhook_stale': return 'stale';
    case 'webhook_replayed': return 'replayed';
    // Refused after the signature verified (Mailgun: no event-data): signed validly, so the same check refuses it.
    case 'webhook_malformed': return /signature|timestamp/i.test(error.message ?? '') ? 'as-recorded' : 'valid';
    default: return 'as-recorded';
  }
}

export class WebhookSigner {
  private lastMailgun?: Record<string, string>;
  private lastCustomerio?: OutgoingRequest;

  constructor(private readonly keys: WebhookKeys, private readonly now: () => number = Date.now) {}

  /** The request to send: re-signed when it is a webhook this signer knows and has a key for, else as it was. */
  sign(req: OutgoingRequest, recorded: { status: number; body: string }): OutgoingRequest {
    const path = req.path.split('?')[0];
    if (path.endsWith('/webhooks/mailgun') && this.keys.mailgun) return this.mailgun(req, intentOf(recorded.status, recorded.body), this.keys.mailgun);
    if (path.endsWith('/webhooks/customerio') && this.keys.customerio) return this.customerio(req, intentOf(recorded.status, recorded.body), this.keys.customerio);
    return req;
  }

  private mailgun(req: OutgoingRequest, intent: Intent, key: string): OutgoingRequest {
    if (intent === 'as-recorded') return req;
    let body: Record<string, unknown>;
    try { body = JSON.parse(req.body.toString('utf8')); } catch { return req; }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return req;
    let signature: Record<string, string>;
    if (intent === 'replayed' && this.lastMailgun) signature = this.lastMailgun;
    else {
      const timestamp = String(Math.floor(this.now() / 1000) - (intent === 'stale' ? STALE_SECONDS : 0));
      const token = randomBytes(25).toString('hex');
      signature = { timestamp, token, signature: createHmac('sha256', intent === 'forged' ? NOT_THE_KEY : key).update(timestamp + token).digest('hex') };
      if (intent === 'valid') this.lastMailgun = signature;
    }
    return { ...req, body: Buffer.from(JSON.stringify({ ...body, signature })) };
  }

  private customerio(req: OutgoingRequest, intent: Intent, key: string): OutgoingRequest {
    if (intent === 'as-recorded') return req;
    if (intent === 'replayed' && this.lastCustomerio) return { ...this.lastCustomerio, path: req.path };
    const timestamp = String(Math.floor(this.now() / 1000) - (intent === 'stale' ? STALE_SECONDS : 0));
    const headers = { ...req.headers, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signCustomerioWebhook(intent === 'forged' ? NOT_THE_KEY : key, timestamp, req.body) };
    const out = { ...req, headers };
    if (intent === 'valid') this.lastCustomerio = out;
    return out;
  }
}
