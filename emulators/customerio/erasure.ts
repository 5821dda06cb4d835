/**
 * What a delete or a suppression erases beyond the profile, in the fake. Customer.io: "when you delete a person,
 * you're deleting all data with them too"; suppressing also "redacts activity attributed to the person" (docs,
 * "Delete people and suppress profile IDs"). The fake forgets the person's events (merged anonymous ones too) and
 * activity, and redacts the messages sent to them (address and content), keeping each delivery's id, type and
 * times, and the delivery metrics, which name no one: campaign reporting keeps counting them, as Customer.io's does.
 */
import type { Delivery, TrackedEvent } from './types.ts';

export const REDACTED_RECIPIENT = '[deleted]';

export function eraseHistory(h: { events: TrackedEvent[]; deliveries: Delivery[] }, cioId: string): { events: TrackedEvent[]; deliveries: Delivery[] } {
  return {
    events: h.events.filter((e) => e.cioId !== cioId),
    deliveries: h.deliveries.map((d) => (d.cioId === cioId ? { ...d, to: Array.isArray(d.to) ? [] : REDACTED_RECIPIENT, message: {} } : d)),
  };
}
