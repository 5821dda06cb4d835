/**
 * `/send-mail` sends a campaign once per idempotency key, across Lambda containers (Stripe's rules):
 *
 * - The key is the client's `Idempotency-Key`, or one derived from the whole request (recipients as a set,
 *   campaign, subject, content, reporting) — an identical send within `MAIL_DERIVED_KEY_WINDOW_SECONDS` is a
 *   retry. A key lives 24 h (a derived one for its window); its record is in DynamoDB.
 * - The first answer is stored under the key and returned to every retry (`Idempotent-Replayed: true`); the same
 *   key with another body is refused (422); a key whose first request is still running is refused (409).
 * - A Mailgun call whose outcome is unknown (timeout, connection lost after sending) is answered 504 "unknown",
 *   never "failed", and never re-sent blindly: every message carries a user variable naming its key and batch,
 *   and a retry settles the batch from Mailgun's events. Found: it was sent, the retry answers as the first would
 *   have. Not found: only once `MAIL_OUTCOME_SETTLE_SECONDS` have passed since the attempt (Mailgun may accept
 *   a request late and index its events late) is it taken as not sent and sent; until then 503
 *   `outcome_pending`. This trades a wait for the guarantee: a duplicate needs Mailgun to show an accepted
 *   message later than the settle window.
 * - Nothing sent and the attempt failed for sure (Mailgun's 4xx or 5xx, the breaker open): the key is forgotten,
 *   so the retry starts over. Some batches sent: they are kept, and the retry sends only the rest.
 */
import { ProxyError } from '../../core/errors.ts';
import { canonicalJson, digestOf, idempotencyKeyOf } from '../../core/idempotency.ts';
import type { Clock, ProxyResponse, RouteRequest } from '../../core/types.ts';
import type { MailServices } from './deps.ts';
import { OutcomeUnknown, bareMessageId, type OutgoingMail } from './mailgun.ts';
import type { SendMailRequest } from './schema.ts';
import { LostOwnership, storedAnswer, type SendRecord } from './send-records.ts';

/** The user variable every message carries: `<key hash>.<record created>.<batch>` (Mailgun: "v:" parameters). */
export const SEND_VARIABLE = 'gatehouse-send';
const KEY_TTL_SECONDS = 24 * 3600;
export const REPLAYED_HEADER = 'idempotent-replayed';

export interface SendKey {
  /** What the answer's Idempotency-Key header says: the client's key, or the derived one (a client may send it back). */
  header: string;
  /** The record's key: a hash of caller and key. */
  id: string;
  fingerprint: string;
  ttlSeconds: number;
}

/** A body whose recipients are a set: the same mail to the same people in another order is the same send. */
export const normalised = (body: SendMailRequest): SendMailRequest => ({ ...body, to: [...body.to].sort() });

export function sendKeyOf(req: RouteRequest, body: SendMailRequest, derivedWindowSeconds: number): SendKey {
  const fingerprint = digestOf(canonicalJson(body)).toString('hex');
  const given = idempotencyKeyOf(req);
  const header = given ?? `derived-${fingerprint.slice(0, 40)}`;
  const scope = req.identity?.email ?? '';
  const derived = header.startsWith('derived-');
  return { header, id: digestOf('send-mail', scope, header).toString('hex'), fingerprint, ttlSeconds: derived ? derivedWindowSeconds : KEY_TTL_SECONDS };
}

/** What the route does once it holds the key: the mail to send per batch, and the answer's other fields. */
export interface Campaign {
  mail: OutgoingMail;
  extra: Record<string, unknown>;
}

export async function sendOnce(o: { mail: MailServices; clock: Clock; key: SendKey; body: SendMailRequest; build: () => Promise<Campaign> }): Promise<ProxyResponse> {
  const { mail, clock, key } = o;
  const { records } = mail;
  const now = clock.now();
  const lease = leaseMs(mail);
  let rec = await records.create({ key: key.id, fingerprint: key.fingerprint, leaseUntil: now + lease, batchSize: mail.cfg.batchSize, createdAt: now, expiresAt: Math.floor(now / 1000) + key.ttlSeconds });
  if (!rec) {
    const existing = await records.get(key.id);
    if (!existing) throw inUse(1); // removed or expired between our two reads: the client's retry will create it
    if (existing.fingerprint !== key.fingerprint) {
      throw new ProxyError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request; use a new key for a new send');
    }
    const answer = existing.status === 'done' ? storedAnswer(existing) : undefined;
    if (answer) return { status: answer.status, headers: { [REPLAYED_HEADER]: 'true' }, body: answer.body };
    if (existing.leaseUntil > now) throw inUse(Math.ceil((existing.leaseUntil - now) / 1000));
    rec = await records.takeOver(existing, now + lease);
    if (!rec) throw inUse(1);
  }
  return run(o, rec);
}

