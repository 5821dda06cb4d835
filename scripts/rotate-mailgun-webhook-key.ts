/**
 * `npm run rotate:mailgun-webhook-key -- [--propagation-seconds <s>] [--overlap-seconds <s>]`: regenerates Mailgun's
 * HTTP webhook signing key (POST /v5/accounts/http_signing_key, with the MAILGUN_API_KEY the mail function's secret
 * holds) and moves the proxy to it with no refused webhook (steps in scripts/lib/rotate/webhook-key.ts). Mailgun is
 * MAILGUN_API_BASE_URL (default: the local stack's fake, http://127.0.0.1:4030); the secret is the mail function's
 * (SECRET_STORE; MAIL_VAULT_SECRET_PATH or MAIL_SECRET_ID). The overlap defaults to MAILGUN_WEBHOOK_MAX_AGE_SECONDS
 * (300) plus the propagation wait: after that a webhook signed with the old key is refused as stale anyway.
 */
import { createHttpClient } from '../proxy/core/http-client.ts';
import { mailSecretSpec } from '../proxy/routes/mail/config.ts';
import { secretLocation } from './lib/rotate/cli.ts';
import { webhookKeyCli } from './lib/rotate/webhook-key.ts';

const http = createHttpClient();

await webhookKeyCli({
  script: 'rotate-mailgun-webhook-key',
  usage: 'usage: npm run rotate:mailgun-webhook-key -- [--propagation-seconds <s>] [--overlap-seconds <s>]',
  keyName: 'MAILGUN_WEBHOOK_SIGNING_KEY',
  location: (env, store) => secretLocation(mailSecretSpec(env), store),
  maxAgeVariable: 'MAILGUN_WEBHOOK_MAX_AGE_SECONDS',
  async regenerate(doc, { env, remember }) {
    const mailgun = (env.MAILGUN_API_BASE_URL ?? 'http://127.0.0.1:4030').replace(/\/+$/, '');
    const apiKey = typeof doc.data.MAILGUN_API_KEY === 'string' ? doc.data.MAILGUN_API_KEY : env.MAILGUN_API_KEY;
    if (!apiKey) throw new Error('no MAILGUN_API_KEY in the mail secret or the environment');
    remember(apiKey);
    // Mailgun API reference, Account Management: "Create or regenerate HTTP webhook signing key".
    const res = await http.send({ upstream: 'mailgun', method: 'POST', url: `${mailgun}/v5/accounts/http_signing_key`, headers: { authorization: `Basic ${Buffer.from(`api:${apiKey}`).toString('base64')}` } });
    if (res.status !== 200) throw new Error(`Mailgun answered ${res.status} to regenerating the signing key`);
    const key = res.json<{ http_signing_key?: string }>().http_signing_key ?? '';
    remember(key);
    return key;
  },
  done: 'Mailgun signs webhooks with the new key; the proxy accepts only it',
});
