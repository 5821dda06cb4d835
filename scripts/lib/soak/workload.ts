/**
 * The soak's two operations, through the gateway as their real clients send them: a signed-in user's Customer.io
 * event (half with an Idempotency-Key, half identified by their timestamp alone — the two retry-safe ways the
 * README names), and a CRM campaign through /send-mail with an Idempotency-Key. Each logical operation has a
 * unique name or subject, by which the check finds it at the fakes.
 */
import { exchange, withRetries, type Answer, type RetryPolicy } from './clients.ts';

export interface Operation {
  kind: 'event' | 'mail';
  /** The event's name or the campaign's subject: unique per operation. */
  id: string;
  answers: Answer[];
  acked: boolean;
  /** For an acknowledged campaign: the Mailgun ids it was answered with. */
  messages?: string[];
}

export interface Target {
  gateway: string;
  tokens: Record<string, string>;
  crmApiKey: string;
  mailFrom: string;
}

/** Signed-in users whose events the fake Customer.io stores (its seed suppresses linus, whose events it drops, as Customer.io does). */
export const EVENT_USERS = ['ada@example.com', 'grace@example.com', 'margaret@example.com'];
const RECIPIENTS = ['ada@example.com', 'grace@example.com', 'linus@example.com', 'margaret@example.com', 'alan@example.com'];

const pick = <T>(rnd: () => number, list: T[]) => list[Math.floor(rnd() * list.length)];
const keyFrom = (rnd: () => number) => Array.from({ length: 4 }, () => Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0')).join('-');

export async function customerEvent(t: Target, rnd: () => number, n: number, seed: number, p: RetryPolicy): Promise<Operation> {
  const user = pick(rnd, EVENT_USERS);
  const name = `soak_${seed}_${n}`;
  const keyed = rnd() < 0.5;
  const key = keyFrom(rnd);
  const body = JSON.stringify({ name, timestamp: 1_750_000_000 + n, data: { n, keyed } });
  const headers: Record<string, string> = { authorization: `Bearer ${t.tokens[user]}`, 'content-type': 'application/json', ...(keyed ? { 'idempotency-key': key } : {}) };
  const answers = await withRetries(() => exchange(`${t.gateway}/customers/${encodeURIComponent(user)}/events`, { method: 'POST', headers, body }), p);
  return { kind: 'event', id: name, answers, acked: answers[answers.length - 1].status === 200 };
}

export async function campaign(t: Target, rnd: () => number, n: number, seed: number, p: RetryPolicy): Promise<Operation> {
  const to = RECIPIENTS.filter(() => rnd() < 0.5);
  if (to.length === 0) to.push(pick(rnd, RECIPIENTS));
  const subject = `soak ${seed} ${n}`;
  const body = JSON.stringify({ to, subject, html: `<p>${subject}</p>`, text: subject, from: t.mailFrom, campaign: { name: `soak-${seed}`, type: 'newsletter' } });
  const headers = { 'x-api-key': t.crmApiKey, 'content-type': 'application/json', 'idempotency-key': keyFrom(rnd) };
  const answers = await withRetries(() => exchange(`${t.gateway}/send-mail`, { method: 'POST', headers, body }), p);
  const last = answers[answers.length - 1];
  const acked = last.status === 200;
  return { kind: 'mail', id: subject, answers, acked, messages: acked ? (last.body.messages as { id: string }[]).map((m) => m.id) : undefined };
}
