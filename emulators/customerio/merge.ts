/**
 * Merging two people (Track API "Merge duplicate people", POST /api/v1/merge_customers): the primary stays, the
 * secondary is deleted, and the primary inherits from it attributes it has not set (empty counts as unset), the
 * secondary's email when it has none, devices it lacks, the most recent 30 days of events, and the message
 * delivery history. Nothing happens when either person does not exist ("If the primary profile doesn't exist,
 * your request won't do anything"). No HTTP here.
 */
import type { ActivityLog } from './activities.ts';
import type { People } from './people.ts';
import type { Delivery, Person, TrackedEvent } from './types.ts';

/** Events merged from the secondary: the most recent 30 days (same page of the Track API reference). */
const EVENT_WINDOW_S = 30 * 86_400;

export interface MergeParts {
  people: People;
  events: TrackedEvent[];
  deliveries: Delivery[];
  activities: ActivityLog;
  now: number;
}

const isUnset = (v: unknown) => v === undefined || v === null || v === '';

export function mergePeople(primary: Person, secondary: Person, parts: MergeParts): void {
  if (primary === secondary) return;
  const inherited: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(secondary.attributes)) if (isUnset(primary.attributes[name]) && !isUnset(value)) inherited[name] = value;
  const email = primary.email === undefined ? secondary.email : undefined;
  for (const d of secondary.devices) if (!primary.devices.some((p) => p.id === d.id)) primary.devices.push({ ...d, attributes: { ...d.attributes } });

  const cutoff = parts.now - EVENT_WINDOW_S;
  for (const e of parts.events) if (e.cioId === secondary.cioId && e.timestamp >= cutoff) e.cioId = primary.cioId;
  for (const d of parts.deliveries) if (d.cioId === secondary.cioId) d.cioId = primary.cioId;
  parts.activities.reassign(secondary.cioId, primary.cioId, (a) => a.type !== 'attribute_change' && (a.deliveryId !== null || a.timestamp >= cutoff));

  // The secondary goes first, identifiers and all, so its email is free for the primary to take.
  parts.people.remove(secondary);
  parts.people.forgetIdentifiers(secondary);
  parts.people.update(primary, { ...inherited, ...(email !== undefined ? { email } : {}) });
}
