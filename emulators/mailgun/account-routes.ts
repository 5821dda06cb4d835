/**
 * The account's HTTP webhook signing key (Mailgun API reference, Account Management:
 * GET and POST /v5/accounts/http_signing_key; mailgun.js `accountManagement.getWebhookSigningKey()` and
 * `createWebhookSigningKey()`, whose documented answers these are). A POST regenerates the key and Mailgun signs
 * with the new one at once — the old key stops being used, so a receiver must accept both while it catches up.
 */
import type { Express } from 'express';
import type { MailgunState } from './state.ts';
import { handle, requireApiKey } from './wire.ts';

export function accountRoutes(app: Express, state: MailgunState): void {
  app.use('/v5/accounts', requireApiKey(state));
  app.get('/v5/accounts/http_signing_key', handle(() => ({ body: { http_signing_key: state.webhookSigningKey() } })));
  app.post('/v5/accounts/http_signing_key', handle(() => {
    const key = state.regenerateWebhookSigningKey();
    return { body: { message: 'regenerated HTTP signing key for account', http_signing_key: key } };
  }));
}
