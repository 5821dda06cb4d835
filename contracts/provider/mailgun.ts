/**
 * Provider verification of the proxy's Mailgun pact against our fake Mailgun, so the fake cannot drift from what
 * the mail function relies on. The pact's key is fake: the request filter swaps in the fake account's `api:<key>`
 * (fixtures/mailgun/seed.json) unless a state wants the key refused. pact-js's verifier proxy parses a form body and
 * forwards it re-serialised as JSON under the form's content type (pact-foundation/pact-js#884), so the filter
 * also puts the form back (verify.ts's `rewrite`).
 */
import type { IncomingMessage } from 'node:http';
import { DEFAULT_SEED_FILE, loadSeed, startMailgun } from '../../emulators/mailgun/index.ts';
import { MAILGUN_DOMAIN } from '../consumer/mailgun/index.ts';
import { SEND_VARIABLE } from '../../proxy/routes/mail/idempotent-send.ts';
import { MAILGUN_STATES as S } from '../consumer/mailgun/states.ts';
import { PARTICIPANTS } from '../support/pact-env.ts';
import { adminReset } from './fakes.ts';
import { verifyProvider, type StateHandlers } from './verify.ts';

export async function verifyFakeMailgun(pactFile: string): Promise<string> {
  const seed = loadSeed(DEFAULT_SEED_FILE);
  const fake = await startMailgun({ port: 0 });
  const base = fake.url;
  let refuseKey = false;
  const stateHandlers: StateHandlers = {
    [S.acceptsKey]: async () => { refuseKey = false; return undefined; },
    [S.refusesKey]: async () => { refuseKey = true; return undefined; },
    // Sent through the fake's own API, as the proxy's send would be: its accepted event carries the variable.
    [S.acceptedWithVariable]: async () => {
      const form = new URLSearchParams({ from: 'reports@mg.gatehouse.local', to: 'ada@example.com', subject: 'state', text: 'state', [`v:${SEND_VARIABLE}`]: `${'a'.repeat(32)}.1754049600000.0` });
      const res = await fetch(`${base}/v3/${MAILGUN_DOMAIN}/messages`, { method: 'POST', body: form, headers: { authorization: 'Basic ' + Buffer.from(`api:${seed.apiKey}`).toString('base64') } });
      if (res.status !== 200) throw new Error(`the fake Mailgun refused the state's message: ${res.status} ${await res.text()}`);
      return undefined;
    },
    [S.domainExists]: async () => {
      if (!seed.domains.some((d) => d.name === MAILGUN_DOMAIN)) throw new Error(`fixtures/mailgun/seed.json must contain the domain ${MAILGUN_DOMAIN}`);
      return undefined;
    },
  };
  try {
    return await verifyProvider({
      provider: PARTICIPANTS.mailgun,
      providerBaseUrl: base,
      pactFiles: [pactFile],
      stateHandlers,
      beforeEach: async () => { refuseKey = false; await adminReset(base); },
      // Mailgun: HTTP Basic with user "api" and the account's private key (documentation.mailgun.com "Authentication").
      swapCredentials: (h) => {
        if (!refuseKey && h.authorization) h.authorization = 'Basic ' + Buffer.from(`api:${seed.apiKey}`).toString('base64');
      },
      rewrite: restoreForm,
    });
  } finally {
    await fake.close();
  }
}

/** The parsed form (body-parser's urlencoded object) encoded again, with a Content-Length that fits it. */
function restoreForm(req: IncomingMessage & { body?: unknown }): void {
  if (!/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) return;
  if (!req.body || typeof req.body !== 'object' || Buffer.isBuffer(req.body)) return;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(req.body as Record<string, unknown>)) for (const one of [value].flat()) form.append(name, String(one));
  const bytes = Buffer.from(form.toString());
  req.body = bytes;
  req.headers['content-length'] = String(bytes.length);
}
