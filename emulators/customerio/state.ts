/**
 * The fake Customer.io workspace: one model behind both the Track API (writes) and the App API (sends and reads).
 * Inputs arrive already validated (see validate.ts); nothing here knows about HTTP.
 */
import crypto from 'node:crypto';
import { ActivityLog, type ActivityFilter } from './activities.ts';
import { eraseHistory } from './erasure.ts';
import { broadcastAudience, type ReportingFact } from './reporting.ts';
import { ExportStore } from './exports.ts';
import { badRequest, notFound } from './errors.ts';
import { mergePeople } from './merge.ts';
import { People, type AttributeChange } from './people.ts';
import type { Seed } from './seed.ts';
import { ApiCredentials } from './api-keys.ts';
import type { Activity, Attributes, BroadcastTrigger, Delivery, DeliveryType, Device, EventType, IdentifierKind, Metric, Person, Recipients, Segment, TrackedEvent, Workspace } from './types.ts';

export interface NewEvent {
  name: string;
  type: EventType;
  data: Attributes;
  timestamp?: number;
  dedupeId?: string;
  anonymousId?: string;
}

export type NewMetric = Omit<Metric, 'timestamp'> & { timestamp?: number };

export interface Identifiers {
  kind: IdentifierKind;
  value: string;
}

export interface NewSend {
  type: DeliveryType;
  identifiers: Identifiers;
  transactionalMessageId?: string | number;
  /** email: the address; push: "all" (default), "last_used" or one device token. */
  to?: string;
  message: Attributes;
}

export type EventOutcome = 'recorded' | 'duplicate' | 'suppressed';

/** Anonymous events merge into a person only if they are this recent (Track API docs: 30 days). */
const MERGE_WINDOW_S = 30 * 86_400;

export class CustomerioState {
  readonly people: People;
  /** Tracking and App API keys: the seed's, plus any an admin created (rotation), minus any deleted. */
  readonly credentials: ApiCredentials;
  /** App API exports: files built from this workspace (exports.ts, export-routes.ts). */
  readonly exports: ExportStore;
  private events: TrackedEvent[] = [];
  private dedupeIds = new Set<string>();
  private readonly activities: ActivityLog;
  private metrics: Metric[] = [];
  private deliveries: Delivery[] = [];
  private triggers: BroadcastTrigger[] = [];
  /** Manual segments (seeded; Track API add_customers/remove_customers change their members). */
  private segmentList: Segment[] = [];
  private seq = 0;
  /** Who hears what the workspace reports (the reporting-webhook sender). */
  private readonly observers = new Set<(fact: ReportingFact) => void>();

  constructor(
    private readonly seed: Seed,
    readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.people = new People(now);
    this.exports = new ExportStore(now);
    this.activities = new ActivityLog(now);
    this.credentials = new ApiCredentials(seed.workspace);
    this.reset();
  }

  get workspace(): Workspace {
    return this.seed.workspace;
  }

  reset(): void {
    this.credentials.reset();
    this.people.load(this.seed.people);
    this.events = [];
    this.dedupeIds.clear();
    this.activities.clear();
    this.metrics = [];
    this.deliveries = [];
    this.triggers = [];
    this.seq = 0;
    this.exports.clear();
    this.segmentList = this.seed.segments.map((g) => ({ ...g, members: [...g.members] }));
  }