async function run(o: Parameters<typeof sendOnce>[0], rec: SendRecord): Promise<ProxyResponse> {
  const { mail, clock } = o;
  const plan = batchesOf(o.body.to, rec.batchSize);
  try {
    const campaign = await o.build();
    for (let i = 0; i < plan.length; i++) {
      if (rec.sent[String(i)]) continue;
      if (rec.attemptBatch === i && rec.attemptAt !== undefined) {
        const settled = await settle(o, rec, i, plan[i]);
        if (settled === 'sent') continue;
        if (settled === 'pending') {
          await mail.records.release(rec);
          throw outcomePending(retryAfterSeconds(mail, rec.attemptAt, clock.now()));
        }
      }
      const at = clock.now();
      await mail.records.startAttempt(rec, i, at, at + leaseMs(mail));
      const variables = { ...campaign.mail.variables, [SEND_VARIABLE]: variableOf(rec, i) };
      try {
        const sent = await mail.mailgun.sendBatch({ ...campaign.mail, variables }, plan[i]);
        await accepted(o, rec, i, plan[i], sent.id);
      } catch (e) {
        if (!(e instanceof OutcomeUnknown)) throw e;
        // Mailgun (and the local fake) often shows the message at once; if not, the client must come back.
        const settled = await settle(o, rec, i, plan[i]);
        if (settled === 'sent') continue;
        await mail.records.release(rec);
        throw new ProxyError(504, e.code, `${e.message}. Retry with the same Idempotency-Key: the retry finds out whether it was sent and never sends it twice`,
          { ...e.details, idempotencyKey: o.key.header }, { 'retry-after': String(retryAfterSeconds(mail, at, clock.now())) });
      }
    }
    const answer = {
      status: 200,
      body: { message: 'Queued', messages: plan.map((r, i) => ({ id: rec.sent[String(i)], recipients: r.length })), ...campaign.extra },
    };
    await mail.records.complete(rec, answer);
    return answer;
  } catch (e) {
    throw await afterFailure(o, rec, e);
  }
}

/** Whether batch i of an earlier attempt reached Mailgun: 'sent' (recorded), 'not-sent' (safe to send) or 'pending'. */
async function settle(o: Parameters<typeof sendOnce>[0], rec: SendRecord, i: number, recipients: string[]): Promise<'sent' | 'not-sent' | 'pending'> {
  const { mail, clock } = o;
  const since = rec.attemptAt!;
  let id: string | undefined;
  let conclusive = true;
  try {
    id = await mail.mailgun.findAccepted({ recipient: recipients[0], sinceMs: since, variable: SEND_VARIABLE, value: variableOf(rec, i) });
  } catch {
    conclusive = false; // the events API failing tells us nothing
  }
  if (id) {
    await accepted(o, rec, i, recipients, id);
    return 'sent';
  }
  return conclusive && clock.now() >= since + mail.cfg.outcomeSettleSeconds * 1000 ? 'not-sent' : 'pending';
}

async function accepted(o: Parameters<typeof sendOnce>[0], rec: SendRecord, i: number, recipients: string[], id: string): Promise<void> {
  // Accepted as of the attempt's start: earlier than any event Mailgun can have sent back for it, so a webhook that
  // came first is never taken for older than "accepted" and overwritten.
  const at = Math.floor((rec.attemptAt ?? o.clock.now()) / 1000);
  await o.mail.records.recordSent(rec, i, id);
  await o.mail.deliveries.recordAccepted(bareMessageId(id), recipients, at);
}

/** The error to answer after a failure, with the record left so that a retry does the right thing. */
async function afterFailure(o: Parameters<typeof sendOnce>[0], rec: SendRecord, e: unknown): Promise<unknown> {
  if (e instanceof LostOwnership) return inUse(1);
  const sent = Object.values(rec.sent);
  const unknown = e instanceof ProxyError && (e.code === 'outcome_pending' || e.details?.outcome === 'unknown');
  if (unknown) return e; // already released, attempt kept for the retry to settle
  try {
    // The failed attempt (if any) is known not to have been accepted: a retry need not settle it.
    if (sent.length === 0) await o.mail.records.remove(rec);
    else await o.mail.records.release(rec, { clearAttempt: true });
  } catch (cleanup) {
    if (!(cleanup instanceof LostOwnership)) throw cleanup;
  }
  if (sent.length && e instanceof ProxyError) {
    return new ProxyError(e.status, e.code, `${e.message} (after ${sent.length} batch(es) were sent; retry with the same Idempotency-Key to send the rest)`, { ...e.details, sent }, e.headers);
  }
  return e;
}

const batchesOf = (to: string[], size: number): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < to.length; i += size) out.push(to.slice(i, i + size));
  return out;
};

const variableOf = (rec: SendRecord, i: number) => `${rec.key.slice(0, 32)}.${rec.createdAt}.${i}`;

/** How long a holder may work before another may take over: every retry of one batch, plus margin. */
const leaseMs = (mail: MailServices) => 3 * mail.cfg.upstreamTimeoutMs + 35_000;

/** When to look again: when the settle window ends, but at least every 30 s (events usually show in seconds). */
function retryAfterSeconds(mail: MailServices, attemptAt: number, now: number): number {
  const left = attemptAt + mail.cfg.outcomeSettleSeconds * 1000 - now;
  return Math.min(30, Math.max(1, Math.ceil(left / 1000)));
}

const inUse = (retryAfter: number) => new ProxyError(409, 'idempotency_key_in_use', 'a request with this Idempotency-Key is still being processed; retry after Retry-After to read its answer',
  undefined, { 'retry-after': String(Math.min(Math.max(retryAfter, 1), 30)) });

const outcomePending = (retryAfter: number) => new ProxyError(503, 'outcome_pending',
  'an earlier attempt with this Idempotency-Key may have reached Mailgun and its events do not show it yet; retry after Retry-After with the same key',
  { outcome: 'unknown' }, { 'retry-after': String(retryAfter) });
