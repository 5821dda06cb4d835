/**
 * Gatehouse → Mailgun: what the mail function's real sender (proxy/routes/mail/mailgun.ts) sends to
 * `POST /v3/{domain}/messages` — Basic `api:<key>` by shape, a form-encoded body with exactly the fields it builds
 * (one message, or a batch with recipient-variables and a reply-to) — and the message id it reads back; plus the
 * refusals it maps. Mailgun is the only upstream the mail function calls (webhooks come the other way).
 * Wire format: documentation.mailgun.com "Sending Messages" / "Batch Sending" and the fake's send-request.ts.
 */
import { MatchersV3 as M } from '@pact-foundation/pact';
import { CircuitBreaker } from '../../../proxy/core/breaker.ts';
import { createHttpClient } from '../../../proxy/core/http-client.ts';
import { silentLogger } from '../../../proxy/core/log.ts';
import { systemClock } from '../../../proxy/core/types.ts';
import type { MailConfig } from '../../../proxy/routes/mail/config.ts';
import { mailgunSender, type MailgunSender, type OutgoingMail } from '../../../proxy/routes/mail/mailgun.ts';
import { SEND_VARIABLE } from '../../../proxy/routes/mail/idempotent-send.ts';
import { PARTICIPANTS } from '../../support/pact-env.ts';
import { atLeast, type InteractionSpec } from '../interaction.ts';
import type { ConsumerPact } from '../suite.ts';
import { MAILGUN_STATES as S } from './states.ts';

type Spec = InteractionSpec<MailgunSender>;

export const MAILGUN_DOMAIN = 'mg.gatehouse.local';
/** Obviously fake: the pact records only the header's shape, `Basic base64("api:" + key)`. */
const FAKE_API_KEY = 'fake-mailgun-api-key-for-contracts';
// base64("api:…") always starts "YXBpO": the user name is pinned, the key is not.
const basicApiKey = () => M.regex('^Basic YXBpO[A-Za-z0-9+/]+=*$', 'Basic ' + Buffer.from(`api:${FAKE_API_KEY}`).toString('base64'));
const headers = { authorization: basicApiKey(), accept: 'application/json' };
const path = `/v3/${MAILGUN_DOMAIN}/messages`;

const EMAIL = '^[^@\\s<>]+@[^@\\s<>]+$';
const email = (example: string) => M.regex(EMAIL, example);
// The schema's mailbox: a bare address or "Display Name <address>" (proxy/routes/mail/schema.ts).
const mailbox = () => M.regex('^(?:[^<>]*<[^<>@\\s]+@[^<>@\\s]+>|[^<>@\\s]+@[^<>@\\s]+)$', 'Distro Nation <reports@example.com>');

/** `<key hash>.<record created, epoch ms>.<batch>`: the user variable /send-mail settles an unknown outcome by. */
const SEND_VARIABLE_VALUE = `${'a'.repeat(32)}.1754049600000.0`;
const sendVariable = () => M.regex('^[0-9a-f]{32}\\.\\d+\\.\\d+$', SEND_VARIABLE_VALUE);

/** The fields every send carries: bodies by type (they hold signed links, which change per send). */
const message = {
  from: mailbox(), subject: M.like('Your July statement'), html: M.like('<p>Hello!</p>'), text: M.like('Hello!'),
  'o:tag': M.like('july-payouts'), 'v:campaign': M.like('july-payouts'), 'v:campaign_type': M.regex('^(financial|newsletter)$', 'financial'),
  [`v:${SEND_VARIABLE}`]: sendVariable(),
};
// Mailgun's answer to a send (documentation "Sending Messages": {"id": "<…@domain>", "message": "Queued. Thank you."}).
const queued = { id: M.regex('^<[^<>@\\s]+@[^<>@\\s]+>$', `<20250801120000.1.FAKE0000@${MAILGUN_DOMAIN}>`) };

/** The mail the handler would build from the form's example. */
function mailOf(f: Record<string, string | string[]>): OutgoingMail {
  const one = (k: string) => f[k] as string;
  return {
    from: one('from'), to: ([] as string[]).concat(f.to), subject: one('subject'), html: one('html'), text: one('text'),
    replyTo: f['h:Reply-To'] as string | undefined, tag: one('o:tag'),
    variables: { campaign: one('v:campaign'), campaign_type: one('v:campaign_type'), [SEND_VARIABLE]: one(`v:${SEND_VARIABLE}`) },
  };
}

/** The sender's result, in the answer's shape: the one id the proxy reads from each batch. */
const sendOne = async (c: MailgunSender, f: Record<string, string | string[]>) => {
  const sent = await c.send(mailOf(f));
  return { id: sent[0].id };
};