  /** Observe reporting facts (deliveries' metrics, subscription changes); returns the unsubscribe function. */
  observe(fn: (fact: ReportingFact) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /** Report a metric of a delivery, as an ESP or a device would (admin: bounces, complaints, opens). */
  reportDelivery(deliveryId: string, metric: string, detail?: { reason?: string; href?: string }): Delivery {
    const delivery = this.deliveries.find((d) => d.deliveryId === deliveryId);
    if (!delivery) throw notFound(`delivery ${deliveryId} not found`);
    this.activities.add(delivery.cioId, `${metric}_${delivery.type}`, { data: {}, delivery });
    this.notify({ kind: 'delivery', delivery, metric, detail });
    return delivery;
  }

  identify(identifier: string, attrs: Attributes): Person | undefined {
    const result = this.people.identify(identifier, attrs);
    if (!result) return undefined;
    this.recordChanges(result.person, result.changes);
    // Setting `unsubscribed` is what Customer.io reports as customer_subscribed / customer_unsubscribed.
    const sub = result.changes.find((c) => c.name === 'unsubscribed');
    if (sub) this.notify({ kind: 'customer', person: result.person, metric: sub.to === true || sub.to === 'true' ? 'unsubscribed' : 'subscribed' });
    if (typeof attrs.anonymous_id === 'string') this.mergeAnonymous(result.person, attrs.anonymous_id);
    return result.person;
  }

  /** Delete: profile, devices, events, activity and message contents are forgotten (see erasure.ts). */
  deletePerson(identifier: string): void {
    const person = this.people.find(identifier);
    if (!person) return;
    this.people.remove(person);
    this.people.forgetIdentifiers(person);
    this.forget(person.cioId);
  }

  /** Track API merge_customers; a no-op unless both people exist (merge.ts). */
  mergeCustomers(primary: Identifiers, secondary: Identifiers): void {
    const keep = this.people.find(primary.value, primary.kind);
    const gone = this.people.find(secondary.value, secondary.kind);
    if (!keep || !gone) return;
    mergePeople(keep, gone, { people: this.people, events: this.events, deliveries: this.deliveries, activities: this.activities, now: this.now() });
  }

  /** Suppressing someone unknown still blocks the identifier: keep a deleted, suppressed record of it. */
  suppress(identifier: string): void {
    if (this.people.isSuppressed(identifier)) return;
    const person = this.people.ensure(identifier);
    if (!person) return;
    this.people.suppress(person);
    this.forget(person.cioId);
  }

  /** What Customer.io erases with a person besides the profile (erasure.ts says what is kept and why). */
  private forget(cioId: string): void {
    const kept = eraseHistory({ events: this.events, deliveries: this.deliveries }, cioId);
    this.events = kept.events;
    this.deliveries = kept.deliveries;
    this.activities.removeFor(cioId);
  }

  unsuppress(identifier: string): void {
    this.people.unsuppress(identifier);
  }

  trackEvent(identifier: string, event: NewEvent): EventOutcome {
    const person = this.people.ensure(identifier);
    if (!person) return 'suppressed';
    return this.record({ ...event, anonymousId: undefined }, person);
  }

  trackAnonymous(event: NewEvent): EventOutcome {
    return this.record(event, undefined);
  }

  upsertDevice(identifier: string, device: Device): boolean {
    const person = this.people.ensure(identifier);
    if (!person) return false;
    this.people.upsertDevice(person, device);
    return true;
  }

  deleteDevice(identifier: string, deviceId: string): void {
    const person = this.people.find(identifier);
    if (person) this.people.deleteDevice(person, deviceId);
  }

  /** Delivery metrics (push/events and the universal /metrics endpoint), attributed to the delivery's person when known. */
  recordMetric(m: NewMetric): Metric {
    const metric: Metric = { ...m, timestamp: m.timestamp ?? this.now() };
    this.metrics.push(metric);
    const delivery = this.deliveries.find((d) => d.deliveryId === m.deliveryId);
    if (delivery) {
      this.activities.add(delivery.cioId, `${m.metric}_${delivery.type}`, { data: {}, delivery });
      this.notify({ kind: 'delivery', delivery, metric: m.metric, detail: { reason: m.reason, href: m.href } });
    }
    return metric;
  }

  send(req: NewSend): Delivery {
    this.checkTemplate(req);
    const person = this.people.ensure(req.identifiers.value, req.identifiers.kind) ?? this.suppressedTarget(req.identifiers);
    const delivery: Delivery = {
      deliveryId: crypto.randomBytes(21).toString('base64url'),
      type: req.type,
      cioId: person.cioId,
      transactionalMessageId: req.transactionalMessageId,
      to: recipientOf(req, person),
      message: req.message,
      queuedAt: this.now(),
      suppressed: person.suppressed,
    };
    this.deliveries.push(delivery);
    if (!delivery.suppressed) this.activities.add(person.cioId, `sent_${req.type}`, { data: {}, delivery });
    this.reportSent(delivery, person);
    return delivery;
  }

  /**
   * A send names its template by numeric id or by trigger name, case-insensitively ("Send a transactional SMS",
   * transactional_message_id), and the template must be of the endpoint's channel. The wording is ours.
   */
  private checkTemplate(req: NewSend): void {
    const id = req.transactionalMessageId;
    if (id === undefined) return;
    const wanted = String(id).toLowerCase();
    const template = this.seed.transactionalMessages.find((t) => String(t.id) === wanted || t.name.toLowerCase() === wanted);
    if (!template) throw badRequest(`transactional message ${id} not found`);
    if (template.type !== req.type) throw badRequest(`transactional message ${id} is a ${template.type} message, not ${req.type}`);
  }

  triggerBroadcast(broadcastId: number, data: Attributes, recipients: Recipients): BroadcastTrigger {
    if (!this.seed.broadcasts.some((b) => b.id === broadcastId)) throw notFound(`broadcast ${broadcastId} not found`);
    const trigger: BroadcastTrigger = { id: this.triggers.length + 1, broadcastId, data, recipients, createdAt: this.now() };
    this.triggers.push(trigger);
    // Each person the broadcast reaches gets an email delivery, reported like any other.
    for (const person of broadcastAudience(recipients, this.people, this.segmentList)) {
      const delivery: Delivery = { deliveryId: crypto.randomBytes(21).toString('base64url'), type: 'email', cioId: person.cioId, broadcastId, to: person.email ?? '', message: data, queuedAt: this.now(), suppressed: false };
      this.deliveries.push(delivery);
      this.activities.add(person.cioId, 'sent_email', { data: {}, delivery });
      this.reportSent(delivery, person);
    }
    return trigger;
  }

  /** What exports read: the workspace's segments, broadcasts, deliveries and the metrics recorded per delivery. */
  get segments(): Segment[] {
    return this.segmentList;
  }

  /** Track API add_customers / remove_customers on a manual segment; members are kept as given (id, email, cio_<id>). */
  changeSegment(segmentId: number, members: string[], add: boolean): void {
    const segment = this.segmentList.find((g) => g.id === segmentId);
    if (!segment) throw notFound(`segment ${segmentId} not found`);
    segment.members = add ? [...new Set([...segment.members, ...members])] : segment.members.filter((m) => !members.includes(m));
  }

  hasBroadcast(id: number): boolean {
    return this.seed.broadcasts.some((b) => b.id === id);
  }

  deliveryList(): readonly Delivery[] {
    return this.deliveries;
  }

  metricsOf(deliveryId: string): string[] {
    return this.metrics.filter((m) => m.deliveryId === deliveryId).map((m) => m.metric);
  }

  peopleByEmail(email: string): Person[] {
    return this.people.all().filter((p) => !p.deleted && p.email?.toLowerCase() === email.toLowerCase());
  }

  activitiesOf(person: Person, filter: ActivityFilter): { items: Activity[]; next: string } {
    return this.activities.of(person, filter);
  }

  snapshot() {
    const { siteId, region, trackApiKey, appApiKey } = this.workspace;
    return {
      workspace: { siteId, region, trackApiKey: masked(trackApiKey), appApiKey: masked(appApiKey) },
      apiCredentials: this.credentials.list(),
      people: this.people.all(),
      events: this.events.filter((e) => e.cioId),
      anonymousEvents: this.events.filter((e) => !e.cioId),
      activities: this.activities.all(),
      metrics: this.metrics,
      deliveries: this.deliveries,
      broadcastTriggers: this.triggers,
    };
  }

  private notify(fact: ReportingFact): void {
    const person = fact.kind === 'delivery' ? (fact.person ?? this.people.all().find((p) => p.cioId === fact.delivery.cioId)) : fact.person;
    for (const o of this.observers) o(fact.kind === 'delivery' ? { ...fact, person } : fact);
  }

  /** A message to a suppressed person is dropped; any other is sent and, in the fake, delivered at once. */
  private reportSent(delivery: Delivery, person: Person): void {
    if (delivery.suppressed) return this.notify({ kind: 'delivery', delivery, person, metric: 'dropped', detail: { reason: 'the person is suppressed' } });
    this.notify({ kind: 'delivery', delivery, person, metric: 'sent' });
    this.notify({ kind: 'delivery', delivery, person, metric: 'delivered' });
  }

  private record(event: NewEvent, person: Person | undefined): EventOutcome {
    if (event.dedupeId) {
      if (this.dedupeIds.has(event.dedupeId)) return 'duplicate'; // Track API: a repeated event id is ignored
      this.dedupeIds.add(event.dedupeId);
    }
    const now = this.now();
    const stored: TrackedEvent = { ...event, seq: ++this.seq, cioId: person?.cioId, timestamp: event.timestamp ?? now, receivedAt: now };
    this.events.push(stored);
    if (person) this.addEventActivity(person.cioId, stored);
    return 'recorded';
  }

  private mergeAnonymous(person: Person, anonymousId: string): void {
    const cutoff = this.now() - MERGE_WINDOW_S;
    for (const e of this.events) {
      if (e.cioId || e.anonymousId !== anonymousId || e.timestamp < cutoff) continue;
      e.cioId = person.cioId;
      this.addEventActivity(person.cioId, e);
    }
  }

  private recordChanges(person: Person, changes: AttributeChange[]): void {
    for (const c of changes) this.activities.add(person.cioId, 'attribute_change', { name: c.name, data: { from: c.from ?? null, to: c.to } });
  }

  private addEventActivity(cioId: string, e: TrackedEvent): void {
    this.activities.add(cioId, e.type, { name: e.name, data: e.data, timestamp: e.timestamp });
  }

  /** A send to a suppressed identifier is accepted (the message is just not delivered); attribute it to that person. */
  private suppressedTarget(ids: Identifiers): Person {
    const key = ids.kind === 'cio_id' ? 'cioId' : ids.kind;
    const person = this.people.all().find((p) => p.suppressed && p[key] === ids.value.replace(/^cio_/, ''));
    if (!person) throw notFound(`customer ${ids.value} not found`);
    return person;
  }
}

/** Where a delivery goes: the email or phone sent to, the push's device tokens; in-app and inbox go to the person's SDK sessions. */
function recipientOf(req: NewSend, person: Person): string | string[] {
  if (req.type === 'email') return req.to ?? person.email ?? '';
  if (req.type === 'sms') return req.to ?? '';
  if (req.type === 'push') return pushTargets(person, req.to);
  return [];
}

function pushTargets(person: Person, to: string | undefined): string[] {
  if (!to || to === 'all') return person.devices.map((d) => d.id);
  if (to === 'last_used') {
    const last = [...person.devices].sort((a, b) => (b.last_used ?? 0) - (a.last_used ?? 0))[0];
    return last ? [last.id] : [];
  }
  return [to];
}

const masked = (secret: string): string => `***${secret.slice(-4)}`;
