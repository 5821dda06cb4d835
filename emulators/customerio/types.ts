/** The fake Customer.io workspace's data: what the Track API writes and the App API reads. */

export type Attributes = Record<string, unknown>;

export interface Workspace {
  siteId: string;
  trackApiKey: string;
  appApiKey: string;
  /** Signs reporting webhooks (X-CIO-Signature); emulators/customerio/webhooks.ts. */
  webhookSigningKey: string;
  region: 'us' | 'eu';
}

export type Platform = 'ios' | 'android';

export interface Device {
  id: string;
  platform: Platform;
  last_used?: number;
  attributes: Attributes;
}

export interface Person {
  /** Customer.io's own canonical id (referenced as `cio_<cioId>` on the wire). */
  cioId: string;
  id?: string;
  email?: string;
  attributes: Attributes;
  createdAt: number;
  updatedAt: number;
  devices: Device[];
  suppressed: boolean;
  deleted: boolean;
}

export type EventType = 'event' | 'page' | 'screen';

export interface TrackedEvent {
  seq: number;
  /** The client's dedupe id (a ULID); a retry with the same id is dropped. */
  dedupeId?: string;
  /** cioId of the person, absent for anonymous events not yet merged. */
  cioId?: string;
  anonymousId?: string;
  name: string;
  type: EventType;
  data: Attributes;
  timestamp: number;
  receivedAt: number;
}

export interface Activity {
  id: string;
  cioId: string;
  type: string;
  name?: string;
  timestamp: number;
  data: Attributes;
  deliveryId: string | null;
  deliveryType: string | null;
}

export type MetricSource = 'push/events' | 'metrics';

export interface Metric {
  deliveryId: string;
  metric: string;
  source: MetricSource;
  deviceId?: string;
  recipient?: string;
  reason?: string;
  href?: string;
  timestamp: number;
}

/** Transactional channels (App API /v1/send/{email,push,sms,in_app,inbox_message}); `inbox` is the inbox_message one. */
export type DeliveryType = 'email' | 'push' | 'sms' | 'in_app' | 'inbox';
export const DELIVERY_TYPES: readonly DeliveryType[] = ['email', 'push', 'sms', 'in_app', 'inbox'];

export interface Delivery {
  deliveryId: string;
  type: DeliveryType;
  cioId: string;
  transactionalMessageId?: string | number;
  /** Set for a message a broadcast trigger sent. */
  broadcastId?: number;
  /** Email address or phone number, the device tokens a push went to, or [] for in-app and inbox messages. */
  to: string | string[];
  /** The sent message fields (subject, title, message_data …), attachments reduced to their names. */
  message: Attributes;
  queuedAt: number;
  /** The person was suppressed: Customer.io accepts the request but the message is not delivered. */
  suppressed: boolean;
}

export type Recipients =
  | { kind: 'segment'; recipients: Attributes }
  | { kind: 'ids'; ids: string[] }
  | { kind: 'emails'; emails: string[] }
  | { kind: 'per_user_data'; per_user_data: Attributes[] }
  | { kind: 'data_file_url'; data_file_url: string }
  | { kind: 'default' };

export interface BroadcastTrigger {
  id: number;
  broadcastId: number;
  data: Attributes;
  recipients: Recipients;
  createdAt: number;
}

/** A manual segment: its members by id, email or `cio_<id>` (seed data; the fake has no segment builder). */
export interface Segment {
  id: number;
  name: string;
  members: string[];
}

export interface Broadcast {
  id: number;
  name: string;
}

export interface TransactionalMessage {
  id: number;
  name: string;
  type: DeliveryType;
}

/** How a wire identifier names a person. */
export type IdentifierKind = 'id' | 'email' | 'cio_id';