const interactions: Spec[] = [
  { given: [S.acceptsKey, S.domainExists], uponReceiving: 'a message to one recipient with its campaign tag and variables', method: 'POST', path, headers,
    form: { ...message, to: email('ada@example.com') }, status: 200, responseBody: queued, call: sendOne },
  // Several recipients: one call with recipient-variables, so each sees only their own address ("Batch Sending").
  { given: [S.acceptsKey, S.domainExists], uponReceiving: 'a batch to several recipients with recipient-variables and a reply-to', method: 'POST', path, headers,
    form: {
      ...message, to: atLeast(2, [email('ada@example.com'), email('grace@example.com')]), 'h:Reply-To': email('support@example.com'),
      'recipient-variables': M.regex('^\\{.*\\}$', JSON.stringify({ 'ada@example.com': { email: 'ada@example.com' }, 'grace@example.com': { email: 'grace@example.com' } })),
    },
    status: 200, responseBody: queued, call: sendOne },
  // A refused key is our configuration's fault: upstream_auth_failed (502); Mailgun's body ("Forbidden") is not read.
  { given: [S.refusesKey, S.domainExists], uponReceiving: 'a message sent with a key Mailgun refuses', method: 'POST', path, headers,
    form: { ...message, to: email('ada@example.com') }, status: 401, errorCode: 'upstream_auth_failed', errorStatus: 502, call: sendOne },
  // An address Mailgun will not parse keeps its 400 and Mailgun's message (upstream_rejected).
  { given: [S.acceptsKey, S.domainExists], uponReceiving: 'a message to an address Mailgun does not accept', method: 'POST', path, headers,
    form: { ...message, to: 'not-an-address' }, status: 400, responseBody: { message: M.like('\'to\' parameter is not a valid address. please check documentation') },
    errorCode: 'upstream_rejected', call: sendOne },
];

// Settling an unknown outcome: accepted events of the batch's first recipient since the attempt, oldest first; the
// proxy reads each event's user variables and message id ("Events API", "Event Structure": accepted).
const eventsPath = `/v3/${MAILGUN_DOMAIN}/events`;
const acceptedSince = { event: 'accepted', recipient: email('ada@example.com'), begin: M.regex('^\\d+$', '1754049540'), ascending: 'yes', limit: '300' };
const lookup = (c: MailgunSender) => c.findAccepted({ recipient: 'ada@example.com', sinceMs: 1754049600000, variable: SEND_VARIABLE, value: SEND_VARIABLE_VALUE });
interactions.push(
  { given: [S.acceptsKey, S.domainExists, S.acceptedWithVariable], uponReceiving: 'a search for the accepted message a batch carried a user variable in', method: 'GET',
    path: eventsPath, query: acceptedSince, headers, status: 200,
    responseBody: {
      items: M.eachLike({ event: 'accepted', recipient: email('ada@example.com'), 'user-variables': { [SEND_VARIABLE]: M.like(SEND_VARIABLE_VALUE) },
        message: { headers: { 'message-id': M.regex('^[^<>@\\s]+@[^<>@\\s]+$', `20250801120000.1.FAKE0000@${MAILGUN_DOMAIN}`) } } }),
      paging: { next: M.like(`https://api.mailgun.net${eventsPath}/page-token`) },
    },
    call: lookup, expected: `<20250801120000.1.FAKE0000@${MAILGUN_DOMAIN}>` },
  { given: [S.acceptsKey, S.domainExists], uponReceiving: 'a search for an accepted message that Mailgun does not show', method: 'GET',
    path: eventsPath, query: acceptedSince, headers, status: 200,
    responseBody: { items: [], paging: { next: M.like(`https://api.mailgun.net${eventsPath}/page-token`) } },
    call: lookup, expected: undefined },
);

export const mailgunPact: ConsumerPact<MailgunSender> = {
  consumer: PARTICIPANTS.proxy,
  provider: PARTICIPANTS.mailgun,
  interactions,
  clientFor: (mock) => senderFor(mock.url),
};

function senderFor(base: string): MailgunSender {
  const cfg: MailConfig = {
    mailgunBaseUrl: base, mailgunDomain: MAILGUN_DOMAIN, mailgunApiKey: FAKE_API_KEY, batchSize: 1000, upstreamTimeoutMs: 5000,
    breakerFailureThreshold: 5, breakerCoolDownMs: 30_000,
    // Unused by the sender; present because MailConfig is one record.
    webhookSigningKey: 'unused', piiSalt: 'unused', signatureMaxSkewSeconds: 300, webhookMaxAgeSeconds: 300, webhookKeyRecheckMs: 0, reportsBucket: 'unused',
    reportsPrefix: 'reports/', corsAllowedOrigins: [], cloudfrontBaseUrl: 'https://unused.invalid', cloudfrontKeySecretId: 'unused', linkTtlDays: 25, deliveriesTable: 'unused',
    idempotencyTable: 'unused', outcomeSettleSeconds: 1800, derivedKeyWindowSeconds: 3600,
  };
  const breaker = new CircuitBreaker({ name: 'mailgun', failureThreshold: cfg.breakerFailureThreshold, coolDownMs: cfg.breakerCoolDownMs, clock: systemClock });
  // One attempt: the interactions pin single answers; retries are the retry policy's business, tested with it.
  return mailgunSender({ cfg, http: createHttpClient(), clock: systemClock, breaker, log: silentLogger(), retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
}

