/**
 * Reporting-webhook events as the fake Customer.io builds them from what happens in its workspace (no HTTP here;
 * webhooks.ts sends them). Shape from the Reporting Webhooks reference: one JSON object per POST,
 * {"event_id","object_type","metric","timestamp","data":{…}}; `data` names the person (`customer_id`, and
 * `identifiers` {id, email, cio_id}), the message (`delivery_id`, `transactional_message_id` or `broadcast_id`,
 * `recipient` for email) and, per metric, `href`/`link_id` (clicked) or `failure_message` (bounced, dropped, failed).
 * A customer event (object_type "customer": subscribed, unsubscribed) carries the person only, with `email_address`.
 */
import { monotonicFactory } from 'ulid';
import { identifiersOf } from './render.ts';
import { matches, parseFilter } from './audience.ts';
import type { Attributes, Delivery, Person, Recipients, Segment } from './types.ts';

export interface ReportingWebhook {
  event_id: string;
  object_type: string;
  metric: string;
  timestamp: number;
  data: Record<string, unknown>;
}

/** Something the workspace reports: a metric of a delivery, or a change of a person's subscription. */
export type ReportingFact =
  | { kind: 'delivery'; delivery: Delivery; person?: Person; metric: string; detail?: { reason?: string; href?: string } }
  | { kind: 'customer'; person: Person; metric: 'subscribed' | 'unsubscribed' };

/** Metrics a delivery can report (Reporting Webhooks reference, email/push/SMS events). */
export const DELIVERY_METRICS = ['sent', 'delivered', 'opened', 'clicked', 'converted', 'bounced', 'spammed', 'dropped', 'failed', 'unsubscribed', 'deferred', 'undeliverable'] as const;

const FAILURES = new Set(['bounced', 'dropped', 'failed', 'undeliverable', 'deferred']);

// event_ids are ULIDs in Customer.io's examples ("01E4C4CT6YDC7Y5M7FE1GWWPQJ").
const nextEventId = monotonicFactory();

export function toWebhook(fact: ReportingFact, at: number): ReportingWebhook {
  if (fact.kind === 'customer') {
    const ids = identifiersOf(fact.person);
    return { event_id: nextEventId(), object_type: 'customer', metric: fact.metric, timestamp: at,
      data: { customer_id: ids.id ?? '', email_address: ids.email ?? '', identifiers: ids } };
  }
  const d = fact.delivery;
  const ids = fact.person ? identifiersOf(fact.person) : { id: null, email: null, cio_id: d.cioId };
  const data: Record<string, unknown> = { customer_id: ids.id ?? '', identifiers: ids, delivery_id: d.deliveryId };
  if (d.transactionalMessageId !== undefined) data.transactional_message_id = Number(d.transactionalMessageId);
  if (d.broadcastId !== undefined) data.broadcast_id = d.broadcastId;
  if (d.type === 'email' && typeof d.to === 'string') data.recipient = d.to;
  if (typeof d.message.subject === 'string') data.subject = d.message.subject;
  if (fact.metric === 'clicked' && fact.detail?.href) data.href = fact.detail.href;
  if (FAILURES.has(fact.metric)) data.failure_message = fact.detail?.reason ?? (d.suppressed ? 'the person is suppressed' : 'delivery failed');
  return { event_id: nextEventId(), object_type: d.type, metric: fact.metric, timestamp: at, data };
}

/**
 * Who a broadcast trigger reaches, in the fake: named ids, emails or per-user data that find a person; the people a
 * `recipients` filter selects (segments and attributes, audience.ts); for the default audience everyone not deleted. A data file URL is not
 * fetched, so it reaches no one here. Suppressed people are never reached.
 */
export function broadcastAudience(recipients: Recipients, people: { find(id: string, kind: 'id' | 'email'): Person | undefined; all(): Person[] }, segments: Segment[] = []): Person[] {
  const named = (ids: (string | undefined)[], kind: 'id' | 'email') => ids.map((v) => (v ? people.find(v, kind) : undefined));
  let found: (Person | undefined)[];
  switch (recipients.kind) {
    case 'ids': found = named(recipients.ids, 'id'); break;
    case 'emails': found = named(recipients.emails, 'email'); break;
    case 'per_user_data': found = recipients.per_user_data.map((u: Attributes) => (typeof u.id === 'string' ? people.find(u.id, 'id') : typeof u.email === 'string' ? people.find(u.email, 'email') : undefined)); break;
    case 'data_file_url': found = []; break;
    // A `recipients` filter picks its audience as an export's filters do (audience.ts).
    case 'segment': found = people.all().filter((p) => matches(p, parseFilter(recipients.recipients, 'recipients'), segments)); break;
    default: found = people.all();
  }
  return [...new Set(found.filter((p): p is Person => !!p && !p.deleted && !p.suppressed))];
}
