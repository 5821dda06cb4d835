/** App API response shapes, built from the model. Field names follow the App API reference examples. */
import type { Activity, Delivery, Person } from './types.ts';

/** A person's identifiers; also each entry of GET /v1/customers?email= → `{"results":[…]}` (App API "Get customers by email"). */
export function identifiersOf(p: Person) {
  return { id: p.id ?? null, email: p.email ?? null, cio_id: p.cioId };
}

/**
 * GET /v1/customers/{id}/attributes (App API "Lookup customer attributes"): attribute values come back as
 * strings, identifiers appear both under `identifiers` and among the attributes, `timestamps` holds when each
 * attribute was last set, devices list id, platform and last_used.
 */
export function customerAttributes(p: Person) {
  const attributes: Record<string, string> = {};
  const timestamps: Record<string, number> = {};
  const set = (name: string, value: unknown) => {
    attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
    timestamps[name] = name === 'created_at' || name === 'cio_id' ? p.createdAt : p.updatedAt;
  };
  set('cio_id', p.cioId);
  if (p.id !== undefined) set('id', p.id);
  if (p.email !== undefined) set('email', p.email);
  set('created_at', String(p.createdAt));
  for (const [k, v] of Object.entries(p.attributes)) set(k, v);
  return {
    customer: {
      id: p.id ?? null,
      identifiers: identifiersOf(p),
      attributes,
      timestamps,
      unsubscribed: p.attributes.unsubscribed === true || p.attributes.unsubscribed === 'true',
      devices: p.devices.map((d) => ({ id: d.id, platform: d.platform, last_used: d.last_used ?? null })),
    },
  };
}

/** One entry of GET /v1/customers/{id}/activities (App API "Lookup a customer's activities"). */
export function activity(a: Activity, p: Person) {
  return {
    id: a.id,
    customer_id: p.id ?? null,
    customer_identifiers: identifiersOf(p),
    delivery_id: a.deliveryId,
    delivery_type: a.deliveryType,
    timestamp: a.timestamp,
    type: a.type,
    ...(a.name !== undefined ? { name: a.name } : {}),
    data: a.data,
  };
}

/** POST /v1/send/{email,push} → `{"delivery_id","queued_at"}` (App API transactional send responses). */
export function sendResult(d: Delivery) {
  return { delivery_id: d.deliveryId, queued_at: d.queuedAt };
}
